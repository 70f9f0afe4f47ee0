// The shared store: several bridge processes (replicas behind a load balancer) on one PostgreSQL database.
// Appends go through group commit (postgres-append.ts, which also explains the cursor-order lock); reads
// use the pool; wake-ups cross processes through LISTEN/NOTIFY (postgres-listener.ts).

import { NORMALIZED_COLUMNS, normalizedFields } from './normalized-columns.ts';
import { Pool } from 'pg';
import { silentLogger, type Logger } from '../../lib/logger.ts';
import { AppendListeners } from './append-listeners.ts';
import { messageOf } from '../../lib/error-message.ts';
import { STORE_ERROR_CODE, StoreError, storeClosed } from './errors.ts';
import { GroupCommitQueue, type GroupCommitStats } from './group-commit.ts';
import { appendBatch, type AppendedBatch } from './postgres-append.ts';
import { checkOut, type CheckedOutClient } from './postgres-checkout.ts';
import { decodeNotification, NOTIFY_CHANNEL } from './postgres-channel.ts';
import { NotificationListener, type ListenBackoff } from './postgres-listener.ts';
import { migratePostgres } from './postgres-migrate.ts';
import {
  WILDCARD,
  type AppendListener,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type ReadQuery,
  type StoredEvent,
} from './store.ts';
import { validateNewEvent, validateReadQuery } from './validate.ts';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /** Pooled connections for appends and reads (default 10); LISTEN holds one more of its own. */
  poolSize?: number;
  /** The most events one transaction commits (default 256). */
  maxBatch?: number;
  /** How long to wait for a free connection before an operation fails, ms (default 10000). */
  connectionTimeoutMs?: number;
  /** Reconnect delays of the LISTEN connection (default 100 ms doubling to 5 s). */
  listenBackoff?: ListenBackoff;
  logger?: Logger;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_MAX_BATCH = 256;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_LISTEN_BACKOFF: ListenBackoff = { initialMs: 100, maxMs: 5_000 };
const LISTEN_HEARTBEAT_MS = 15_000;

const READ = {
  name: 'bridge_read',
  text: `SELECT cursor, provider, subject, type, dedupe_key, received_at, body, ${NORMALIZED_COLUMNS.join(', ')} FROM events
         WHERE provider = $1 AND subject = $2 AND cursor > $3
         ORDER BY cursor LIMIT $4`,
};
const LATEST = {
  name: 'bridge_latest_cursor',
  text: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = $1 AND subject = $2',
};
const PURGE = { name: 'bridge_purge', text: 'DELETE FROM events WHERE received_at < $1' };

interface EventRow extends Record<string, unknown> {
  // int8 arrives as a string (it may exceed 2^53 in general; cursors never will).
  cursor: string;
  provider: string;
  subject: string;
  type: string;
  dedupe_key: string;
  received_at: Date;
  body: string;
}

export class PostgresEventStore implements EventStore {
  readonly #pool: Pool;
  readonly #queue: GroupCommitQueue<NewEvent, AppendResult>;
  readonly #listeners: AppendListeners;
  readonly #listener: NotificationListener;
  #closing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    const logger = options.logger ?? silentLogger;
    this.#pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      application_name: 'release-bridge',
      keepAlive: true,
      // Statements are prepared once per connection, but planned on every run with the real parameters and
      // the table's current size. A generic plan cached while the table was nearly empty (a fresh install)
      // would keep scanning the whole table after it has grown, until autoanalyze happens to invalidate it.
      options: '-c plan_cache_mode=force_custom_plan',
    });
    // An idle pooled connection that drops emits 'error' on the pool; unhandled, it would crash the process.
    this.#pool.on('error', (error) => logger.warn(`event store: idle connection error: ${messageOf(error)}`));
    this.#queue = new GroupCommitQueue({
      maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
      commit: (events) => this.#commit(events),
    });
    this.#listeners = new AppendListeners((error) =>
      logger.error(`event store: an onAppend listener threw: ${messageOf(error)}`),
    );
    this.#listener = new NotificationListener({
      connectionString: options.connectionString,
      channel: NOTIFY_CHANNEL,
      onNotification: (payload) => {
        const [provider, subject] = decodeNotification(payload);
        this.#listeners.emit(provider, subject);
      },
      // Notifications sent while LISTEN was down are gone: every reader re-queries.
      onListening: () => this.#listeners.emit(WILDCARD, WILDCARD),
      logger,
      backoff: options.listenBackoff ?? DEFAULT_LISTEN_BACKOFF,
      heartbeatMs: LISTEN_HEARTBEAT_MS,
    });
  }

  async migrate(): Promise<void> {
    this.#assertOpen();
    await migratePostgres(this.#pool);
  }

  append(event: NewEvent): Promise<AppendResult> {
    if (this.#closing) return Promise.reject(storeClosed());
    try {
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
    const { rows } = await this.#pool.query<EventRow>({
      ...READ,
      values: [query.provider, query.subject, query.after, query.limit],
    });
    return rows.map((row) => ({
      cursor: Number(row.cursor),
      provider: row.provider,
      subject: row.subject,
      type: row.type,
      dedupeKey: row.dedupe_key,
      receivedAt: row.received_at.toISOString(),
      body: row.body,
      ...normalizedFields(row),
    }));
  }

  async latestCursor(provider: string, subject: string): Promise<number> {
    this.#assertOpen();
    const { rows } = await this.#pool.query<{ cursor: string }>({ ...LATEST, values: [provider, subject] });
    return Number(rows[0]?.cursor ?? 0);
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    this.#assertOpen();
    // One statement: PostgreSQL deletes never block inserts, so there is nothing to gain from chunking.
    const result = await this.#pool.query({ ...PURGE, values: [cutoff.toISOString()] });
    return result.rowCount ?? 0;
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    await this.#pool.query('SELECT 1');
  }

  /**
   * Also called for appends made by other processes on the database, and with (WILDCARD, WILDCARD) each
   * time the LISTEN connection is (re)established, including the first time. An append of this process
   * may be reported twice (in-process, then through NOTIFY).
   */
  onAppend(listener: AppendListener): () => void {
    // LISTEN starts with the first subscriber: a store used only to migrate or purge never opens it.
    if (!this.#closing) this.#listener.start();
    return this.#listeners.add(listener);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#queue.drain();
      await this.#listener.close();
      await this.#pool.end();
    })();
    return this.#closing;
  }

  /** Group-commit counters, for tests and metrics. */
  stats(): GroupCommitStats {
    return this.#queue.stats();
  }

  async #commit(events: readonly NewEvent[]): Promise<AppendResult[]> {
    let connection: CheckedOutClient;
    try {
      connection = await checkOut(this.#pool);
    } catch (error) {
      throw writeFailed(error);
    }
    let outcome: AppendedBatch;
    try {
      outcome = await appendBatch(connection.client, events);
    } catch (error) {
      // The connection may be mid-transaction or dead: destroy it rather than hand it to the next caller.
      connection.release(true);
      throw writeFailed(error);
    }
    connection.release();
    // In-process wake-up right after COMMIT: the fastest path, and it works while LISTEN is reconnecting.
    this.#listeners.emitAll(outcome.appended);
    return outcome.results;
  }

  #assertOpen(): void {
    if (this.#closing) throw storeClosed();
  }
}

/** A store on the database at `connectionString`. Connects lazily; call migrate() before the first append. */
export function createPostgresStore(options: PostgresStoreOptions): PostgresEventStore {
  return new PostgresEventStore(options);
}

const writeFailed = (error: unknown): StoreError =>
  new StoreError(STORE_ERROR_CODE.writeFailed, `PostgreSQL append failed: ${messageOf(error)}`, {
    cause: error,
  });
