import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createPostgresStore } from '../../src/bridge/store/postgres.ts';
import { createSqliteStore } from '../../src/bridge/store/sqlite.ts';
import type { EventStore } from '../../src/bridge/store/store.ts';
import { startBridgeProcess } from '../../scripts/bridge-process.ts';
import { freePort } from '../../scripts/free-port.ts';
import { adminUrl, createTestDatabase } from '../contract/postgres-database.ts';

// DESIGN §6: no acknowledged event lost across kill -9 at random points. A bridge process takes webhooks
// from 16 concurrent senders over HTTP and is killed with SIGKILL at a random moment, ten times over on the
// same database. Every webhook that got a 200 must then be stored, byte for byte as it was sent, and
// readable through the restarted bridge.

const ENTRY = new URL('../../src/bridge/index.ts', import.meta.url).pathname;
const INGEST = 'crash-ingest-token-0123456789';
const READ = 'crash-read-token-0123456789';
const ROUNDS = 10;
const SENDERS = 16;

/** Deterministic per seed, so a failing round can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

interface Acked {
  subject: string;
  body: string;
}

/** Sends from SENDERS loops until the bridge dies; returns every webhook the bridge acknowledged. */
async function sendUntilKilled(
  url: string,
  round: number,
  killAfterMs: number,
  kill: () => void,
): Promise<Acked[]> {
  const pool = new Pool(url, { connections: SENDERS });
  const acked: Acked[] = [];
  const timer = setTimeout(kill, killAfterMs);
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, sender) => {
      const subject = `crash-${round}-${sender}`;
      for (let n = 0; ; n += 1) {
        // Unicode and escapes, so "byte-identical" means something.
        const body = JSON.stringify({
          event: 'build.downloading',
          projectId: 'crash-project',
          uploadId: subject,
          fileUrl: null,
          status: 'Downloading Files',
          objection: null,
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
          note: `round ${round} · sender ${sender} · "quoted" \\ ✓`,
        });
        try {
          const response = await pool.request({
            method: 'POST',
            path: `/hooks/streampixel/${INGEST}`,
            headers: { 'content-type': 'application/json' },
            body,
          });
          await response.body.dump();
          if (response.statusCode === 200) acked.push({ subject, body });
        } catch {
          return; // the bridge is gone
        }
      }
    }),
  );
  clearTimeout(timer);
  await pool.destroy();
  return acked;
}

async function readBodies(store: EventStore, subject: string): Promise<string[]> {
  await store.migrate();
  const events = await store.read({ provider: 'streampixel', subject, after: 0, limit: 100_000 });
  return events.map((event) => event.body);
}

async function crashRounds(database: string, openStore: () => EventStore) {
  const env = (port: number) => ({
    BRIDGE_PORT: String(port),
    BRIDGE_HOST: '127.0.0.1',
    BRIDGE_DATABASE: database,
    BRIDGE_INGEST_TOKEN: INGEST,
    BRIDGE_READ_TOKEN: READ,
    BRIDGE_LOG_LEVEL: 'warn',
  });
  const next = random(20_261_124);
  const acked: Acked[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const bridge = await startBridgeProcess(env(await freePort()), ENTRY);
    const killAfterMs = 40 + Math.floor(next() * 260);
    const killed = new Promise<NodeJS.Signals | null>((resolve) =>
      bridge.child.once('exit', (_, signal) => resolve(signal)),
    );
    acked.push(
      ...(await sendUntilKilled(bridge.url, round, killAfterMs, () => bridge.child.kill('SIGKILL'))),
    );
    expect(await killed, `round ${round}`).toBe('SIGKILL');
  }
  expect(acked.length).toBeGreaterThan(ROUNDS * SENDERS);

  // Restarted once more: every acknowledged webhook is readable through the API…
  const bridge = await startBridgeProcess(env(await freePort()), ENTRY);
  onTestFinished(() => bridge.stop().then(() => undefined));
  const subjects = [...new Set(acked.map((a) => a.subject))];
  for (const subject of subjects) {
    const response = await fetch(`${bridge.url}/v1/events?subject=${subject}&after=0&limit=500`, {
      headers: { authorization: `Bearer ${READ}` },
    });
    const { events } = (await response.json()) as { events: Array<{ payload: unknown }> };
    const served = new Set(events.map((event) => JSON.stringify(event.payload)));
    for (const { body } of acked.filter((a) => a.subject === subject)) expect(served.has(body)).toBe(true);
  }
  // …and stored byte for byte as it was sent.
  const store = openStore();
  onTestFinished(() => store.close());
  for (const subject of subjects) {
    const stored = new Set(await readBodies(store, subject));
    const missing = acked.filter((a) => a.subject === subject && !stored.has(a.body));
    expect(missing, `acknowledged but lost in ${subject}`).toEqual([]);
  }
}

describe('kill -9 under concurrent senders', () => {
  test('SQLite: no acknowledged webhook is lost across ten crashes', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bridge-crash-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'events.db');
    await crashRounds(path, () => createSqliteStore({ path }));
  });

  test.skipIf(!adminUrl)(
    'PostgreSQL: no acknowledged webhook is lost across ten crashes (needs TEST_POSTGRES_URL)',
    { timeout: 120_000 },
    async () => {
      const database = await createTestDatabase();
      onTestFinished(() => database.drop());
      await crashRounds(database.url, () => createPostgresStore({ connectionString: database.url }));
    },
  );
});
