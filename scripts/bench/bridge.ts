// Release bridge benchmarks: durable ingest throughput and ack latency at 1, 16 and 64 concurrent senders,
// and event-to-waiter latency for a long-poll and an SSE reader. The bridge runs as its own process (the
// built bundle, with info logs off); the load comes from this process on the same 2-core machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool, request } from 'undici';
import { freePort } from '../free-port.ts';
import { startBridgeProcess, type BridgeProcess } from '../bridge-process.ts';
import { benchPostgresUrl, createBenchDatabase } from './postgres.ts';
import { ms, percentile } from './stats.ts';

const INGEST = 'bench-ingest-token-0123456789';
const READ = 'bench-read-token-0123456789';
const HOOK = `/hooks/streampixel/${INGEST}`;
const SECONDS_PER_LEVEL = Number(process.env.BENCH_SECONDS ?? 5);

let sequence = 0;
function envelope(subject: string, event = 'build.downloading'): string {
  sequence += 1;
  return JSON.stringify({
    event,
    projectId: 'bench-project',
    uploadId: subject,
    fileUrl: 'https://builds.example.com/game.zip',
    status: 'Downloading Files',
    objection: null,
    timestamp: new Date(Date.UTC(2026, 0, 1) + sequence).toISOString(),
  });
}

async function post(pool: Pool, body: string): Promise<void> {
  const response = await pool.request({
    method: 'POST',
    path: HOOK,
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`ingest answered ${response.statusCode}`);
}

async function ingestLevel(url: string, senders: number): Promise<string> {
  const pool = new Pool(url, { connections: senders });
  const latencies: number[] = [];
  const end = performance.now() + SECONDS_PER_LEVEL * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async (_, sender) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await post(pool, envelope(`bench-${senders}-${sender}`));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  const rate = Math.round(latencies.length / elapsed);
  return `| ${senders} | ${rate.toLocaleString('en')} /s | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${latencies.length.toLocaleString('en')} |`;
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
    await post(pool, envelope(subject));
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
    await post(pool, envelope(subject));
    // Read until one complete `data:` frame arrives.
    while (!/(^|\n)data: .*\n\n/.test(buffer)) buffer += (await frames.next()).value as string;
    latencies.push(performance.now() - t0);
    buffer = ''; // one event per round: nothing of the next round can be in it yet
  }
  stream.body.destroy();
  await pool.close();
  return latencies;
}

async function benchDatabase(label: string, database: string, lines: string[]): Promise<void> {
  const bridge: BridgeProcess = await startBridgeProcess({
    BRIDGE_PORT: String(await freePort()),
    BRIDGE_HOST: '127.0.0.1',
    BRIDGE_DATABASE: database,
    BRIDGE_INGEST_TOKEN: INGEST,
    BRIDGE_READ_TOKEN: READ,
    BRIDGE_LOG_LEVEL: 'warn',
  });
  try {
    lines.push(
      `#### ${label}`,
      '',
      '| senders | durable webhooks/s | p50 ack | p99 ack | requests |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const senders of [1, 16, 64]) lines.push(await ingestLevel(bridge.url, senders));
    const poll = await longPollLatency(bridge.url, 200);
    const sse = await sseLatency(bridge.url, 200);
    lines.push(
      '',
      '| event to waiter (webhook POST sent → reader has it, 200 events) | p50 | p99 |',
      '| --- | --- | --- |',
      `| long-poll \`GET /v1/events\` | ${ms(percentile(poll, 50))} | ${ms(percentile(poll, 99))} |`,
      `| SSE \`GET /v1/events/stream\` | ${ms(percentile(sse, 50))} | ${ms(percentile(sse, 99))} |`,
      '',
    );
  } finally {
    await bridge.stop();
  }
}

export async function benchBridge(): Promise<string[]> {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
  try {
    await benchDatabase(
      'Bridge over HTTP: SQLite (embedded file, WAL, synchronous=FULL)',
      join(dir, 'bench.db'),
      lines,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (benchPostgresUrl) {
    const database = await createBenchDatabase(benchPostgresUrl);
    try {
      await benchDatabase('Bridge over HTTP: PostgreSQL (loopback, one bridge process)', database.url, lines);
    } finally {
      await database.drop();
    }
  } else {
    lines.push('PostgreSQL: skipped (set BENCH_POSTGRES_URL or TEST_POSTGRES_URL).', '');
  }
  return lines;
}

if (import.meta.main) for (const line of await benchBridge()) console.log(line);
