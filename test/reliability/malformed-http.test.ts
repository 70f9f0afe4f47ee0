import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startReceiver } from '../../src/release/receiver.ts';
import { parseBridgeConfig } from '../../src/bridge/config.ts';
import { startBridge } from '../../src/bridge/main.ts';
import { malformedRequests, splitAt } from './support/malformed-http.ts';
import { FUZZ_SEED, report, scaled } from './support/mode.ts';
import { snapshotPrototypes } from './support/prototype-guard.ts';
import { sendRaw } from './support/raw-http.ts';
import { bridgeEnv, INGEST_PATH } from './support/webhooks.ts';

// DESIGN §6: no 5xx and no crash on any malformed input, down to the HTTP framing the servers parse
// before any of our code runs. Raw malformed HTTP over plain sockets at the bridge and at the receiver
// (fast-check, fixed seed; RELIABILITY_SEED replays): an answer below 500 or a closed connection, within
// the per-request bound, and both still serve afterwards.

const CASES = scaled(1_500, 5_000);
const REQUEST_TIMEOUT_MS = 10_000;
const RECEIVER_PATH = '/hooks/fuzz-raw-receiver-0123456789';

async function fuzz(port: number, paths: string[]) {
  const statuses = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(malformedRequests(paths), async ({ bytes, splits }) => {
      const exchange = await sendRaw(port, {
        parts: splitAt(bytes, splits),
        end: true,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      const key = exchange.status === undefined ? 'dropped' : String(exchange.status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      expect(exchange.outcome, 'answered or dropped within the bound').not.toBe('timeout');
      expect(exchange.status ?? 0).toBeLessThan(500);
    }),
    { seed: FUZZ_SEED, numRuns: CASES, endOnFailure: true },
  );
  return [...statuses]
    .sort()
    .map(([status, count]) => `${status}:${count}`)
    .join(',');
}

describe('raw malformed HTTP', () => {
  test(
    `at the bridge: ${CASES} cases, never a 5xx or a hang (seed ${FUZZ_SEED})`,
    { timeout: scaled(180_000, 900_000) },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'bridge-raw-'));
      const bridge = await startBridge({
        config: parseBridgeConfig(bridgeEnv(join(dir, 'events.db'))),
        logger: false,
      });
      onTestFinished(async () => {
        await bridge.close();
        await rm(dir, { recursive: true, force: true });
      });
      const prototypesChanged = snapshotPrototypes();
      const statuses = await fuzz(Number(new URL(bridge.url).port), [
        INGEST_PATH,
        '/v1/events?subject=x',
        '/readyz',
        '/metrics',
      ]);
      expect((await fetch(`${bridge.url}/healthz`)).status).toBe(200);
      expect(prototypesChanged()).toEqual([]);
      report('fuzz, raw HTTP at the bridge', { seed: FUZZ_SEED, cases: CASES, statuses });
    },
  );

  test(
    `at the receiver: ${CASES} cases, never a 5xx or a hang (seed ${FUZZ_SEED})`,
    { timeout: scaled(180_000, 900_000) },
    async () => {
      const receiver = await startReceiver({
        port: 0,
        host: '127.0.0.1',
        path: RECEIVER_PATH,
        onWebhook: () => undefined,
      });
      onTestFinished(() => receiver.close());
      const prototypesChanged = snapshotPrototypes();
      const statuses = await fuzz(receiver.port, [RECEIVER_PATH, '/']);
      expect((await fetch(`http://127.0.0.1:${receiver.port}/`)).status).toBe(404);
      expect(prototypesChanged()).toEqual([]);
      report('fuzz, raw HTTP at the receiver', { seed: FUZZ_SEED, cases: CASES, statuses });
    },
  );
});
