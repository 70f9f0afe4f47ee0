// How long this disk takes to make a write durable, which bounds a lone sender's ack: 3,000 fdatasyncs of a
// 4 KiB append, then 3,000 one-row SQLite transactions with the bridge's settings (WAL, synchronous=FULL),
// in a temp folder like the bench's database. `node scripts/bench/fsync.ts`
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ms, percentile } from './stats.ts';

const ROUNDS = 3_000;

function timed(run: () => void): number[] {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    run();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

const line = (label: string, latencies: number[]) => {
  const mean = latencies.reduce((sum, latency) => sum + latency, 0) / latencies.length;
  return `| ${label} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 90))} | ${ms(percentile(latencies, 99))} | ${ms(mean)} |`;
};

export function benchFsync(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fsync-'));
  try {
    const fd = openSync(join(dir, 'append'), 'w');
    const page = Buffer.alloc(4096, 1);
    const syncs = timed(() => {
      writeSync(fd, page);
      fdatasyncSync(fd);
    });
    closeSync(fd);

    const db = new DatabaseSync(join(dir, 'events.db'));
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('CREATE TABLE events (key TEXT PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO events (key, body) VALUES (?, ?)');
    const body = 'x'.repeat(300);
    let key = 0;
    const commits = timed(() => {
      db.exec('BEGIN IMMEDIATE');
      insert.run(`k-${(key += 1)}`, body);
      db.exec('COMMIT');
    });
    db.close();
    return [
      `| durable write (${ROUNDS.toLocaleString('en')} each) | p50 | p90 | p99 | mean |`,
      '| --- | --- | --- | --- | --- |',
      line('`fdatasync` of a 4 KiB append', syncs),
      line('one-row SQLite transaction (WAL, synchronous=FULL)', commits),
      '',
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) for (const output of benchFsync()) console.log(output);
