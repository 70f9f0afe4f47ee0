import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, onTestFinished, test } from 'vitest';
import { parseBridgeConfig } from '../../src/bridge/config.ts';
import { startBridge } from '../../src/bridge/main.ts';
import { adminUrl, createTestDatabase } from '../contract/postgres-database.ts';
import { report } from './support/mode.ts';
import { postgresAddress, startTcpProxy } from './support/tcp-proxy.ts';
import {
  bridgeEnv,
  INGEST_PATH,
  INGEST_TOKEN,
  readHeaders,
  READ_TOKEN,
  webhookBody,
} from './support/webhooks.ts';

// DESIGN §4: "The bridge starts while PostgreSQL is down (/readyz 503 until it connects)". The database is
// taken away by a TCP proxy that refuses every connection (the shared server keeps running for the other
// tests); the bridge must listen anyway, refuse with 503 (never a 2xx for an event it could not store),
// keep retrying in the background, and serve once the proxy lets it through, without a restart.

const DOWN_FOR_MS = 1_500;
const READY_WITHIN_MS = 30_000;

describe.skipIf(!adminUrl)('the bridge started while PostgreSQL is down (needs TEST_POSTGRES_URL)', () => {
  test('answers 503 until the database is reachable, then serves', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const proxy = await startTcpProxy(postgresAddress(database.url));
    onTestFinished(() => proxy.close());
    proxy.cut();

    const logs: string[] = [];
    const bridge = await startBridge({
      config: parseBridgeConfig(bridgeEnv(proxy.rewrite(database.url))),
      logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
      connectBackoff: { initialMs: 50, maxMs: 400 },
    });
    onTestFinished(() => bridge.close());

    const ingest = (n: number) =>
      fetch(`${bridge.url}${INGEST_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: webhookBody('down-at-start', n),
      });
    const statuses = { readyz: new Set<number>(), ingest: new Set<number>(), read: new Set<number>() };
    const downUntil = Date.now() + DOWN_FOR_MS;
    let probes = 0;
    for (let n = 0; Date.now() < downUntil; n += 1) {
      probes += 1;
      statuses.readyz.add((await fetch(`${bridge.url}/readyz`)).status);
      statuses.ingest.add((await ingest(n)).status);
      const read = await fetch(`${bridge.url}/v1/events?subject=down-at-start&after=0`, {
        headers: readHeaders,
      });
      statuses.read.add(read.status);
      expect((await fetch(`${bridge.url}/healthz`)).status).toBe(200);
      await delay(50);
    }
    expect([...statuses.readyz]).toEqual([503]);
    expect([...statuses.ingest]).toEqual([503]);
    expect([...statuses.read]).toEqual([503]);
    // Nothing reached the database while it was "down".
    expect(await database.query("SELECT to_regclass('events') AS t")).toEqual([{ t: null }]);

    proxy.restore();
    const restoredAt = Date.now();
    while ((await fetch(`${bridge.url}/readyz`)).status !== 200) {
      expect(Date.now() - restoredAt, 'ready after the database came back').toBeLessThan(READY_WITHIN_MS);
      await delay(25);
    }
    const readyAfterMs = Date.now() - restoredAt;

    const body = webhookBody('down-at-start', 1_000_000);
    const acked = await fetch(`${bridge.url}${INGEST_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(acked.status).toBe(200);
    const rows = await database.query<{ body: string }>('SELECT body FROM events');
    expect(rows).toEqual([{ body }]);
    const read = await fetch(`${bridge.url}/v1/events?subject=down-at-start&after=0`, {
      headers: readHeaders,
    });
    expect(read.status).toBe(200);

    // The retries were logged, and no line gave a token away.
    const text = logs.join('');
    expect(text).toMatch(/cannot reach or migrate the database \(attempt 2\)/);
    expect(text).toMatch(/"msg":"release bridge ready"/);
    expect(text).not.toContain(INGEST_TOKEN);
    expect(text).not.toContain(READ_TOKEN);
    report('postgres down at start', { probes, refusedWith503: probes * 3, readyAfterMs, lost: 0 });
  });

  test('shuts down promptly while still connecting', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const proxy = await startTcpProxy(postgresAddress(database.url));
    onTestFinished(() => proxy.close());
    proxy.cut();
    const bridge = await startBridge({
      config: parseBridgeConfig(bridgeEnv(proxy.rewrite(database.url))),
      logger: false,
      connectBackoff: { initialMs: 2_000, maxMs: 2_000 },
    });
    expect((await fetch(`${bridge.url}/readyz`)).status).toBe(503);

    // SIGTERM during an outage must not wait out the backoff, nor leave the connect loop running.
    const closingAt = Date.now();
    await bridge.close();
    const closeMs = Date.now() - closingAt;
    expect(closeMs).toBeLessThan(1_500);
    await expect(bridge.store.migrate()).rejects.toMatchObject({ code: 'closed' });
    const attempts = proxy.refused;
    await delay(300);
    expect(proxy.refused, 'no connection attempts after close').toBe(attempts);
    report('postgres down at start, shutdown while connecting', { closeMs });
  });
});
