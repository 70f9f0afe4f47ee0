// Durable-append throughput and ack latency of the event stores, at several concurrency levels.
//
//   node scripts/bench-store.ts                      # SQLite only (a temp file)
//   BENCH_POSTGRES_URL=postgres://… node scripts/bench-store.ts   # also PostgreSQL (a temp database)
//   BENCH_SECONDS=5 BENCH_CONCURRENCY=1,16,64,256 BENCH_STORES=postgres node scripts/bench-store.ts
//
// Each level runs N appenders in a loop for BENCH_SECONDS against a fresh store; an append's latency is from
// the call to its resolution (the durable ack). This measures the store alone, not HTTP.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { GroupCommitStats } from '../src/bridge/store/group-commit.ts';
import { createPostgresStore } from '../src/bridge/store/postgres.ts';
import { createSqliteStore } from '../src/bridge/store/sqlite.ts';
import type { EventStore } from '../src/bridge/store/store.ts';

type BenchStore = EventStore & { stats(): GroupCommitStats };

interface Target {
  name: string;
  /** A fresh, migrated store, and how to clean up after it. */
  open(): Promise<{ store: BenchStore; dispose(): Promise<void> }>;
}

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const levels = (process.env['BENCH_CONCURRENCY'] ?? '1,16,64').split(',').map(Number);
const postgresUrl = process.env['BENCH_POSTGRES_URL'];

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
    const name = `bridge_bench_${randomBytes(6).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const store = createPostgresStore({ connectionString: url.toString() });
    await store.migrate();
    return {
      store,
      dispose: async () => {
        await store.close();
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
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

async function runLevel(store: BenchStore, concurrency: number) {
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
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const after = store.stats();
  const batches = after.batches - before.batches;
  return {
    concurrency,
    'appends/s': Math.round(latencies.length / elapsed),
    'p50 ms': Number(at(0.5).toFixed(2)),
    'p99 ms': Number(at(0.99).toFixed(2)),
    'max ms': Number((latencies.at(-1) ?? 0).toFixed(2)),
    'events/txn': Number(((after.committed - before.committed) / Math.max(1, batches)).toFixed(1)),
  };
}

const only = process.env['BENCH_STORES']?.split(',');
const targets = [sqlite, ...(postgresUrl ? [postgres(postgresUrl)] : [])].filter(
  (target) => !only || only.includes(target.name),
);
for (const target of targets) {
  const rows = [];
  for (const concurrency of levels) {
    const { store, dispose } = await target.open();
    try {
      rows.push(await runLevel(store, concurrency));
    } finally {
      await dispose();
    }
  }
  console.log(`\n${target.name} (${seconds}s per level)`);
  console.table(rows);
}
