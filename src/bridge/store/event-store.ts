// The one lifecycle every store shares (issue 7: "one store lifecycle, SQL per backend"): validation before
// an event joins a batch, the closed check, group commit, the append listeners and the close order. A
// backend supplies only what differs: its SQL and its connections.

import { messageOf } from '../../lib/error-message.ts';
import { silentLogger, type Logger } from '../../lib/logger.ts';
import { AppendListeners } from './append-listeners.ts';
import { storeClosed } from './errors.ts';
import { GroupCommitQueue, type GroupCommitStats } from './group-commit.ts';
import type { HandoffStore } from './handoff-store.ts';
import type { AppendListener, AppendResult, EventStore, NewEvent, ReadQuery, StoredEvent } from './store.ts';
import { validateNewEvent, validateReadQuery } from './validate.ts';

/** What a backend's batch commit reports: one result per event, and the subjects that gained a row. */
export interface CommittedBatch {
  results: AppendResult[];
  appended: Iterable<readonly [string, string]>;
}

/** The SQL and connections of one database; the lifecycle calls it only while the store is open. */
export interface StoreBackend {
  migrate(): Promise<void>;
  /** Writes the batch in one transaction; resolves only once it is durable. */
  commit(events: readonly NewEvent[]): Promise<CommittedBatch>;
  read(query: ReadQuery): Promise<StoredEvent[]>;
  latestCursor(provider: string, subject: string): Promise<number>;
  /** `stillOpen` throws once the store is closing, so a long purge stops between its chunks. */
  purgeOlderThan(cutoff: Date, stillOpen: () => void): Promise<number>;
  ping(): Promise<void>;
  /** See EventStore.broken; absent: never broken for good. */
  broken?(): Error | null;
  handoffs: HandoffStore;
  /** The first subscriber arrived: a backend that hears other processes (LISTEN) starts now. */
  startListening?(): void;
  /** After every pending append has settled. */
  close(): Promise<void>;
}

/** Given to a backend as it is built, for appends it hears of from elsewhere (other processes). */
export interface StoreHooks {
  emit(provider: string, subject: string): void;
}

export interface EventStoreOptions {
  /** The most events one transaction commits (default 256). */
  maxBatch?: number;
  logger?: Logger;
}

const DEFAULT_MAX_BATCH = 256;

export class LifecycleEventStore implements EventStore {
  readonly #backend: StoreBackend;
  readonly #queue: GroupCommitQueue<NewEvent, AppendResult>;
  readonly #listeners: AppendListeners;
  #closing: Promise<void> | undefined;
  /** The backend's handoffs, refused once the store is closing like every other call. */
  readonly handoffs: HandoffStore;

  constructor(build: (hooks: StoreHooks) => StoreBackend, options: EventStoreOptions = {}) {
    const logger = options.logger ?? silentLogger;
    this.#listeners = new AppendListeners((error) =>
      logger.error(`event store: an onAppend listener threw: ${messageOf(error)}`),
    );
    this.#backend = build({ emit: (provider, subject) => this.#listeners.emit(provider, subject) });
    const backendHandoffs = this.#backend.handoffs;
    const open =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A) => {
        this.#assertOpen();
        return call(...args);
      };
    this.handoffs = {
      register: open(backendHandoffs.register.bind(backendHandoffs)),
      get: open(backendHandoffs.get.bind(backendHandoffs)),
      claim: open(backendHandoffs.claim.bind(backendHandoffs)),
      update: open(backendHandoffs.update.bind(backendHandoffs)),
      countOpen: open(backendHandoffs.countOpen.bind(backendHandoffs)),
    };
    this.#queue = new GroupCommitQueue({
      maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
      commit: async (events) => {
        const batch = await this.#backend.commit(events);
        // Right after the commit, in this process: the fastest wake-up, whatever else the backend does.
        this.#listeners.emitAll(batch.appended);
        return batch.results;
      },
    });
  }

  async migrate(): Promise<void> {
    this.#assertOpen();
    await this.#backend.migrate();
  }

  append(event: NewEvent): Promise<AppendResult> {
    if (this.#closing) return Promise.reject(storeClosed());
    try {
      // Checked before the event joins a batch: one bad event cannot fail the transaction it would share.
      validateNewEvent(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.push(event);
  }

  async read(query: ReadQuery): Promise<StoredEvent[]> {
    this.#assertOpen();
    validateReadQuery(query);
    if (query.limit === 0) return [];
    return this.#backend.read(query);
  }

  async latestCursor(provider: string, subject: string): Promise<number> {
    this.#assertOpen();
    return this.#backend.latestCursor(provider, subject);
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    this.#assertOpen();
    return this.#backend.purgeOlderThan(cutoff, () => this.#assertOpen());
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    await this.#backend.ping();
  }
  broken(): Error | null {
    return this.#backend.broken?.() ?? null;
  }

  onAppend(listener: AppendListener): () => void {
    if (!this.#closing) this.#backend.startListening?.();
    return this.#listeners.add(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#queue.drain().then(() => this.#backend.close());
    return this.#closing;
  }

  /** Group-commit counters, for tests and metrics. */
  stats(): GroupCommitStats {
    return this.#queue.stats();
  }

  #assertOpen(): void {
    if (this.#closing) throw storeClosed();
  }
}
