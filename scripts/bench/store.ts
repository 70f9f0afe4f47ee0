// Durable-append throughput and ack latency of the event stores alone (no HTTP), at 1, 16 and 64 concurrent
// appenders, each level on a fresh store. Complements bridge.ts, which measures the same through HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ms, percentile } from './stats.ts';
import { benchPostgresUrl, createBenchDatabase } from './postgres.ts';
import type { GroupCommitStats } from '../../src/bridge/store/group-commit.ts';
import { createPostgresStore } from '../../src/bridge/store/postgres.ts';
import { createSqliteStore } from '../../src/bridge/store/sqlite.ts';
import type { EventStore } from '../../src/bridge/store/store.ts';

type BenchStore = EventStore & { stats(): GroupCommitStats };

interface Target {
  name: string;
  /** A fresh, migrated store, and how to clean up after it. */
  open(): Promise<{ store: BenchStore; dispose(): Promise<void> }>;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const levels = [1, 16, 64];

const sqlite: Target = {
  name: 'sqlite',
  async open() {
    const directory = await mkdtemp(join(tmpdir(), 'bridge-bench-'));
    const store = createSqliteStore({ path: join(directory, 'events.db') });
    await store.migrate();
    return {
      store,
      dispose: async () => {
        await store.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
};

const postgres = (adminUrl: string): Target => ({
  name: 'postgres',
  async open() {
    const database = await createBenchDatabase(adminUrl);
    const store = createPostgresStore({ connectionString: database.url });
    await store.migrate();
    return {
      store,
      dispose: async () => {
        await store.close();
        await database.drop();
      },
    };
  },
});

let sequence = 0;
function webhook() {
  sequence += 1;
  const uploadId = `up-${sequence % 100}`;
  const timestamp = new Date().toISOString();
  const body = JSON.stringify({
    event: 'build.downloading',
    projectId: 'proj-bench',
    uploadId,
    fileUrl: 'https://builds.example.com/game-1.2.3.zip',
    status: 'Downloading Files',
    objection: null,
    timestamp,
    seq: sequence,
  });
  return {
    provider: 'streampixel',
    subject: uploadId,
    type: 'build.downloading',
    dedupeKey: `${uploadId}|build.downloading|${timestamp}|${sequence}`,
    receivedAt: new Date(),
    body,
  };
}

async function runLevel(store: BenchStore, concurrency: number): Promise<string> {
  const latencies: number[] = [];
  const before = store.stats();
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await store.append(webhook());
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const after = store.stats();
  const perTransaction = (after.committed - before.committed) / Math.max(1, after.batches - before.batches);
  const rate = Math.round(latencies.length / elapsed).toLocaleString('en');
  return `| ${concurrency} | ${rate} /s | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${perTransaction.toFixed(1)} |`;
}

export async function benchStores(): Promise<string[]> {
  const lines: string[] = [];
  for (const target of [sqlite, ...(benchPostgresUrl ? [postgres(benchPostgresUrl)] : [])]) {
    lines.push(
      `#### Store alone: ${target.name} (${seconds} s per level, fresh store each)`,
      '',
      '| appenders | durable appends/s | p50 ack | p99 ack | events per transaction |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const concurrency of levels) {
      const { store, dispose } = await target.open();
      try {
        lines.push(await runLevel(store, concurrency));
      } finally {
        await dispose();
      }
    }
    lines.push('');
  }
  return lines;
}

if (import.meta.main) for (const line of await benchStores()) console.log(line);
