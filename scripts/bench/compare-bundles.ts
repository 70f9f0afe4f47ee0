// A/B of two bridge bundles in one run, for performance work on a shared, noisy machine: the no-op server,
// bundle A and bundle B take turns at each level, ROUNDS times, so drift hits all three alike. Prints each
// turn's rate as a ratio of the no-op's measured just before it.
// `node scripts/bench/compare-bundles.ts <a/index.js> <b/index.js>` (BENCH_SECONDS, BENCH_LEVELS,
// BENCH_PROVIDERS, BENCH_ROUNDS as in bridge.ts). BENCH_PROBE=1 also sends `GET /healthz`, one at a time,
// beside each bridge's load and prints its p99: how long the event loop leaves other requests waiting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../free-port.ts';
import { startBridgeProcess, type BridgeProcess } from '../bridge-process.ts';
import { BENCH_PROVIDER_ENV, benchRequests, type BenchProvider } from './bench-webhooks.ts';
import { runLevel } from './load.ts';
import { withCpuPerRequest } from './process-cpu.ts';
import { ms, percentile } from './stats.ts';
import { Pool } from 'undici';

const INGEST = 'bench-ingest-token-0123456789';
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const levels = (process.env.BENCH_LEVELS?.split(',') ?? ['1', '16', '64']).map(Number);
const providers = (process.env.BENCH_PROVIDERS?.split(',') ?? ['streampixel']) as BenchProvider[];
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const probe = Boolean(process.env.BENCH_PROBE);
const [bundleA, bundleB] = process.argv.slice(2).map((path) => resolve(path));
if (!bundleA || !bundleB) throw new Error('usage: compare-bundles.ts <bundle A> <bundle B>');

/** Round trips of GET /healthz, one after another, until `done` settles. */
async function probeHealth(url: string, done: Promise<unknown>): Promise<number[]> {
  const pool = new Pool(url, { connections: 1 });
  const latencies: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const t0 = performance.now();
    const response = await pool.request({ method: 'GET', path: '/healthz' });
    await response.body.dump();
    latencies.push(performance.now() - t0);
  }
  await pool.close();
  return latencies;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-compare-'));
const start = async (entry: string, name: string): Promise<BridgeProcess> =>
  startBridgeProcess(
    {
      BRIDGE_PORT: String(await freePort()),
      BRIDGE_HOST: '127.0.0.1',
      BRIDGE_DATABASE: join(dir, `${name}.db`),
      BRIDGE_INGEST_TOKEN: INGEST,
      BRIDGE_READ_TOKEN: 'bench-read-token-0123456789',
      BRIDGE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      ...BENCH_PROVIDER_ENV,
      // For profiles and counters of both bridges, e.g. --cpu-prof.
      ...(process.env.BENCH_BRIDGE_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_BRIDGE_NODE_OPTIONS }
        : {}),
    },
    entry,
  );
const noop = await start(new URL('./noop-server.ts', import.meta.url).pathname, 'noop');
const targets = { A: await start(bundleA, 'a'), B: await start(bundleB, 'b') };
try {
  for (const provider of providers) {
    const path = `/hooks/${provider}/${INGEST}`;
    for (const bridge of Object.values(targets))
      await runLevel(bridge.url, path, benchRequests(provider, 20_000, 'warm'), 16, 1);
    for (const senders of levels) {
      const count = Math.ceil((senders === 1 ? 6_000 : 15_000) * seconds);
      for (let round = 1; round <= rounds; round += 1) {
        const cells: string[] = [];
        const base = await runLevel(
          noop.url,
          path,
          benchRequests(provider, count, `n${round}`),
          senders,
          seconds,
        );
        for (const [name, bridge] of Object.entries(targets)) {
          const requests = benchRequests(provider, count, `${name}${round}`);
          const running = withCpuPerRequest(bridge, () =>
            runLevel(bridge.url, path, requests, senders, seconds),
          );
          const health = probe ? probeHealth(bridge.url, running) : undefined;
          const result = await running;
          const healthz = health ? ` healthz p99 ${ms(percentile(await health, 99))}` : '';
          cells.push(
            `${name} ${Math.round(result.rate)}/s ${(result.rate / base.rate).toFixed(2)}× p99 ${ms(percentile(result.latencies, 99))} ${Math.round(result.cpuPerRequest)} µs CPU/req${healthz}`,
          );
        }
        console.log(
          `${provider} ${senders} senders, round ${round}: no-op ${Math.round(base.rate)}/s | ${cells.join(' | ')}`,
        );
      }
    }
  }
} finally {
  for (const process of [noop, targets.A, targets.B]) await process.stop();
  rmSync(dir, { recursive: true, force: true });
}
