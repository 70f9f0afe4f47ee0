import { Pool } from 'undici';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../../scripts/bridge-process.ts';
import { freePort } from '../../scripts/free-port.ts';
import { adminUrl, createTestDatabase } from '../contract/postgres-database.ts';

// Two bridge processes behind one load balancer share a PostgreSQL database: a webhook that lands on one
// must wake a job long-polling the other, and a reader following both must see every event once, in order.

const ENTRY = new URL('../../src/bridge/index.ts', import.meta.url).pathname;
const INGEST = 'replica-ingest-token-0123456789';
const READ = 'replica-read-token-0123456789';

const envelope = (uploadId: string, n: number) =>
  JSON.stringify({
    event: 'build.downloading',
    projectId: 'replica-project',
    uploadId,
    fileUrl: null,
    status: 'Downloading Files',
    objection: null,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
  });

async function post(bridge: BridgeProcess, body: string): Promise<void> {
  const response = await fetch(`${bridge.url}/hooks/streampixel/${INGEST}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(response.status).toBe(200);
}

interface Page {
  events: Array<{ cursor: number; payload: { timestamp: string } }>;
  cursor: number;
}
async function poll(bridge: BridgeProcess, subject: string, after: number, wait: number): Promise<Page> {
  const response = await fetch(`${bridge.url}/v1/events?subject=${subject}&after=${after}&wait=${wait}`, {
    headers: { authorization: `Bearer ${READ}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

/** Resolves once the bridge reports a parked long-poll (its `bridge_waiters` gauge). */
async function parked(bridge: BridgeProcess): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    if (/^bridge_waiters [1-9]/m.test(metrics)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the long-poll never parked');
}

describe.skipIf(!adminUrl)('two bridges on one PostgreSQL (needs TEST_POSTGRES_URL)', () => {
  async function startPair(): Promise<[BridgeProcess, BridgeProcess]> {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const start = async () => {
      const bridge = await startBridgeProcess(
        {
          BRIDGE_PORT: String(await freePort()),
          BRIDGE_HOST: '127.0.0.1',
          BRIDGE_DATABASE: database.url,
          BRIDGE_INGEST_TOKEN: INGEST,
          BRIDGE_READ_TOKEN: READ,
          BRIDGE_LOG_LEVEL: 'warn',
        },
        ENTRY,
      );
      onTestFinished(() => bridge.stop().then(() => undefined));
      return bridge;
    };
    // Sequential: both run the migrations; the second finds them applied.
    const a = await start();
    return [a, await start()];
  }

  test(
    'a webhook posted to one bridge wakes a long-poll waiting on the other',
    { timeout: 60_000 },
    async () => {
      const [a, b] = await startPair();
      const waiting = poll(b, 'up-replica', 0, 30);
      await parked(b);
      const started = performance.now();
      await post(a, envelope('up-replica', 1));
      const page = await waiting;
      expect(page.events.map((e) => e.payload.timestamp)).toEqual(['2026-01-01T00:00:00.001Z']);
      // Woken by NOTIFY, not by the 5 s safety re-query.
      expect(performance.now() - started).toBeLessThan(2_000);
    },
  );

  test(
    'a reader on one bridge sees every event posted to both, once and in cursor order',
    { timeout: 60_000 },
    async () => {
      const [a, b] = await startPair();
      const total = 300;
      const senders = Array.from({ length: 8 }, () => new Pool(a.url, { connections: 1 }));
      const poolsB = Array.from({ length: 8 }, () => new Pool(b.url, { connections: 1 }));
      onTestFinished(() =>
        Promise.all([...senders, ...poolsB].map((pool) => pool.close())).then(() => undefined),
      );

      const sending = Promise.all(
        Array.from({ length: total }, async (_, n) => {
          const pool = (n % 2 === 0 ? senders : poolsB)[n % 8]!;
          const response = await pool.request({
            method: 'POST',
            path: `/hooks/streampixel/${INGEST}`,
            headers: { 'content-type': 'application/json' },
            body: envelope('up-order', n),
          });
          await response.body.dump();
          expect(response.statusCode).toBe(200);
        }),
      );

      const seen: number[] = [];
      let cursor = 0;
      while (seen.length < total) {
        const page = await poll(b, 'up-order', cursor, 5);
        seen.push(...page.events.map((e) => e.cursor));
        cursor = page.cursor;
      }
      await sending;
      expect(seen).toHaveLength(total);
      expect([...seen].sort((x, y) => x - y)).toEqual(seen);
      expect(new Set(seen).size).toBe(total);
    },
  );
});
