// A store on a database server that may be down when the bridge starts (DESIGN §4: the bridge starts while
// PostgreSQL is down, /readyz answers 503 until it connects). The bridge listens at once; this wrapper keeps
// trying to connect and migrate, with backoff, and until that succeeds every call fails with `unavailable`,
// which the routes answer 503. After that it is the store itself: later outages surface as the store's own
// errors, and the pool reconnects on the next query, so no restart is ever needed.

import { systemClock } from '../../lib/clock.ts';
import { messageOf } from '../../lib/error-message.ts';
import type { Logger } from '../../lib/logger.ts';
import { STORE_ERROR_CODE, StoreError, storeClosed } from './errors.ts';
import type { HandoffStore } from './handoff-store.ts';
import type { AppendListener, AppendResult, EventStore, NewEvent, ReadQuery, StoredEvent } from './store.ts';

export interface ConnectBackoff {
  /** Delay after the first failed attempt, ms; doubles after each failure. */
  initialMs: number;
  maxMs: number;
}

export interface ConnectingStoreOptions {
  logger: Logger;
  /** Default: 250 ms doubling to 10 s. */
  backoff?: ConnectBackoff;
}

const DEFAULT_BACKOFF: ConnectBackoff = { initialMs: 250, maxMs: 10_000 };

export class ConnectingEventStore implements EventStore {
  readonly #store: EventStore;
  readonly #stop = new AbortController();
  readonly #connected: Promise<void>;
  #ready = false;

  constructor(store: EventStore, options: ConnectingStoreOptions) {
    this.#store = store;
    this.#connected = this.#connectLoop(options.logger, options.backoff ?? DEFAULT_BACKOFF);
    // Nobody may await it (a bridge closed before the database came up): keep the rejection handled.
    this.#connected.catch(() => undefined);
  }

  /** True once the database was reached and migrated. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Resolves once connected and migrated; rejects if the store is closed first. */
  migrate(): Promise<void> {
    return this.#connected;
  }

  append(event: NewEvent): Promise<AppendResult> {
    return this.#ready ? this.#store.append(event) : Promise.reject(notConnected());
  }

  read(query: ReadQuery): Promise<StoredEvent[]> {
    return this.#ready ? this.#store.read(query) : Promise.reject(notConnected());
  }

  latestCursor(provider: string, subject: string): Promise<number> {
    return this.#ready ? this.#store.latestCursor(provider, subject) : Promise.reject(notConnected());
  }

  purgeOlderThan(cutoff: Date): Promise<number> {
    return this.#ready ? this.#store.purgeOlderThan(cutoff) : Promise.reject(notConnected());
  }

  /** The store's handoffs once connected; until then every call fails like the others. */
  readonly handoffs: HandoffStore = {
    register: (handoff) =>
      this.#ready ? this.#store.handoffs.register(handoff) : Promise.reject(notConnected()),
    get: (id) => (this.#ready ? this.#store.handoffs.get(id) : Promise.reject(notConnected())),
    claim: (...args) => (this.#ready ? this.#store.handoffs.claim(...args) : Promise.reject(notConnected())),
    update: (...args) =>
      this.#ready ? this.#store.handoffs.update(...args) : Promise.reject(notConnected()),
    countOpen: () => (this.#ready ? this.#store.handoffs.countOpen() : Promise.reject(notConnected())),
  };

  broken(): Error | null {
    return this.#ready ? this.#store.broken() : null;
  }

  ping(): Promise<void> {
    return this.#ready ? this.#store.ping() : Promise.reject(notConnected());
  }

  // Subscribed at once: the PostgreSQL store's LISTEN connection retries on its own, and wakes every reader
  // when it is in place.
  onAppend(listener: AppendListener): () => void {
    return this.#store.onAppend(listener);
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#connected.catch(() => undefined);
    await this.#store.close();
  }

  async #connectLoop(logger: Logger, backoff: ConnectBackoff): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      if (this.#stop.signal.aborted) throw storeClosed();
      try {
        await this.#store.migrate();
        this.#ready = true;
        logger.info(`event store: connected and migrated (attempt ${attempt})`);
        return;
      } catch (error) {
        if (this.#stop.signal.aborted) throw storeClosed();
        const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
        // Jitter, so a fleet of bridges does not hammer a database that is coming back up in lockstep.
        const wait = Math.round(delay / 2 + Math.random() * (delay / 2));
        logger.warn(
          `event store: cannot reach or migrate the database (attempt ${attempt}): ${messageOf(error)}; ` +
            `retrying in ${wait} ms`,
        );
        await systemClock.sleep(wait, this.#stop.signal);
      }
    }
  }
}

/** Wraps a store whose migrate() may fail for a while; see the file comment. */
export function createConnectingStore(
  store: EventStore,
  options: ConnectingStoreOptions,
): ConnectingEventStore {
  return new ConnectingEventStore(store, options);
}

const notConnected = (): StoreError =>
  new StoreError(STORE_ERROR_CODE.unavailable, 'the event store has not connected to its database yet');
