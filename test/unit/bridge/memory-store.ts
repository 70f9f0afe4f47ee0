import {
  NORMALIZED_COLUMNS,
  normalizedFields,
  normalizedValues,
} from '../../../src/bridge/store/normalized-columns.ts';
import { validateNewEvent } from '../../../src/bridge/store/validate.ts';
import type {
  AppendListener,
  AppendResult,
  EventStore,
  NewEvent,
  ReadQuery,
  StoredEvent,
} from '../../../src/bridge/store/store.ts';

// An in-memory EventStore for the HTTP layer's tests: dedupe, monotonically increasing cursors, listeners
// called after the "commit". Knobs make it fail, stall or drop notifications, which the real stores only
// do under conditions a test cannot arrange cheaply.

type Operation = 'append' | 'read' | 'latestCursor' | 'ping' | 'purgeOlderThan';

export interface MemoryStore extends EventStore {
  readonly events: readonly StoredEvent[];
  readonly closed: boolean;
  /** append() calls so far, stored or not. */
  readonly appendCalls: number;
  /** Every operation in `operations` rejects with `error` until called again with null. */
  failWith(error: Error | null, operations?: readonly Operation[]): void;
  /** Appends stay pending (not committed, not acknowledged) until the returned function is called. */
  holdAppends(): () => void;
  /** false: appends commit but never notify, like a lost LISTEN/NOTIFY message. */
  notifications: boolean;
  /** Calls every listener as a store may after reconnecting: "something changed, somewhere". */
  notifyAll(): void;
}

// The real stores' own rule for what can be stored.
const validate = validateNewEvent;

export function createMemoryStore(): MemoryStore {
  const events: StoredEvent[] = [];
  const byDedupeKey = new Map<string, number>();
  const listeners = new Set<AppendListener>();
  let failure: { error: Error; operations: ReadonlySet<Operation> } | null = null;
  let held: Promise<void> | null = null;
  let closed = false;
  let lastCursor = 0;
  let appendCalls = 0;

  const check = async (operation: Operation) => {
    await Promise.resolve();
    if (closed) throw new Error('the store is closed');
    if (failure?.operations.has(operation)) throw failure.error;
  };
  const notify = (provider: string, subject: string) => {
    for (const listener of listeners) listener(provider, subject);
  };

  const store: MemoryStore = {
    notifications: true,
    get events() {
      return events;
    },
    get closed() {
      return closed;
    },
    get appendCalls() {
      return appendCalls;
    },
    failWith(error, operations = ['append', 'read', 'latestCursor', 'ping', 'purgeOlderThan']) {
      failure = error ? { error, operations: new Set(operations) } : null;
    },
    holdAppends() {
      let release!: () => void;
      held = new Promise((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
    notifyAll: () => notify('*', '*'),
    async migrate() {},
    async append(event: NewEvent): Promise<AppendResult> {
      appendCalls += 1;
      validate(event);
      await check('append');
      if (held) await held;
      const existing = byDedupeKey.get(event.dedupeKey);
      if (existing !== undefined) return { cursor: existing, duplicate: true };
      // Gaps are allowed by the contract; leave some so nobody relies on cursor + 1.
      lastCursor += 1 + (events.length % 3);
      events.push({
        cursor: lastCursor,
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
      byDedupeKey.set(event.dedupeKey, lastCursor);
      // Listeners run after the commit, once the caller could already read the row.
      if (store.notifications) queueMicrotask(() => notify(event.provider, event.subject));
      return { cursor: lastCursor, duplicate: false };
    },
    async read(query: ReadQuery) {
      await check('read');
      return events
        .filter((e) => e.provider === query.provider && e.subject === query.subject && e.cursor > query.after)
        .slice(0, query.limit)
        .map((e) => ({ ...e }));
    },
    async latestCursor(provider, subject) {
      await check('latestCursor');
      return events.filter((e) => e.provider === provider && e.subject === subject).at(-1)?.cursor ?? 0;
    },
    async purgeOlderThan(cutoff) {
      await check('purgeOlderThan');
      const keep = events.filter((e) => Date.parse(e.receivedAt) >= cutoff.getTime());
      const purged = events.length - keep.length;
      events.splice(0, events.length, ...keep);
      return purged;
    },
    async ping() {
      await check('ping');
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      if (held) await held;
      closed = true;
      listeners.clear();
    },
  };
  return store;
}
