import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { STORE_ERROR_CODE, StoreError } from '../../src/bridge/store/errors.ts';
import { createSqliteStore, type SqliteStoreOptions } from '../../src/bridge/store/sqlite.ts';
import { newEvent } from '../contract/event-store.contract.ts';

// The SQLite store writes on a thread of its own (sqlite-writer.ts) and reads on the main thread. What
// that split must not change: a read after an append resolved sees it, a batch in flight at close() is
// committed and acknowledged, a duplicate key inside one batch is stored once, and a writer thread that
// dies acknowledges nothing it did not commit and leaves the store visibly unusable instead of hanging.

const all = { provider: 'streampixel', after: 0, limit: 10_000 };

async function tempPath(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'bridge-writer-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true }));
  return join(directory, 'events.db');
}

async function openStore(options: SqliteStoreOptions) {
  const store = createSqliteStore(options);
  onTestFinished(() => store.close());
  await store.migrate();
  return store;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('every append is readable on the main thread the moment it resolves, under 16 concurrent appenders', async () => {
  const store = await openStore({ path: await tempPath() });
  const misses: string[] = [];
  await Promise.all(
    Array.from({ length: 16 }, async (_, writer) => {
      const subject = `up-${writer}`;
      for (let n = 0; n < 25; n += 1) {
        const event = newEvent({ subject });
        const { cursor } = await store.append(event);
        const read = await store.read({ ...all, subject, after: cursor - 1, limit: 1 });
        if (read[0]?.dedupeKey !== event.dedupeKey) misses.push(`${event.dedupeKey}: read ${read.length}`);
        if ((await store.latestCursor('streampixel', subject)) !== cursor) misses.push(`${subject} latest`);
      }
    }),
  );
  expect(misses).toEqual([]);
  expect(store.stats().largestBatch).toBeGreaterThan(1);
});

test('a key twice in one batch is stored once, under the first event, and both get its cursor', async () => {
  const store = await openStore({ path: await tempPath() });
  const first = newEvent({ subject: 'up-dupe' });
  const neighbour = newEvent({ subject: 'up-dupe' });
  const again = { ...first, body: '{"resent":true}' };
  const before = store.stats().batches;
  const results = await Promise.all([store.append(first), store.append(neighbour), store.append(again)]);

  expect(store.stats().batches - before).toBe(1);
  expect(results.map((result) => result.duplicate)).toEqual([false, false, true]);
  expect(results[2]?.cursor).toBe(results[0]?.cursor);
  const stored = await store.read({ ...all, subject: 'up-dupe' });
  expect(stored.map((event) => event.body)).toEqual([first.body, neighbour.body]);
});

test('close() while a batch is being committed acknowledges it and the batch queued behind it', async () => {
  const path = await tempPath();
  const store = createSqliteStore({ path });
  await store.migrate();
  const inFlight = [newEvent({ subject: 'up-close' }), newEvent({ subject: 'up-close' })];
  const acks = inFlight.map((event) => store.append(event));
  // The queue's flush was scheduled first, so it has sent the batch to the writer by now; its reply can only
  // arrive in a later poll phase, so the batch is still in flight here.
  await nextTurn();
  const queued = newEvent({ subject: 'up-close' });
  acks.push(store.append(queued));
  const closed = store.close();
  const refused = await store.append(newEvent()).catch((error: unknown) => error);
  await closed;

  const results = await Promise.all(acks);
  expect(new Set(results.map((result) => result.cursor)).size).toBe(3);
  expect(store.stats()).toMatchObject({ batches: 2, committed: 3 });
  expect((refused as StoreError).code).toBe(STORE_ERROR_CODE.closed);

  const reopened = await openStore({ path });
  const stored = await reopened.read({ ...all, subject: 'up-close' });
  expect(stored.map((event) => event.cursor)).toEqual(results.map((result) => result.cursor));
});

test('a writer thread that dies mid-batch fails that batch and every later write, and the store stops being ready', async () => {
  const path = await tempPath();
  const logger = createMemoryLogger();
  const store = await openStore({
    path,
    logger,
    writerEntry: new URL('./support/sqlite-writer-dies.ts', import.meta.url),
  });
  const committed = await store.append(newEvent({ subject: 'up-crash' }));
  await expect(store.ping()).resolves.toBeUndefined();
  expect(store.broken()).toBeNull();

  // The second batch: the thread exits after its inserts, before COMMIT.
  const doomed = [1, 2, 3].map(() => newEvent({ subject: 'up-crash' }));
  const outcomes = await Promise.allSettled(doomed.map((event) => store.append(event)));
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('rejected');
    const reason: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
    expect(reason).toBeInstanceOf(StoreError);
    expect((reason as StoreError).code).toBe(STORE_ERROR_CODE.writeFailed);
  }
  expect(store.stats().committed).toBe(1);
  // Unusable, and says so at once rather than waiting for a thread that is gone.
  await expect(store.ping()).rejects.toThrow(/writer thread stopped \(exit code 70\)/);
  // Broken for good, not just unreachable: liveness fails too, so the bridge gets restarted.
  expect(store.broken()?.message).toMatch(/writer thread stopped/);
  await expect(store.append(newEvent({ subject: 'up-crash' }))).rejects.toThrow(StoreError);
  await expect(
    store.handoffs.register({ id: 'h-1', repository: 'acme/game', request: {}, now: 0 }),
  ).rejects.toThrow(StoreError);
  expect(logger.lines.filter((line) => line.startsWith('error:'))).toHaveLength(1);
  await store.close();

  // What was acknowledged is there; the batch that never committed is not.
  const reopened = await openStore({ path });
  const stored = await reopened.read({ ...all, subject: 'up-crash' });
  expect(stored.map((event) => event.cursor)).toEqual([committed.cursor]);
});

test('a file that cannot be opened is reported by migrate(), with the reason', async () => {
  const path = join(await tempPath(), 'missing-directory', 'events.db');
  const store = createSqliteStore({ path });
  onTestFinished(() => store.close());
  const error = await store.migrate().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(STORE_ERROR_CODE.openFailed);
});

/**
 * Runs `script` as an ES module in a child Node (with `nodeFlags` before it) with `path` and the store's
 * module; its exit and stdout.
 */
async function runChild(script: string, path: string, nodeFlags: string[] = []) {
  const moduleUrl = new URL('../../src/bridge/store/sqlite.ts', import.meta.url).href;
  const child = spawn(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], {
    env: { ...process.env, STORE_CHILD: JSON.stringify({ path, moduleUrl }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const OPEN_AND_APPEND = `
const { path, moduleUrl } = JSON.parse(process.env.STORE_CHILD);
const store = (await import(moduleUrl)).createSqliteStore({ path });
await store.migrate();
await store.append({ provider: 'streampixel', subject: 'child', type: 'build.uploaded', dedupeKey: 'k-1',
  receivedAt: new Date(), body: '{}' });
`;

test('a script awaiting close() sees it resolve: the thread keeps the process alive until it has ended', async () => {
  const path = await tempPath();
  const { code, output } = await runChild(
    `${OPEN_AND_APPEND} await store.close(); console.log('closed');`,
    path,
  );
  expect({ code, output }).toEqual({ code: 0, output: 'closed\n' });
  const reopened = await openStore({ path });
  expect(await reopened.read({ ...all, subject: 'child' })).toHaveLength(1);
});

test('an open, idle store does not keep the process alive (a DatabaseSync did not either)', async () => {
  const { code, output } = await runChild(`${OPEN_AND_APPEND} console.log('appended');`, await tempPath());
  expect({ code, output }).toEqual({ code: 0, output: 'appended\n' });
});

test('a process started with V8 or process-wide flags still starts its writer thread, with its other flags', async () => {
  // Node refuses these in a thread's execArgv (they already apply to the whole process), so passing the
  // process's flags on unfiltered made `node --max-old-space-size=512 dist/bridge/index.js` fail to start.
  // `--title` is written as two words: its value goes with it, or it would end the thread's flags early.
  const profiles = await mkdtemp(join(tmpdir(), 'bridge-writer-profiles-'));
  onTestFinished(() => rm(profiles, { recursive: true, force: true }));
  // In this order Node names only --title at first, and --max-old-space-size once --title is gone.
  const flags = [
    '--title',
    'bridge-writer-test',
    '--max-old-space-size=256',
    '--cpu-prof',
    `--cpu-prof-dir=${profiles}`,
  ];
  const { code, output } = await runChild(
    `${OPEN_AND_APPEND} await store.close(); console.log('closed');`,
    await tempPath(),
    flags,
  );
  expect({ code, output }).toEqual({ code: 0, output: 'closed\n' });
  // The flags after the refused ones still reached the thread: it wrote a CPU profile of its own.
  const written = (await readdir(profiles)).filter((name) => name.endsWith('.cpuprofile'));
  expect(written).toHaveLength(2);
});
