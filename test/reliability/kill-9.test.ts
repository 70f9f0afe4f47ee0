import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startBridgeProcess } from '../../scripts/bridge-process.ts';
import { freePort } from '../../scripts/free-port.ts';
import { adminUrl, createTestDatabase } from '../contract/postgres-database.ts';
import { checkPostgres, checkSqlite, type IntegrityReport } from './support/integrity.ts';
import { FUZZ_SEED, report, scaled } from './support/mode.ts';
import { bridgeEnv, INGEST_PATH, readHeaders, webhookBody } from './support/webhooks.ts';

// DESIGN §6: no acknowledged event lost across kill -9 at random points. A bridge process takes webhooks
// from 16 concurrent senders over HTTP and is killed with SIGKILL at a random moment, round after round on
// the same database. Afterwards every webhook that got a 200 must be stored once, byte for byte as sent,
// and readable through a restarted bridge, and the database must pass its integrity check.

const ENTRY = new URL('../../src/bridge/index.ts', import.meta.url).pathname;
const ROUNDS = scaled(20, 50);
const SENDERS = 16;

/** Deterministic per seed, so a failing round can be replayed (RELIABILITY_SEED). */
function random(seed: number): () => number {
  let state = seed % 2 ** 31;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

interface Acked {
  subject: string;
  body: string;
}

/** Sends from SENDERS loops until the bridge dies; returns every webhook the bridge acknowledged. */
async function sendUntilKilled(url: string, round: number, killAfterMs: number, kill: () => void) {
  const pool = new Pool(url, { connections: SENDERS });
  const acked: Acked[] = [];
  let refused = 0;
  const timer = setTimeout(kill, killAfterMs);
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, sender) => {
      const subject = `crash-${round}-${sender}`;
      for (let n = 0; ; n += 1) {
        const body = webhookBody(subject, n, `round ${round} · sender ${sender}`);
        try {
          const response = await pool.request({
            method: 'POST',
            path: INGEST_PATH,
            headers: { 'content-type': 'application/json' },
            body,
          });
          await response.body.dump();
          if (response.statusCode === 200) acked.push({ subject, body });
          else refused += 1;
        } catch {
          return; // the bridge is gone
        }
      }
    }),
  );
  clearTimeout(timer);
  await pool.destroy();
  return { acked, refused };
}

async function crashRounds(database: string, check: () => Promise<IntegrityReport> | IntegrityReport) {
  const next = random(FUZZ_SEED);
  const acked: Acked[] = [];
  let refused = 0;
  const startedAt = Date.now();
  for (let round = 0; round < ROUNDS; round += 1) {
    const bridge = await startBridgeProcess(bridgeEnv(database, await freePort()), ENTRY);
    const killAfterMs = 40 + Math.floor(next() * 260);
    const killed = new Promise<NodeJS.Signals | null>((resolve) =>
      bridge.child.once('exit', (_, signal) => resolve(signal)),
    );
    const sent = await sendUntilKilled(bridge.url, round, killAfterMs, () => bridge.child.kill('SIGKILL'));
    acked.push(...sent.acked);
    refused += sent.refused;
    expect(await killed, `round ${round}`).toBe('SIGKILL');
  }
  expect(acked.length).toBeGreaterThan(ROUNDS * SENDERS);

  // Restarted once more: every acknowledged webhook is readable through the API…
  const bridge = await startBridgeProcess(bridgeEnv(database, await freePort()), ENTRY);
  onTestFinished(() => bridge.stop().then(() => undefined));
  const subjects = [...new Set(acked.map((a) => a.subject))];
  let unreadable = 0;
  for (const subject of subjects) {
    const response = await fetch(`${bridge.url}/v1/events?subject=${subject}&after=0&limit=500`, {
      headers: readHeaders,
    });
    const { events } = (await response.json()) as { events: Array<{ payload: unknown }> };
    const served = new Set(events.map((event) => JSON.stringify(event.payload)));
    unreadable += acked.filter((a) => a.subject === subject && !served.has(a.body)).length;
  }
  expect(unreadable, 'acknowledged but not served after the restart').toBe(0);
  await bridge.stop();

  // …stored once, byte for byte as it was sent, in a sound database.
  const integrity = await check();
  const stored = new Set(integrity.bodies);
  const lost = acked.filter((a) => !stored.has(a.body));
  expect(lost, 'acknowledged but lost').toEqual([]);
  expect(integrity.integrity).toBe('ok');
  expect(integrity.duplicateCursors).toBe(0);
  expect(integrity.duplicateDedupeKeys).toBe(0);
  expect(integrity.duplicateBodies).toBe(0);
  return {
    rounds: ROUNDS,
    senders: SENDERS,
    acked: acked.length,
    refused,
    storedRows: integrity.rows,
    recovered: acked.length - lost.length,
    lost: lost.length,
    duplicates: integrity.duplicateBodies,
    integrity: integrity.integrity,
    ...(integrity.indexesChecked === undefined ? {} : { amcheckIndexes: integrity.indexesChecked }),
    seconds: Math.round((Date.now() - startedAt) / 1000),
  };
}

describe('kill -9 under concurrent senders', () => {
  test(`SQLite: no acknowledged webhook is lost across ${ROUNDS} crashes`, { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bridge-crash-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'events.db');
    report('kill -9, SQLite', await crashRounds(path, () => checkSqlite(path)));
  });

  test.skipIf(!adminUrl)(
    `PostgreSQL: no acknowledged webhook is lost across ${ROUNDS} crashes (needs TEST_POSTGRES_URL)`,
    { timeout: 600_000 },
    async () => {
      const database = await createTestDatabase();
      onTestFinished(() => database.drop());
      report('kill -9, PostgreSQL', await crashRounds(database.url, () => checkPostgres(database.url)));
    },
  );
});
