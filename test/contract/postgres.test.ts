import { Client } from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import { APPEND_LOCK_KEY } from '../../src/bridge/store/postgres-locks.ts';
import { LISTEN_APPLICATION_NAME } from '../../src/bridge/store/postgres-listener.ts';
import { createPostgresStore, type PostgresEventStore } from '../../src/bridge/store/postgres.ts';
import { WILDCARD, type EventStore, type StoredEvent } from '../../src/bridge/store/store.ts';
import { describeEventStoreContract, newEvent } from './event-store.contract.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from './postgres-database.ts';

// Runs when TEST_POSTGRES_URL names a server we may create databases on (CI sets it; see .ci/run).

const openStore = (database: TestDatabase, options: { maxBatch?: number } = {}): PostgresEventStore =>
  createPostgresStore({
    connectionString: database.url,
    poolSize: 4,
    listenBackoff: { initialMs: 20, maxMs: 200 },
    ...options,
  });

if (!adminUrl) {
  describe.skip('PostgreSQL event store: skipped because TEST_POSTGRES_URL is not set', () => {
    test('contract', () => undefined);
  });
} else {
  describeEventStoreContract('PostgreSQL', async () => {
    const database = await createTestDatabase();
    return {
      open: () => openStore(database),
      appliedVersions: async () =>
        (
          await database.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
        ).map((row) => row.version),
      destroy: () => database.drop(),
    };
  });

  describe('PostgreSQL: several bridge processes on one database', () => {
    /** A fresh database and a way to open migrated stores on it (each one its own pool, like a process). */
    async function fresh() {
      const database = await createTestDatabase();
      const opened: EventStore[] = [];
      const clients: Client[] = [];
      onTestFinished(async () => {
        await Promise.allSettled([...opened.map((store) => store.close()), ...clients.map((c) => c.end())]);
        await database.drop();
      });
      const process = async (options: { maxBatch?: number } = {}) => {
        const store = openStore(database, options);
        opened.push(store);
        await store.migrate();
        return store;
      };
      const rawClient = async () => {
        const client = new Client({ connectionString: database.url });
        clients.push(client);
        await client.connect();
        return client;
      };
      return { database, process, rawClient };
    }

    test('an append through one process wakes onAppend listeners of another', async () => {
      const { process } = await fresh();
      const writer = await process();
      const watcher = await process();
      await nextCall(watcher, (provider) => provider === WILDCARD); // LISTEN is in place

      const woken = nextCall(
        watcher,
        (provider, subject) => provider === 'streampixel' && subject === 'up-x',
      );
      const { cursor } = await writer.append(newEvent({ subject: 'up-x' }));
      await woken;
      expect(
        cursors(await watcher.read({ provider: 'streampixel', subject: 'up-x', after: 0, limit: 10 })),
      ).toEqual([cursor]);
    });

    test('a dropped LISTEN connection reconnects and wakes every reader, then notifications flow again', async () => {
      const { database, process } = await fresh();
      const writer = await process();
      const watcher = await process();
      await nextCall(watcher, (provider) => provider === WILDCARD);

      const rewoken = nextCall(watcher, (provider, subject) => provider === WILDCARD && subject === WILDCARD);
      const terminated = await database.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
        [database.name, LISTEN_APPLICATION_NAME],
      );
      expect(terminated).toHaveLength(1);
      await rewoken;

      const woken = nextCall(watcher, (_provider, subject) => subject === 'up-after');
      await writer.append(newEvent({ subject: 'up-after' }));
      await woken;
    });

    test('an append waits while an earlier transaction holding a lower cursor is open, so readers never skip it', async () => {
      const { database, process, rawClient } = await fresh();
      const [writerA, writerB, reader] = [await process(), await process(), await process()];
      const subject = 'up-order';
      const readAll = () => reader.read({ provider: 'streampixel', subject, after: 0, limit: 100 });

      // A slow bridge process, by hand: it takes the append lock as every insert transaction does, draws a
      // cursor, and keeps its transaction open.
      const slow = await rawClient();
      await slow.query('BEGIN');
      await slow.query(`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
      const inserted = await slow.query<{ cursor: string }>(
        `INSERT INTO events (provider, subject, type, dedupe_key, received_at, body)
         VALUES ('streampixel', $1, 'build.uploaded', 'slow-1', now(), '{}') RETURNING cursor`,
        [subject],
      );
      const early = Number(inserted.rows[0]?.cursor);

      // Two more processes append. Had they drawn cursors now, they would commit first and a reader would
      // see early+1 while `early` is still invisible: it would move past `early` and never read it.
      const later = [writerA.append(newEvent({ subject })), writerB.append(newEvent({ subject }))];
      const committedEarly = Promise.race(later).then(() => {
        throw new Error('an append committed while a lower cursor was still uncommitted');
      });
      await Promise.race([waitForLockWaiters(database, 2), committedEarly]);

      expect(await readAll()).toEqual([]);
      expect(await reader.latestCursor('streampixel', subject)).toBe(0);

      await slow.query('COMMIT');
      const results = await Promise.all(later);
      expect(results.every((result) => result.cursor > early)).toBe(true);
      const read = cursors(await readAll());
      expect(read).toEqual([early, ...results.map((result) => result.cursor).sort((a, b) => a - b)]);
    });

    test('a reader following two busy processes sees every event exactly once, in cursor order', async () => {
      const { process } = await fresh();
      // Small batches: many transactions from both pools interleave.
      const writers = [await process({ maxBatch: 4 }), await process({ maxBatch: 4 })];
      const reader = await process();
      const subject = 'up-race';
      const perWriter = 300;

      let writing = true;
      const writes = Promise.all(
        writers.flatMap((writer) =>
          Array.from({ length: perWriter }, () => writer.append(newEvent({ subject }))),
        ),
      ).finally(() => {
        writing = false;
      });

      const seen: number[] = [];
      for (let after = 0; ;) {
        const stillWriting = writing;
        const batch = await reader.read({ provider: 'streampixel', subject, after, limit: 50 });
        seen.push(...cursors(batch));
        after = batch.at(-1)?.cursor ?? after;
        if (!stillWriting && batch.length === 0) break;
      }
      await writes;

      expect(seen).toHaveLength(2 * perWriter);
      expect(seen).toEqual(
        cursors(await reader.read({ provider: 'streampixel', subject, after: 0, limit: 10_000 })),
      );
    });

    test('the same event sent to two processes at once is stored once', async () => {
      const { process } = await fresh();
      const [a, b] = [await process(), await process()];
      const event = newEvent({ subject: 'up-twice' });
      const results = await Promise.all([a.append(event), b.append(event)]);

      expect(results[0]?.cursor).toBe(results[1]?.cursor);
      expect(results.filter((result) => result.duplicate)).toHaveLength(1);
      expect(
        await a.read({ provider: 'streampixel', subject: 'up-twice', after: 0, limit: 10 }),
      ).toHaveLength(1);
    });
  });
}

function cursors(events: StoredEvent[]): number[] {
  return events.map((event) => event.cursor);
}

/** Resolves at the first onAppend call that `match` accepts. */
function nextCall(store: EventStore, match: (provider: string, subject: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = store.onAppend((provider, subject) => {
      if (!match(provider, subject)) return;
      unsubscribe();
      resolve();
    });
  });
}

/**
 * Resolves once `count` sessions wait for an advisory lock in `database`. Polling pg_locks is the only
 * signal PostgreSQL gives for "blocked on a lock"; the test timeout bounds it.
 */
async function waitForLockWaiters(database: TestDatabase, count: number): Promise<void> {
  for (;;) {
    const rows = await database.query<{ waiting: string }>(
      `SELECT count(*) AS waiting FROM pg_locks
       WHERE locktype = 'advisory' AND NOT granted
         AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
      [database.name],
    );
    if (Number(rows[0]?.waiting) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
