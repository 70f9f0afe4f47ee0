// The embedded store: one SQLite file through Node's built-in node:sqlite. DatabaseSync is synchronous,
// so every statement runs on the event loop; group commit keeps that to one short transaction (and one
// fsync) per turn of the loop however many webhooks arrived in it.

import { NORMALIZED_COLUMNS, normalizedFields, normalizedValues } from './normalized-columns.ts';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Logger } from '../../lib/logger.ts';
import { SubjectSet } from './append-listeners.ts';
import { messageOf } from '../../lib/error-message.ts';
import { STORE_ERROR_CODE, StoreError } from './errors.ts';
import { LifecycleEventStore, type StoreBackend } from './event-store.ts';
import { createSqliteHandoffs } from './sqlite-handoffs.ts';
import { migrateSqlite } from './sqlite-migrate.ts';
import type { AppendResult, StoredEvent } from './store.ts';

export interface SqliteStoreOptions {
  /** The database file, created when missing. */
  path: string;
  /** Clock for schema_migrations.applied_at. */
  now?: () => number;
  /** The most events one transaction commits (default 256). */
  maxBatch?: number;
  /** How long a statement waits for another connection's lock before failing, ms (default 5000). */
  busyTimeoutMs?: number;
  logger?: Logger;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** Rows one retention DELETE removes before yielding, so appends are never stalled behind a long purge. */
const PURGE_CHUNK = 2_000;

const SQL = {
  begin: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  insert: `INSERT INTO events (provider, subject, type, dedupe_key, received_at, body, ${NORMALIZED_COLUMNS.join(', ')})
           VALUES (?, ?, ?, ?, ?, ?, ${NORMALIZED_COLUMNS.map(() => '?').join(', ')})
           ON CONFLICT (dedupe_key) DO NOTHING
           RETURNING cursor`,
  findByKey: 'SELECT cursor FROM events WHERE dedupe_key = ?',
  read: `SELECT cursor, provider, subject, type, dedupe_key, received_at, body, ${NORMALIZED_COLUMNS.join(', ')} FROM events
         WHERE provider = ? AND subject = ? AND cursor > ?
         ORDER BY cursor LIMIT ?`,
  latest: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = ? AND subject = ?',
  purgeChunk: `DELETE FROM events WHERE cursor IN
               (SELECT cursor FROM events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
  ping: 'SELECT 1 AS ok',
} as const;

type Statements = Record<keyof typeof SQL, StatementSync>;

/** The SQLite store: the shared lifecycle (event-store.ts) over this file's SQL. */
export type SqliteEventStore = LifecycleEventStore;

/** Opens (or creates) the SQLite file at `options.path`. Call migrate() before the first append. */
export function createSqliteStore(options: SqliteStoreOptions): SqliteEventStore {
  return new LifecycleEventStore(() => createSqliteBackend(options), {
    maxBatch: options.maxBatch,
    logger: options.logger,
  });
}

function createSqliteBackend(options: SqliteStoreOptions): StoreBackend {
  const now = options.now ?? Date.now;
  // timeout is SQLite's busy_timeout: a statement that meets another connection's lock (a second process,
  // a backup tool) retries for this long instead of failing at once. Set here so the pragmas below get it.
  const db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  try {
    configure(db);
  } catch (error) {
    db.close();
    throw error;
  }
  // Prepared on first use, once migrate() has created the table; reused for the life of the store.
  let statements: Statements | undefined;
  const prepared = (): Statements =>
    (statements ??= Object.fromEntries(
      Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)] as const),
    ) as Statements);

  return {
    async migrate() {
      migrateSqlite(db, now);
    },
    // One transaction for the whole batch. A duplicate key inside the batch conflicts with the row inserted
    // a moment earlier in the same transaction, so it resolves to that row's cursor like any other duplicate.
    async commit(events) {
      const sql = prepared();
      const results: AppendResult[] = [];
      const appended = new SubjectSet();
      try {
        sql.begin.run();
        for (const event of events) {
          const inserted = sql.insert.get(
            event.provider,
            event.subject,
            event.type,
            event.dedupeKey,
            event.receivedAt.getTime(),
            event.body,
            ...normalizedValues(event),
          );
          if (inserted) {
            results.push({ cursor: integer(inserted, 'cursor'), duplicate: false });
            appended.add(event.provider, event.subject);
          } else {
            results.push({ cursor: integer(sql.findByKey.get(event.dedupeKey), 'cursor'), duplicate: true });
          }
        }
        // With journal_mode=WAL and synchronous=FULL, COMMIT returns only after the WAL is fsynced.
        sql.commit.run();
      } catch (error) {
        if (db.isOpen && db.isTransaction) db.exec('ROLLBACK');
        throw new StoreError(STORE_ERROR_CODE.writeFailed, `SQLite append failed: ${messageOf(error)}`, {
          cause: error,
        });
      }
      return { results, appended };
    },
    async read(query) {
      return prepared().read.all(query.provider, query.subject, query.after, query.limit).map(toStoredEvent);
    },
    async latestCursor(provider, subject) {
      return integer(prepared().latest.get(provider, subject), 'cursor');
    },
    async purgeOlderThan(cutoff, stillOpen) {
      let purged = 0;
      for (;;) {
        const { changes } = prepared().purgeChunk.run(cutoff.getTime(), PURGE_CHUNK);
        purged += Number(changes);
        if (Number(changes) < PURGE_CHUNK) return purged;
        await new Promise((resolve) => setImmediate(resolve));
        stillOpen();
      }
    },
    async ping() {
      prepared().ping.get();
    },
    handoffs: createSqliteHandoffs(db),
    async close() {
      db.close();
    },
  };
}

function configure(db: DatabaseSync): void {
  // WAL: readers never block the writer, and a commit is one sequential append to the log.
  const mode = db.prepare('PRAGMA journal_mode = WAL').get();
  if (mode?.['journal_mode'] !== 'wal') {
    throw new StoreError(
      STORE_ERROR_CODE.openFailed,
      `SQLite could not switch to WAL mode (got ${String(mode?.['journal_mode'])}); use a local file system`,
    );
  }
  // FULL: COMMIT fsyncs the WAL, so an acknowledged event survives kill -9 and power loss. (NORMAL would
  // only survive a process crash.)
  db.exec('PRAGMA synchronous = FULL');
}

type Row = Record<string, unknown>;

function toStoredEvent(row: Row): StoredEvent {
  return {
    cursor: integer(row, 'cursor'),
    provider: text(row, 'provider'),
    subject: text(row, 'subject'),
    type: text(row, 'type'),
    dedupeKey: text(row, 'dedupe_key'),
    receivedAt: new Date(integer(row, 'received_at')).toISOString(),
    body: text(row, 'body'),
    ...normalizedFields(row),
  };
}

function integer(row: Row | undefined, column: string): number {
  const value = row?.[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`SQLite: expected an integer in column ${column}, got ${typeof value}`);
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === 'string') return value;
  throw new Error(`SQLite: expected text in column ${column}, got ${typeof value}`);
}
