import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createPostgresStore } from '../../src/bridge/store/postgres.ts';
import { createSqliteStore } from '../../src/bridge/store/sqlite.ts';
import type { EventStore } from '../../src/bridge/store/store.ts';
import { adminUrl, createTestDatabase } from '../contract/postgres-database.ts';

// DESIGN §4: "an acknowledged event survives kill -9". A child process appends from 16 concurrent writers
// and prints each event's key the moment its append resolves (stdout to a pipe is synchronous on Linux, so
// a printed line means the ack happened first). The test kills it with SIGKILL mid-stream, reopens the
// database and checks every printed ack is there under the cursor it was given.
// (Power loss cannot be simulated here; synchronous=FULL / synchronous_commit=on cover it by design.)

const WRITER = `
const { kind, target, moduleUrl } = JSON.parse(process.env.DURABILITY_CHILD);
const store = kind === 'sqlite'
  ? (await import(moduleUrl)).createSqliteStore({ path: target })
  : (await import(moduleUrl)).createPostgresStore({ connectionString: target });
await store.migrate();
process.stdout.write('ready\\n');
let next = 0;
async function writer() {
  for (;;) {
    const key = 'k-' + next++;
    const body = JSON.stringify({ key, note: 'durability ✓' });
    const { cursor } = await store.append({
      provider: 'streampixel', subject: 'durability', type: 'build.uploaded',
      dedupeKey: key, receivedAt: new Date(), body,
    });
    process.stdout.write(key + ' ' + cursor + '\\n');
  }
}
for (let i = 0; i < 16; i += 1) void writer();
`;

/** Runs the writer until it has acknowledged `acks` events, kills it with SIGKILL, returns key → cursor. */
async function killMidStream(kind: 'sqlite' | 'postgres', target: string, acks: number) {
  const moduleUrl = new URL(`../../src/bridge/store/${kind}.ts`, import.meta.url).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
    env: { ...process.env, DURABILITY_CHILD: JSON.stringify({ kind, target, moduleUrl }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  onTestFinished(() => void child.kill('SIGKILL'));
  const acknowledged = new Map<string, number>();
  for await (const line of createInterface({ input: child.stdout })) {
    const [key, cursor] = line.split(' ');
    if (key && cursor) acknowledged.set(key, Number(cursor));
    if (acknowledged.size >= acks && child.exitCode === null) child.kill('SIGKILL');
  }
  const [code, signal] = await exited;
  expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
  return acknowledged;
}

async function expectAllPresent(store: EventStore, acknowledged: Map<string, number>) {
  await store.migrate();
  const stored = await store.read({
    provider: 'streampixel',
    subject: 'durability',
    after: 0,
    limit: 1_000_000,
  });
  const byKey = new Map(
    stored.map((event) => [(JSON.parse(event.body) as { key: string }).key, event.cursor]),
  );
  const lost = [...acknowledged].filter(([key, cursor]) => byKey.get(key) !== cursor);
  expect(lost).toEqual([]);
  expect(acknowledged.size).toBeGreaterThanOrEqual(500);
}

describe('store durability across kill -9', () => {
  test('SQLite: every acknowledged append is in the file after the writer is killed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bridge-durability-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, 'events.db');

    const acknowledged = await killMidStream('sqlite', path, 500);
    const store = createSqliteStore({ path });
    onTestFinished(() => store.close());
    await expectAllPresent(store, acknowledged);
  });

  test.skipIf(!adminUrl)(
    'PostgreSQL: every acknowledged append is in the database after the writer is killed (needs TEST_POSTGRES_URL)',
    async () => {
      const database = await createTestDatabase();
      onTestFinished(() => database.drop());

      const acknowledged = await killMidStream('postgres', database.url, 500);
      const store = createPostgresStore({ connectionString: database.url });
      onTestFinished(() => store.close());
      await expectAllPresent(store, acknowledged);
    },
  );
});
