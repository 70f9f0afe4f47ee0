// The shared store: several bridge processes (replicas behind a load balancer) on one PostgreSQL database.
// Appends go through group commit (postgres-append.ts, which also explains the cursor-order lock); reads
// use the pool; wake-ups cross processes through LISTEN/NOTIFY (postgres-listener.ts).

import { NORMALIZED_COLUMNS, normalizedFields } from './normalized-columns.ts';
import { Pool } from 'pg';
import { silentLogger, type Logger } from '../../lib/logger.ts';
import { messageOf } from '../../lib/error-message.ts';
import { STORE_ERROR_CODE, StoreError } from './errors.ts';
import { LifecycleEventStore, type StoreBackend, type StoreHooks } from './event-store.ts';
import { appendBatch, type AppendedBatch } from './postgres-append.ts';
import { createPostgresHandoffs } from './postgres-handoffs.ts';
import { checkOut, type CheckedOutClient } from './postgres-checkout.ts';
import { decodeNotification, NOTIFY_CHANNEL } from './postgres-channel.ts';
import { NotificationListener, type ListenBackoff } from './postgres-listener.ts';
import { migratePostgres } from './postgres-migrate.ts';
import { WILDCARD } from './store.ts';

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

/** The PostgreSQL store: the shared lifecycle (event-store.ts) over this file's SQL. */
export type PostgresEventStore = LifecycleEventStore;

/** A store on the database at `connectionString`. Connects lazily; call migrate() before the first append. */
export function createPostgresStore(options: PostgresStoreOptions): PostgresEventStore {
  return new LifecycleEventStore((hooks) => createPostgresBackend(options, hooks), {
    maxBatch: options.maxBatch,
    logger: options.logger,
  });
}

function createPostgresBackend(options: PostgresStoreOptions, hooks: StoreHooks): StoreBackend {
  const logger = options.logger ?? silentLogger;
  const pool = new Pool({
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
  pool.on('error', (error) => logger.warn(`event store: idle connection error: ${messageOf(error)}`));
  // Appends of other processes on the database arrive through LISTEN/NOTIFY. An append of this process may
  // be reported twice (in-process, then through NOTIFY): readers re-query, so that costs nothing.
  const listener = new NotificationListener({
    connectionString: options.connectionString,
    channel: NOTIFY_CHANNEL,
    onNotification: (payload) => {
      const [provider, subject] = decodeNotification(payload);
      hooks.emit(provider, subject);
    },
    // Notifications sent while LISTEN was down are gone: every reader re-queries.
    onListening: () => hooks.emit(WILDCARD, WILDCARD),
    logger,
    backoff: options.listenBackoff ?? DEFAULT_LISTEN_BACKOFF,
    heartbeatMs: LISTEN_HEARTBEAT_MS,
  });

  return {
    migrate: () => migratePostgres(pool),
    async commit(events) {
      let connection: CheckedOutClient;
      try {
        connection = await checkOut(pool);
      } catch (error) {
        throw writeFailed(error);
      }
      let batch: AppendedBatch;
      try {
        batch = await appendBatch(connection.client, events);
      } catch (error) {
        // The connection may be mid-transaction or dead: destroy it rather than hand it to the next caller.
        connection.release(true);
        throw writeFailed(error);
      }
      connection.release();
      return batch;
    },
    async read(query) {
      const { rows } = await pool.query<EventRow>({
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
    },
    async latestCursor(provider, subject) {
      const { rows } = await pool.query<{ cursor: string }>({ ...LATEST, values: [provider, subject] });
      return Number(rows[0]?.cursor ?? 0);
    },
    // One statement: PostgreSQL deletes never block inserts, so there is nothing to gain from chunking.
    async purgeOlderThan(cutoff) {
      const result = await pool.query({ ...PURGE, values: [cutoff.toISOString()] });
      return result.rowCount ?? 0;
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    handoffs: createPostgresHandoffs(pool),
    // LISTEN starts with the first subscriber: a store used only to migrate or purge never opens it.
    startListening: () => listener.start(),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

const writeFailed = (error: unknown): StoreError =>
  new StoreError(STORE_ERROR_CODE.writeFailed, `PostgreSQL append failed: ${messageOf(error)}`, {
    cause: error,
  });
