import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startBridgeProcess } from '../../scripts/bridge-process.ts';
import { freePort } from '../../scripts/free-port.ts';
import { report } from './support/mode.ts';
import { bridgeEnv, INGEST_PATH, readHeaders, webhookBody } from './support/webhooks.ts';

// DESIGN §4 / issue 6: what 1,000 idle waiters (long-polls held open) cost the bridge. The bridge runs from
// source as its own process (`node src/bridge/index.ts`, what `npm run bridge` runs), so its memory is
// not mixed with the clients'; its own /metrics reports RSS and heap. The figures go to RELIABILITY.md.

const WAITERS = 1_000;
/** Long enough to outlast the measurement; the waiters re-query every 5 s meanwhile, as they do in use. */
const WAIT_SECONDS = 60;
/** Time for the held state to settle (a re-query round, buffers allocated) before it is measured. */
const SETTLE_MS = 6_000;
/** A bound that only a leak-sized cost could pass: 100 KB per waiter. The figures are printed, not judged. */
const MAX_RSS_GROWTH_BYTES = WAITERS * 100 * 1024;

/** IDLE_WAITERS_BRIDGE=dist/bridge/index.js (or another build) measures that instead. */
const BRIDGE_ENTRY =
  process.env['IDLE_WAITERS_BRIDGE'] ?? new URL('../../src/bridge/index.ts', import.meta.url).pathname;
const MB = 1024 * 1024;

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  waiters: number;
}

async function memoryOf(url: string): Promise<Memory> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sample = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: sample('process_resident_memory_bytes'),
    heapUsed: sample('nodejs_heap_size_used_bytes'),
    heapTotal: sample('nodejs_heap_size_total_bytes'),
    waiters: sample('bridge_waiters'),
  };
}

async function until(what: string, check: () => Promise<boolean>, withinMs = 60_000) {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('idle waiters', () => {
  test(
    `${WAITERS} long-polls held open: memory, and a webhook still wakes its own at once`,
    { timeout: 120_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'idle-waiters-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      const bridge = await startBridgeProcess(
        bridgeEnv(join(dir, 'events.db'), await freePort()),
        BRIDGE_ENTRY,
      );
      onTestFinished(async () => void (await bridge.stop()));

      // Warm up every route the measurement uses, so their first-call allocations are in the baseline.
      const post = (subject: string, n: number) =>
        fetch(`${bridge.url}${INGEST_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: webhookBody(subject, n),
        });
      expect((await post('warm-up', 0)).status).toBe(200);
      for (let i = 0; i < 20; i += 1)
        await fetch(`${bridge.url}/v1/events?subject=warm-up&wait=0`, { headers: readHeaders });
      await settle(1_000);
      const before = await memoryOf(bridge.url);

      const held: ClientRequest[] = [];
      const answers = new Map<number, Promise<{ status: number; body: string }>>();
      onTestFinished(() => held.forEach((req) => req.destroy()));
      for (let i = 0; i < WAITERS; i += 1) {
        const req = httpRequest(`${bridge.url}/v1/events?subject=waiter-${i}&wait=${WAIT_SECONDS}`, {
          headers: readHeaders,
          agent: false,
        });
        answers.set(
          i,
          new Promise((resolve, reject) => {
            req.on('error', reject);
            req.on('response', (res) => {
              let body = '';
              res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            });
          }),
        );
        answers.get(i)!.catch(() => {});
        req.end();
        held.push(req);
      }
      const openedAt = performance.now();
      await until(`${WAITERS} waiters`, async () => (await memoryOf(bridge.url)).waiters === WAITERS);
      const openMs = performance.now() - openedAt;
      await settle(SETTLE_MS);
      const during = await memoryOf(bridge.url);

      // One webhook wakes its own waiter among the thousand, at once.
      const woke = performance.now();
      expect((await post('waiter-500', 1)).status).toBe(200);
      const answer = await answers.get(500)!;
      const wakeMs = performance.now() - woke;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).events).toHaveLength(1);
      expect((await fetch(`${bridge.url}/healthz`)).status).toBe(200);

      held.forEach((req) => req.destroy());
      await until('every waiter gone', async () => (await memoryOf(bridge.url)).waiters === 0);
      await settle(2_000);
      const after = await memoryOf(bridge.url);

      const growth = during.rss - before.rss;
      report('idle waiters', {
        waiters: WAITERS,
        rssBeforeMB: before.rss / MB,
        rssHeldMB: during.rss / MB,
        rssAfterMB: after.rss / MB,
        rssPerWaiterKB: growth / WAITERS / 1024,
        heapUsedBeforeMB: before.heapUsed / MB,
        heapUsedHeldMB: during.heapUsed / MB,
        heapUsedAfterMB: after.heapUsed / MB,
        heapPerWaiterKB: (during.heapUsed - before.heapUsed) / WAITERS / 1024,
        openAllMs: openMs,
        wakeOneMs: wakeMs,
        node: process.version,
        cpus: cpus().length,
        memGB: totalmem() / 1024 / MB,
      });
      expect(during.waiters).toBe(WAITERS);
      expect(growth).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    },
  );
});
