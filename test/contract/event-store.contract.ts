import { describe, expect, onTestFinished, test } from 'vitest';
import { STORE_ERROR_CODE, StoreError } from '../../src/bridge/store/errors.ts';
import type { GroupCommitStats } from '../../src/bridge/store/group-commit.ts';
import type { EventStore, NewEvent, StoredEvent } from '../../src/bridge/store/store.ts';
import { MIGRATIONS } from '../../src/bridge/migrations/index.ts';

// The behaviour every EventStore keeps, run against SQLite always and PostgreSQL when one is available.
// Each test gets a database of its own from the factory, so tests neither see nor wait for each other.

/** A concrete store: the interface plus its group-commit counters. */
export interface ContractStore extends EventStore {
  stats(): GroupCommitStats;
}

export interface ContractDatabase {
  /** A new, not yet migrated store on this test's database; call again to reopen the same database. */
  open(): ContractStore;
  /** The versions schema_migrations records, read straight from the database. */
  appliedVersions(): Promise<number[]>;
  /** Removes the database. Called after every store the test opened is closed. */
  destroy(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractDatabase>;

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
let sequence = 0;

export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  sequence += 1;
  const subject = overrides.subject ?? 'up-1';
  return {
    provider: 'streampixel',
    subject,
    type: 'build.uploaded',
    dedupeKey: `${subject}|build.uploaded|${sequence}`,
    receivedAt: new Date(T0 + sequence),
    body: JSON.stringify({ event: 'build.uploaded', uploadId: subject, n: sequence }),
    ...overrides,
  };
}

const cursors = (events: StoredEvent[]) => events.map((event) => event.cursor);
const all = { provider: 'streampixel', after: 0, limit: 10_000 };

export function describeEventStoreContract(name: string, factory: ContractFactory): void {
  /** A fresh database; every store opened on it is closed, then the database removed, when the test ends. */
  async function fresh() {
    const database = await factory();
    const opened: ContractStore[] = [];
    onTestFinished(async () => {
      await Promise.allSettled(opened.map((store) => store.close()));
      await database.destroy();
    });
    const open = () => {
      const store = database.open();
      opened.push(store);
      return store;
    };
    const openMigrated = async () => {
      const store = open();
      await store.migrate();
      return store;
    };
    return { database, open, openMigrated };
  }

  describe(`${name} event store contract`, () => {
    test('append returns increasing cursors and read returns the events in cursor order, fields intact', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const events = [
        newEvent(),
        newEvent({ type: 'build.downloading' }),
        // The normalised columns round-trip; a NUL in them (PostgreSQL text cannot hold one) is replaced.
        newEvent({
          type: 'build.rejected',
          phase: 'failure',
          occurredAt: '2025-06-01T11:59:59.123Z',
          scope: 'proj-1',
          status: 'Reject',
          detail: 'bad\u0000pak ✓',
          links: { fileUrl: 'https://builds.example/game.zip' },
        }),
      ];
      const results = [];
      for (const event of events) results.push(await store.append(event));

      expect(results.every((result) => !result.duplicate)).toBe(true);
      const appended = results.map((result) => result.cursor);
      expect(appended[0]).toBeGreaterThan(0);
      expect([...appended].sort((a, b) => a - b)).toEqual(appended);
      expect(new Set(appended).size).toBe(3);

      const read = await store.read({ ...all, subject: 'up-1' });
      expect(read).toEqual(
        events.map((event, index) => ({
          cursor: appended[index],
          provider: event.provider,
          subject: event.subject,
          type: event.type,
          dedupeKey: event.dedupeKey,
          receivedAt: event.receivedAt.toISOString(),
          body: event.body,
          phase: event.phase ?? null,
          occurredAt: event.occurredAt ?? null,
          scope: event.scope ?? null,
          status: event.status ?? null,
          detail: event.detail?.replace('\u0000', '\ufffd') ?? null,
          links: event.links ?? {},
        })),
      );
    });

    test('read returns only events after the cursor, at most limit, of one (provider, subject)', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const mine: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        mine.push((await store.append(newEvent({ subject: 'up-A' }))).cursor);
        await store.append(newEvent({ subject: 'up-B' }));
        await store.append(newEvent({ subject: 'up-A', provider: 'other' }));
      }

      expect(cursors(await store.read({ ...all, subject: 'up-A' }))).toEqual(mine);
      expect(cursors(await store.read({ ...all, subject: 'up-A', after: mine[1]!, limit: 2 }))).toEqual(
        mine.slice(2, 4),
      );
      expect(await store.read({ ...all, subject: 'up-A', after: mine[4]! })).toEqual([]);
      expect(await store.read({ ...all, subject: 'up-A', limit: 0 })).toEqual([]);
      expect(await store.read({ ...all, subject: 'nobody' })).toEqual([]);
      const other = await store.read({ ...all, provider: 'other', subject: 'up-A' });
      expect(other).toHaveLength(5);
      expect(other.every((event) => event.provider === 'other')).toBe(true);
    });

    test('a re-sent event is stored once: the second append is a duplicate with the same cursor', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const event = newEvent();
      const first = await store.append(event);
      const second = await store.append({
        ...event,
        body: '{"resent":true}',
        receivedAt: new Date(T0 + 999_999),
      });

      expect(first).toEqual({ cursor: first.cursor, duplicate: false });
      expect(second).toEqual({ cursor: first.cursor, duplicate: true });
      const read = await store.read({ ...all, subject: event.subject });
      expect(read).toHaveLength(1);
      expect(read[0]?.body).toBe(event.body);
    });

    test('the same event appended concurrently is stored once, and exactly one append is the original', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const event = newEvent();
      const results = await Promise.all([store.append(event), store.append(event), store.append(event)]);

      expect(new Set(results.map((result) => result.cursor)).size).toBe(1);
      expect(results.map((result) => result.duplicate)).toEqual([false, true, true]);
      expect(await store.read({ ...all, subject: event.subject })).toHaveLength(1);
    });

    test('200 concurrent appends commit in a handful of transactions, each durable under its own cursor', async () => {
      const { openMigrated } = await fresh();
      let store = await openMigrated();
      const before = store.stats().batches;
      const events = Array.from({ length: 200 }, () => newEvent({ subject: 'up-burst' }));
      const results = await Promise.all(events.map((event) => store.append(event)));

      expect(new Set(results.map((result) => result.cursor)).size).toBe(200);
      expect(results.every((result) => !result.duplicate)).toBe(true);
      // One transaction per append would be 200: group commit is what keeps acks fast under load.
      const transactions = store.stats().batches - before;
      expect(transactions).toBeGreaterThanOrEqual(1);
      expect(transactions).toBeLessThanOrEqual(3);

      await store.close();
      store = await openMigrated();
      const read = await store.read({ ...all, subject: 'up-burst' });
      expect(new Map(read.map((event) => [event.body, event.cursor]))).toEqual(
        new Map(events.map((event, index) => [event.body, results[index]!.cursor])),
      );
    });

    test('latestCursor is the highest cursor of one subject, 0 when it has none', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      expect(await store.latestCursor('streampixel', 'up-1')).toBe(0);
      await store.append(newEvent({ subject: 'up-1' }));
      const last = await store.append(newEvent({ subject: 'up-1' }));
      await store.append(newEvent({ subject: 'up-2' }));

      expect(await store.latestCursor('streampixel', 'up-1')).toBe(last.cursor);
      expect(await store.latestCursor('other', 'up-1')).toBe(0);
    });

    test('purgeOlderThan deletes what was received before the cutoff, and cursors are never reused', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const cutoff = new Date('2025-05-01T00:00:00.000Z');
      const old = [
        newEvent({ receivedAt: new Date('2025-03-01T00:00:00.000Z') }),
        newEvent({ receivedAt: new Date(cutoff.getTime() - 1) }),
      ];
      const kept = newEvent({ receivedAt: cutoff });
      await store.append(old[0]!);
      const keptCursor = (await store.append(kept)).cursor;
      const newest = await store.append(old[1]!);

      expect(await store.purgeOlderThan(cutoff)).toBe(2);
      expect(cursors(await store.read({ ...all, subject: 'up-1' }))).toEqual([keptCursor]);
      expect(await store.purgeOlderThan(cutoff)).toBe(0);
      // The purged row held the highest cursor: a reader already past it must still see the next event.
      const next = await store.append(newEvent());
      expect(next.cursor).toBeGreaterThan(newest.cursor);
    });

    test('onAppend fires after the commit, when the new row is already readable', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      // Read through another connection: the writer's own would see its uncommitted rows.
      const reader = await openMigrated();
      const event = newEvent({ subject: 'up-watch' });
      const seenByListener = new Promise<StoredEvent[]>((resolve, reject) => {
        store.onAppend((provider, subject) => {
          if (provider === 'streampixel' && subject === 'up-watch') {
            reader.read({ ...all, subject }).then(resolve, reject);
          }
        });
      });

      const { cursor } = await store.append(event);
      expect(cursors(await seenByListener)).toEqual([cursor]);
    });

    test('an unsubscribed listener is no longer called, and a throwing listener does not break appends', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const calls: string[] = [];
      const unsubscribe = store.onAppend((_provider, subject) => calls.push(subject));
      store.onAppend(() => {
        throw new Error('listener bug');
      });
      await store.append(newEvent({ subject: 'up-1' }));
      unsubscribe();
      await store.append(newEvent({ subject: 'up-2' }));

      expect(calls).toContain('up-1');
      expect(calls).not.toContain('up-2');
      expect(await store.read({ ...all, subject: 'up-2' })).toHaveLength(1);
    });

    test('close() waits for pending appends; later appends are refused with a typed error', async () => {
      const { openMigrated } = await fresh();
      let store = await openMigrated();
      const events = Array.from({ length: 50 }, () => newEvent({ subject: 'up-closing' }));
      const pending = events.map((event) => store.append(event));
      await store.close();

      const results = await Promise.all(pending);
      expect(new Set(results.map((result) => result.cursor)).size).toBe(50);
      const refused = await store.append(newEvent()).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(StoreError);
      expect((refused as StoreError).code).toBe(STORE_ERROR_CODE.closed);
      await expect(store.ping()).rejects.toThrow(StoreError);

      store = await openMigrated();
      expect(cursors(await store.read({ ...all, subject: 'up-closing' })).sort((a, b) => a - b)).toEqual(
        results.map((result) => result.cursor).sort((a, b) => a - b),
      );
    });

    test('migrate is idempotent: twice, concurrently from two stores, and on reopening a database', async () => {
      const { database, open, openMigrated } = await fresh();
      const first = open();
      const second = open();
      await Promise.all([first.migrate(), second.migrate()]);
      await first.migrate();
      expect(await database.appliedVersions()).toEqual(MIGRATIONS.map((migration) => migration.version));

      const { cursor } = await first.append(newEvent());
      await first.close();
      await second.close();
      const reopened = await openMigrated();
      expect(await database.appliedVersions()).toEqual(MIGRATIONS.map((migration) => migration.version));
      expect(cursors(await reopened.read({ ...all, subject: 'up-1' }))).toEqual([cursor]);
      await expect(reopened.ping()).resolves.toBeUndefined();
    });

    test('bodies are stored byte for byte: unicode, escapes, whitespace, 64 KiB', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const bodies = [
        '{"objection":"Zeichensatz ä ö ü ß — 漢字 かな 🚀👩‍👩‍👧 \\u00e9 é"}',
        '{"escapes":"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\ud83d\\ude80","sql":"\'); DROP TABLE events; --"}',
        ' {\r\n\t"spacing" :  [ 1 ,2 ] , "dup":1, "dup":2 }\n',
        '\uFEFF{"bom":true}',
        '{"array":"{\\"a\\",\\"b\\"}","braces":"{}","nul-text":"NULL","null":null}',
        `{"big":"${'x'.repeat(64 * 1024 - 12)}"}`,
      ];
      for (const body of bodies) await store.append(newEvent({ subject: 'up-bytes', body }));

      const read = await store.read({ ...all, subject: 'up-bytes' });
      expect(read.map((event) => Buffer.from(event.body, 'utf8'))).toEqual(
        bodies.map((body) => Buffer.from(body, 'utf8')),
      );
    });

    test('an event without a subject (a webhook with a null uploadId) is stored under the empty subject', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const { cursor } = await store.append(newEvent({ subject: '' }));
      expect((await store.read({ ...all, subject: '' })).map((event) => event.cursor)).toEqual([cursor]);
    });

    test('an event no store can hold is refused with a typed error, and its batch neighbours still commit', async () => {
      const { openMigrated } = await fresh();
      const store = await openMigrated();
      const good = [newEvent(), newEvent()];
      const [a, bad, b, empty] = await Promise.allSettled([
        store.append(good[0]!),
        store.append(newEvent({ body: '{"raw":"\u0000"}' })),
        store.append(good[1]!),
        store.append(newEvent({ type: '' })),
      ]);

      expect(a.status).toBe('fulfilled');
      expect(b.status).toBe('fulfilled');
      for (const refused of [bad, empty]) {
        expect(refused?.status).toBe('rejected');
        const reason: unknown = refused?.status === 'rejected' ? refused.reason : undefined;
        expect(reason).toBeInstanceOf(StoreError);
        expect((reason as StoreError).code).toBe(STORE_ERROR_CODE.invalidEvent);
      }
      expect(await store.read({ ...all, subject: 'up-1' })).toHaveLength(2);
    });

    describe('handoffs', () => {
      const REQUEST = { provider: 'streampixel', subject: 'up-1', deadline: T0 + 60_000, notify: null };
      const register = (store: EventStore, id: string, now = T0) =>
        store.handoffs.register({ id, repository: 'acme/game', request: REQUEST, now });

      test('are stored with their request, and an id is registered once', async () => {
        const { openMigrated } = await fresh();
        const store = await openMigrated();
        const stored = await register(store, 'h-1');
        expect(stored).toMatchObject({
          id: 'h-1',
          repository: 'acme/game',
          request: REQUEST,
          state: 'following',
        });
        expect(await store.handoffs.get('h-1')).toEqual(stored);
        expect(await store.handoffs.get('h-2')).toBeNull();
        const again = await register(store, 'h-1').catch((error: unknown) => error);
        expect((again as StoreError).code).toBe(STORE_ERROR_CODE.invalidEvent);
      });

      test('registered with the handoff token, have no repository (null, not text)', async () => {
        const { openMigrated } = await fresh();
        const store = await openMigrated();
        const stored = await store.handoffs.register({
          id: 'h-token',
          repository: null,
          request: REQUEST,
          now: T0,
        });
        expect(stored).toMatchObject({ id: 'h-token', repository: null, state: 'following' });
        expect(await store.handoffs.get('h-token')).toEqual(stored);
        expect((await store.handoffs.claim('replica-a', T0, 60_000, 10))[0]?.repository).toBeNull();
      });

      test('are claimed when due and free, by one owner at a time, until the lease runs out', async () => {
        const { openMigrated } = await fresh();
        const store = await openMigrated();
        await register(store, 'h-1');
        await register(store, 'h-later', T0 + 10_000);
        const first = await store.handoffs.claim('replica-a', T0 + 1, 5_000, 10);
        expect(first.map((h) => [h.id, h.claimedBy, h.claimedUntil])).toEqual([
          ['h-1', 'replica-a', T0 + 5_001],
        ]);
        expect(await store.handoffs.claim('replica-b', T0 + 2, 5_000, 10)).toEqual([]);
        // The lease ran out: another replica takes over; the first can no longer save progress.
        const second = await store.handoffs.claim('replica-b', T0 + 6_000, 5_000, 10);
        expect(second.map((h) => h.id)).toEqual(['h-1']);
        expect(await store.handoffs.update('h-1', 'replica-a', T0 + 6_001, { cursor: 9 })).toBe(false);
        expect(await store.handoffs.update('h-1', 'replica-b', T0 + 6_001, { cursor: 9 })).toBe(true);
        expect((await store.handoffs.claim('replica-c', T0 + 20_000, 5_000, 1)).map((h) => h.id)).toEqual([
          'h-1',
        ]);
      });

      test('keep progress, give up the lease on request, and are never claimed once finished', async () => {
        const { openMigrated, open } = await fresh();
        const store = await openMigrated();
        await register(store, 'h-1');
        await store.handoffs.claim('replica-a', T0, 60_000, 10);
        expect(
          await store.handoffs.update('h-1', 'replica-a', T0 + 5, {
            attempts: 2,
            nextAttemptAt: T0 + 30_000,
            detail: 'GitHub answered 502',
            release: true,
          }),
        ).toBe(true);
        expect(await store.handoffs.claim('replica-b', T0 + 10, 60_000, 10)).toEqual([]);
        const due = await store.handoffs.claim('replica-b', T0 + 30_000, 60_000, 10);
        expect(due[0]).toMatchObject({ attempts: 2, detail: 'GitHub answered 502', claimedBy: 'replica-b' });
        await store.handoffs.update('h-1', 'replica-b', T0 + 30_001, {
          state: 'finished',
          outcome: 'approved',
          release: true,
        });
        await store.close();
        // Durable: a reopened store sees it finished, and never claims it again.
        const reopened = open();
        await reopened.migrate();
        expect(await reopened.handoffs.get('h-1')).toMatchObject({
          state: 'finished',
          outcome: 'approved',
          claimedBy: null,
        });
        expect(await reopened.handoffs.claim('replica-c', T0 + 99_999_999, 60_000, 10)).toEqual([]);
      });

      test('are counted while they follow, not once finished', async () => {
        const { openMigrated } = await fresh();
        const store = await openMigrated();
        expect(await store.handoffs.countOpen()).toBe(0);
        await register(store, 'h-1');
        await register(store, 'h-2');
        expect(await store.handoffs.countOpen()).toBe(2);
        await store.handoffs.claim('replica-a', T0, 60_000, 10);
        await store.handoffs.update('h-1', 'replica-a', T0 + 1, { state: 'finished', outcome: 'approved' });
        expect(await store.handoffs.countOpen()).toBe(1);
      });

      test('two stores claiming at once never both take the same handoff', async () => {
        const { openMigrated } = await fresh();
        const a = await openMigrated();
        const b = await openMigrated();
        for (let i = 0; i < 20; i += 1) await register(a, `h-${i}`);
        const [claimedA, claimedB] = await Promise.all([
          a.handoffs.claim('replica-a', T0 + 1, 60_000, 15),
          b.handoffs.claim('replica-b', T0 + 1, 60_000, 15),
        ]);
        const ids = [...claimedA, ...claimedB].map((h) => h.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(20);
      });
    });
  });
}
