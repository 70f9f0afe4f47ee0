// Release bridge benchmarks. Durable ingest against DESIGN §6's yardstick: at 1, 16 and 64 concurrent
// senders, the same load generator measures a no-op node:http server (noop-server.ts), then (SQLite) the
// least a server acknowledging after the sync can do (durable-floor-server.ts), then the bridge's ingest for
// an unsigned and two signed providers, level by level in the same run, and prints each rate as a ratio of
// the no-op's, with each server's CPU per webhook (steadier than a rate on shared cores). Then
// event-to-waiter latency for a long-poll and an SSE reader. The bridge and the no-op server each run as
// their own process (the bridge is the built bundle, info logs off); the load comes from this process on
// the same 2-core machine.
//
// Knobs for performance work (all optional): BENCH_SECONDS per cell (5), BENCH_LEVELS (1,16,64),
// BENCH_PROVIDERS (streampixel,buildpixel,pixop), BENCH_SKIP_WAITERS, BENCH_SKIP_POSTGRES,
// BENCH_BRIDGE_ENTRY (another bundle, or src/bridge/index.ts for readable profiles) and
// BENCH_BRIDGE_NODE_OPTIONS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof) for the bridge process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool, request } from 'undici';
import { freePort } from '../free-port.ts';
import { startBridgeProcess, type BridgeProcess } from '../bridge-process.ts';
import {
  BENCH_PROVIDER_ENV,
  benchRequest,
  benchRequests,
  PROVIDER_LABEL,
  type BenchProvider,
} from './bench-webhooks.ts';
import { runLevel, type LevelResult } from './load.ts';
import { withCpuPerRequest } from './process-cpu.ts';
import { benchPostgresUrl, createBenchDatabase } from './postgres.ts';
import { ms, percentile } from './stats.ts';

const INGEST = 'bench-ingest-token-0123456789';
const READ = 'bench-read-token-0123456789';
const hookPath = (provider: BenchProvider) => `/hooks/${provider}/${INGEST}`;
const SECONDS_PER_LEVEL = Number(process.env.BENCH_SECONDS ?? 5);
const LEVELS = (process.env.BENCH_LEVELS?.split(',') ?? ['1', '16', '64']).map(Number);
const PROVIDERS = (process.env.BENCH_PROVIDERS?.split(',') ?? [
  'streampixel',
  'buildpixel',
  'pixop',
]) as BenchProvider[];
/** Webhooks prepared per level: above what any target reached here, so none is sent twice. */
const budget = (senders: number) => Math.ceil((senders === 1 ? 6_000 : 15_000) * SECONDS_PER_LEVEL);
const WARM_UP_SECONDS = 1;

/** A level's result with the measured server's CPU per request (process-cpu.ts). */
type MeasuredLevel = LevelResult & { cpuPerRequest: number };

const rate = (result: LevelResult) => `${Math.round(result.rate).toLocaleString('en')} /s`;
const FLOOR_LABEL = 'durable floor (SQLite, no bridge code)';
const ratio = (result: LevelResult, noop: LevelResult) => `${(result.rate / noop.rate).toFixed(2)}×`;

async function post(pool: Pool, provider: BenchProvider, subject: string): Promise<void> {
  const { body, headers } = benchRequest(provider, subject);
  const response = await pool.request({ method: 'POST', path: hookPath(provider), headers, body });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`ingest answered ${response.statusCode}`);
}

async function longPollLatency(url: string, rounds: number): Promise<number[]> {
  const pool = new Pool(url, { connections: 2 });
  const latencies: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const subject = `lp-${i}-${Date.now()}`;
    let arrived = 0;
    const waiting = request(`${url}/v1/events?provider=streampixel&subject=${subject}&after=0&wait=30`, {
      headers: { authorization: `Bearer ${READ}` },
    }).then(async (response) => {
      await response.body.json();
      arrived = performance.now();
    });
    await delay(15); // let the long-poll reach the bridge and park
    const t0 = performance.now();
    await post(pool, 'streampixel', subject);
    await waiting;
    latencies.push(arrived - t0);
  }
  await pool.close();
  return latencies;
}

async function sseLatency(url: string, rounds: number): Promise<number[]> {
  const pool = new Pool(url, { connections: 1 });
  const subject = `sse-${Date.now()}`;
  const stream = await request(`${url}/v1/events/stream?provider=streampixel&subject=${subject}&after=0`, {
    headers: { authorization: `Bearer ${READ}` },
  });
  const frames = stream.body.setEncoding('utf8')[Symbol.asyncIterator]();
  const latencies: number[] = [];
  let buffer = '';
  for (let i = 0; i < rounds; i += 1) {
    const t0 = performance.now();
    await post(pool, 'streampixel', subject);
    // Read until one complete `data:` frame arrives.
    while (!/(^|\n)data: .*\n\n/.test(buffer)) buffer += (await frames.next()).value as string;
    latencies.push(performance.now() - t0);
    buffer = ''; // one event per round: nothing of the next round can be in it yet
  }
  stream.body.destroy();
  await pool.close();
  return latencies;
}

/** Every process serves a short burst first, so none is measured while its JIT is still cold. */
async function warmUp(servers: readonly BridgeProcess[]): Promise<void> {
  for (const provider of PROVIDERS) {
    const requests = benchRequests(provider, 20_000, 'warm-up');
    for (const server of servers)
      await runLevel(server.url, hookPath(provider), requests, 16, WARM_UP_SECONDS);
  }
}

/**
 * Streampixel webhooks to a yardstick server (the no-op or the durable floor) at one level. Neither
 * deduplicates, so a webhook sent twice costs it the same as a new one: no "sent twice" note.
 */
const yardstick = async (server: BridgeProcess, senders: number, name: string): Promise<MeasuredLevel> => ({
  ...(await withCpuPerRequest(server, () =>
    runLevel(
      server.url,
      hookPath('streampixel'),
      benchRequests('streampixel', budget(senders), `${name}-${senders}`),
      senders,
      SECONDS_PER_LEVEL,
    ),
  )),
  reused: 0,
});

/**
 * Per level: the no-op server, the durable floor when given, then the bridge for each provider, each on
 * fresh webhooks.
 */
async function ingestVersusNoop(
  noop: BridgeProcess,
  floor: BridgeProcess | undefined,
  bridge: BridgeProcess,
  lines: string[],
): Promise<void> {
  const rows: string[] = [];
  const summary: string[] = [];
  for (const senders of LEVELS) {
    const noopResult = await yardstick(noop, senders, 'noop');
    const cells = [`| ${senders} | ${rate(noopResult)}`];
    rows.push(row('no-op node:http', noopResult, noopResult));
    if (floor) {
      const floorResult = await yardstick(floor, senders, 'floor');
      rows.push(row(FLOOR_LABEL, floorResult, noopResult));
      cells.push(`${rate(floorResult)} (${ratio(floorResult, noopResult)})`);
    }
    for (const provider of PROVIDERS) {
      const requests = benchRequests(provider, budget(senders), `bench-${provider}-${senders}`);
      const result = await withCpuPerRequest(bridge, () =>
        runLevel(bridge.url, hookPath(provider), requests, senders, SECONDS_PER_LEVEL),
      );
      rows.push(row(PROVIDER_LABEL[provider], result, noopResult));
      cells.push(
        `${rate(result)} (**${ratio(result, noopResult)}**, p99 ${ms(percentile(result.latencies, 99))})`,
      );
    }
    summary.push(`${cells.join(' | ')} |`);
  }
  lines.push(
    `| senders | no-op node:http | ${floor ? `${FLOOR_LABEL} | ` : ''}${PROVIDERS.map((p) => `bridge: ${PROVIDER_LABEL[p]}`).join(' | ')} |`,
    `| --- | --- | ${floor ? '--- | ' : ''}${PROVIDERS.map(() => '---').join(' | ')} |`,
    ...summary,
    '',
    '| target | senders | webhooks/s | × no-op | p50 ack | p99 ack | server CPU per webhook | requests |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  );
}

function row(label: string, result: MeasuredLevel, noop: LevelResult): string {
  const reused = result.reused > 0 ? ` (${result.reused.toLocaleString('en')} sent twice)` : '';
  return `| ${label} | ${result.senders} | ${rate(result)} | ${ratio(result, noop)} | ${ms(percentile(result.latencies, 50))} | ${ms(percentile(result.latencies, 99))} | ${Math.round(result.cpuPerRequest)} µs | ${result.latencies.length.toLocaleString('en')}${reused} |`;
}

async function benchDatabase(
  label: string,
  database: string,
  yardsticks: { noop: BridgeProcess; floor?: BridgeProcess },
  lines: string[],
) {
  const { noop, floor } = yardsticks;
  // BENCH_BRIDGE_ENTRY=src/bridge/index.ts runs the source instead of the bundle: readable CPU profiles.
  const entry = process.env.BENCH_BRIDGE_ENTRY ? resolve(process.env.BENCH_BRIDGE_ENTRY) : undefined;
  const bridge = await startBridgeProcess(
    {
      BRIDGE_PORT: String(await freePort()),
      BRIDGE_HOST: '127.0.0.1',
      BRIDGE_DATABASE: database,
      BRIDGE_INGEST_TOKEN: INGEST,
      BRIDGE_READ_TOKEN: READ,
      BRIDGE_LOG_LEVEL: 'warn',
      ...BENCH_PROVIDER_ENV,
      ...(process.env.BENCH_BRIDGE_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_BRIDGE_NODE_OPTIONS }
        : {}),
    },
    entry,
  );
  try {
    lines.push(
      `#### ${label}`,
      '',
      `Durable ingest beside a no-op \`node:http\` server, ${SECONDS_PER_LEVEL} s per cell:`,
      '',
    );
    await warmUp([noop, ...(floor ? [floor] : []), bridge]);
    await ingestVersusNoop(noop, floor, bridge, lines);
    if (process.env.BENCH_SKIP_WAITERS) return;
    const poll = await longPollLatency(bridge.url, 200);
    const sse = await sseLatency(bridge.url, 200);
    lines.push(
      '| event to waiter (webhook POST sent → reader has it, 200 events) | p50 | p99 |',
      '| --- | --- | --- |',
      `| long-poll \`GET /v1/events\` | ${ms(percentile(poll, 50))} | ${ms(percentile(poll, 99))} |`,
      `| SSE \`GET /v1/events/stream\` | ${ms(percentile(sse, 50))} | ${ms(percentile(sse, 99))} |`,
      '',
    );
  } finally {
    const code = await bridge.stop();
    if (code !== 0) lines.push(`(the bridge exited with ${code}:\n${bridge.log()})`, '');
  }
}

export async function benchBridge(): Promise<string[]> {
  const lines: string[] = [];
  const noop = await startBridgeProcess(
    { BRIDGE_PORT: String(await freePort()), BRIDGE_HOST: '127.0.0.1' },
    new URL('./noop-server.ts', import.meta.url).pathname,
  );
  try {
    const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
    // Measured beside the SQLite bridge only: it is SQLite's durable commit without the bridge around it.
    const floor = await startBridgeProcess(
      {
        BRIDGE_PORT: String(await freePort()),
        BRIDGE_HOST: '127.0.0.1',
        BRIDGE_DATABASE: join(dir, 'floor.db'),
      },
      new URL('./durable-floor-server.ts', import.meta.url).pathname,
    );
    try {
      await benchDatabase(
        'Bridge over HTTP: SQLite (embedded file, WAL, synchronous=FULL)',
        join(dir, 'bench.db'),
        { noop, floor },
        lines,
      );
    } finally {
      await floor.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    if (benchPostgresUrl && !process.env.BENCH_SKIP_POSTGRES) {
      const database = await createBenchDatabase(benchPostgresUrl);
      try {
        await benchDatabase(
          'Bridge over HTTP: PostgreSQL (loopback, one bridge process)',
          database.url,
          { noop },
          lines,
        );
      } finally {
        await database.drop();
      }
    } else {
      lines.push('PostgreSQL: skipped (set BENCH_POSTGRES_URL or TEST_POSTGRES_URL).', '');
    }
  } finally {
    await noop.stop();
  }
  return lines;
}

if (import.meta.main) for (const line of await benchBridge()) console.log(line);
