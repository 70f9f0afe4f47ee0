import {
  LifecycleEventStore,
  type StoreBackend,
  type StoreHooks,
} from '../../../src/bridge/store/event-store.ts';
import { MIGRATIONS } from '../../../src/bridge/migrations/index.ts';
import {
  NORMALIZED_COLUMNS,
  normalizedFields,
  normalizedValues,
} from '../../../src/bridge/store/normalized-columns.ts';
import { SubjectSet } from '../../../src/bridge/store/append-listeners.ts';
import type { AppendResult, NewEvent, StoredEvent } from '../../../src/bridge/store/store.ts';
import { STORE_ERROR_CODE, StoreError } from '../../../src/bridge/store/errors.ts';
import {
  HANDOFF_STATE,
  type HandoffStore,
  type StoredHandoff,
} from '../../../src/bridge/store/handoff-store.ts';

// An in-memory store for the HTTP layer's tests: the real stores' lifecycle (validation, group commit,
// listeners, close order) over an array, so test/contract checks it like the others. Knobs make it fail,
// stall or drop notifications, which the real stores only do under conditions a test cannot arrange cheaply.

type Operation = 'append' | 'read' | 'latestCursor' | 'ping' | 'purgeOlderThan';
const ALL_OPERATIONS: readonly Operation[] = ['append', 'read', 'latestCursor', 'ping', 'purgeOlderThan'];

/** What a "database" holds: several stores opened on one share it, as on a file or a server. */
export interface MemoryDatabase {
  readonly events: StoredEvent[];
  readonly handoffs: Map<string, StoredHandoff>;
  readonly byDedupeKey: Map<string, number>;
  lastCursor: number;
  readonly applied: Set<number>;
}

export const createMemoryDatabase = (): MemoryDatabase => ({
  events: [],
  handoffs: new Map(),
  byDedupeKey: new Map(),
  lastCursor: 0,
  applied: new Set(),
});

export class MemoryStore extends LifecycleEventStore {
  readonly #knobs: Knobs;
  #appendCalls = 0;

  constructor(database: MemoryDatabase = createMemoryDatabase()) {
    const knobs: Knobs = {
      failure: null,
      broken: null,
      held: null,
      notifications: true,
      closed: false,
      hooks: null,
    };
    super((hooks) => memoryBackend(database, Object.assign(knobs, { hooks })));
    this.#knobs = knobs;
    this.database = database;
  }

  readonly database: MemoryDatabase;
  get events(): readonly StoredEvent[] {
    return this.database.events;
  }
  get closed(): boolean {
    return this.#knobs.closed;
  }
  /** append() calls so far, stored or not. */
  get appendCalls(): number {
    return this.#appendCalls;
  }
  /** false: appends commit but never notify, like a lost LISTEN/NOTIFY message. */
  get notifications(): boolean {
    return this.#knobs.notifications;
  }
  set notifications(on: boolean) {
    this.#knobs.notifications = on;
  }

  override append(event: NewEvent): Promise<AppendResult> {
    this.#appendCalls += 1;
    return super.append(event);
  }

  /** Every operation in `operations` rejects with `error` until called again with null. */
  failWith(error: Error | null, operations: readonly Operation[] = ALL_OPERATIONS): void {
    this.#knobs.failure = error ? { error, operations: new Set(operations) } : null;
  }

  /** broken() answers `error` from now on: a failure only a restart would cure. */
  breakForGood(error: Error): void {
    this.#knobs.broken = error;
  }

  /** Appends stay pending (not committed, not acknowledged) until the returned function is called. */
  holdAppends(): () => void {
    let release!: () => void;
    this.#knobs.held = new Promise((resolve) => (release = resolve));
    return () => {
      this.#knobs.held = null;
      release();
    };
  }

  /** Calls every listener as a store may after reconnecting: "something changed, somewhere". */
  notifyAll(): void {
    this.#knobs.hooks?.emit('*', '*');
  }
}

export const createMemoryStore = (database?: MemoryDatabase): MemoryStore => new MemoryStore(database);

interface Knobs {
  failure: { error: Error; operations: ReadonlySet<Operation> } | null;
  broken: Error | null;
  held: Promise<void> | null;
  notifications: boolean;
  closed: boolean;
  hooks: StoreHooks | null;
}

function memoryBackend(db: MemoryDatabase, knobs: Knobs): StoreBackend {
  const check = async (operation: Operation) => {
    await Promise.resolve();
    if (knobs.failure?.operations.has(operation)) throw knobs.failure.error;
  };
  const ofSubject = (provider: string, subject: string) =>
    db.events.filter((e) => e.provider === provider && e.subject === subject);

  return {
    async migrate() {
      for (const migration of MIGRATIONS) db.applied.add(migration.version);
    },
    async commit(events) {
      await check('append');
      if (knobs.held) await knobs.held;
      const results: AppendResult[] = [];
      const appended = new SubjectSet();
      for (const event of events) {
        const existing = db.byDedupeKey.get(event.dedupeKey);
        if (existing !== undefined) {
          results.push({ cursor: existing, duplicate: true });
          continue;
        }
        // Gaps are allowed by the contract; leave some so nobody relies on cursor + 1.
        db.lastCursor += 1 + (db.events.length % 3);
        db.events.push({
          cursor: db.lastCursor,
          provider: event.provider,
          subject: event.subject,
          type: event.type,
          dedupeKey: event.dedupeKey,
          receivedAt: event.receivedAt.toISOString(),
          body: event.body,
          // Through the same column encoding the real stores use.
          ...normalizedFields(
            Object.fromEntries(NORMALIZED_COLUMNS.map((column, i) => [column, normalizedValues(event)[i]])),
          ),
        });
        db.byDedupeKey.set(event.dedupeKey, db.lastCursor);
        results.push({ cursor: db.lastCursor, duplicate: false });
        appended.add(event.provider, event.subject);
      }
      return { results, appended: knobs.notifications ? appended : [] };
    },
    async read(query) {
      await check('read');
      return ofSubject(query.provider, query.subject)
        .filter((e) => e.cursor > query.after)
        .slice(0, query.limit)
        .map((e) => ({ ...e }));
    },
    async latestCursor(provider, subject) {
      await check('latestCursor');
      return ofSubject(provider, subject).at(-1)?.cursor ?? 0;
    },
    async purgeOlderThan(cutoff) {
      await check('purgeOlderThan');
      const keep = db.events.filter((e) => Date.parse(e.receivedAt) >= cutoff.getTime());
      const purged = db.events.length - keep.length;
      db.events.splice(0, db.events.length, ...keep);
      for (const [key, cursor] of db.byDedupeKey)
        if (!keep.some((e) => e.cursor === cursor)) db.byDedupeKey.delete(key);
      return purged;
    },
    broken: () => knobs.broken,
    async ping() {
      await check('ping');
    },
    async close() {
      knobs.closed = true;
    },
    handoffs: memoryHandoffs(db),
  };
}

/** The handoffs of the contract, over a Map (copies out, so a caller cannot change the "rows"). */
function memoryHandoffs(db: MemoryDatabase): HandoffStore {
  const copy = (handoff: StoredHandoff | undefined): StoredHandoff | null =>
    handoff ? { ...handoff } : null;
  return {
    async register({ id, repository, request, now }) {
      if (db.handoffs.has(id))
        throw new StoreError(STORE_ERROR_CODE.invalidEvent, `a handoff ${id} is already registered`);
      const handoff: StoredHandoff = {
        id,
        repository,
        request: JSON.parse(JSON.stringify(request)) as unknown,
        state: HANDOFF_STATE.following,
        outcome: null,
        detail: null,
        cursor: 0,
        attempts: 0,
        nextAttemptAt: now,
        claimedBy: null,
        claimedUntil: null,
        createdAt: now,
        updatedAt: now,
      };
      db.handoffs.set(id, handoff);
      return { ...handoff };
    },
    get: async (id) => copy(db.handoffs.get(id)),
    async claim(owner, now, leaseMs, limit) {
      const due = [...db.handoffs.values()]
        .filter((h) => h.state === HANDOFF_STATE.following && h.nextAttemptAt <= now)
        .filter((h) => h.claimedUntil === null || h.claimedUntil < now)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
        .slice(0, limit);
      for (const handoff of due) Object.assign(handoff, { claimedBy: owner, claimedUntil: now + leaseMs });
      return due.map((handoff) => ({ ...handoff }));
    },
    async update(id, owner, now, patch) {
      const handoff = db.handoffs.get(id);
      if (!handoff || handoff.claimedBy !== owner) return false;
      const { release, ...fields } = patch;
      Object.assign(
        handoff,
        fields,
        { updatedAt: now },
        release ? { claimedBy: null, claimedUntil: null } : {},
      );
      return true;
    },
    countOpen: async () =>
      [...db.handoffs.values()].filter((handoff) => handoff.state === HANDOFF_STATE.following).length,
  };
}
