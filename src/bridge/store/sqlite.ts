// The embedded store: one SQLite file through Node's built-in node:sqlite. DatabaseSync is synchronous,
// so every statement runs on the event loop; group commit keeps that to one short transaction (and one
// fsync) per turn of the loop however many webhooks arrived in it.

import { NORMALIZED_COLUMNS, normalizedFields, normalizedValues } from './normalized-columns.ts';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { silentLogger, type Logger } from '../../lib/logger.ts';
import { AppendListeners, SubjectSet } from './append-listeners.ts';
import { messageOf } from '../../lib/error-message.ts';
import { STORE_ERROR_CODE, StoreError, storeClosed } from './errors.ts';
import { GroupCommitQueue, type GroupCommitStats } from './group-commit.ts';
import { migrateSqlite } from './sqlite-migrate.ts';
import type { AppendListener, AppendResult, EventStore, NewEvent, ReadQuery, StoredEvent } from './store.ts';
import { validateNewEvent, validateReadQuery } from './validate.ts';

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

const DEFAULT_MAX_BATCH = 256;
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

export class SqliteEventStore implements EventStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #queue: GroupCommitQueue<NewEvent, AppendResult>;
  readonly #listeners: AppendListeners;
  // Prepared on first use, once migrate() has created the table; reused for the life of the store.
  #statements: Statements | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: SqliteStoreOptions) {
    const logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    // timeout is SQLite's busy_timeout: a statement that meets another connection's lock (a second process,
    // a backup tool) retries for this long instead of failing at once. Set here so the pragmas below get it.
    this.#db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    try {
      configure(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#queue = new GroupCommitQueue({
      maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
      commit: (events) => this.#commit(events),
    });
    this.#listeners = new AppendListeners((error) =>
      logger.error(`event store: an onAppend listener threw: ${messageOf(error)}`),
    );
  }

  async migrate(): Promise<void> {
    this.#assertOpen();
    migrateSqlite(this.#db, this.#now);
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
    return this.#prepared()
      .read.all(query.provider, query.subject, query.after, query.limit)
      .map(toStoredEvent);
  }

  async latestCursor(provider: string, subject: string): Promise<number> {
    this.#assertOpen();
    return integer(this.#prepared().latest.get(provider, subject), 'cursor');
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    let purged = 0;
    for (;;) {
      this.#assertOpen();
      const { changes } = this.#prepared().purgeChunk.run(cutoff.getTime(), PURGE_CHUNK);
      purged += Number(changes);
      if (Number(changes) < PURGE_CHUNK) return purged;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    this.#prepared().ping.get();
  }

  onAppend(listener: AppendListener): () => void {
    return this.#listeners.add(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#queue.drain().then(() => this.#db.close());
    return this.#closing;
  }

  /** Group-commit counters, for tests and metrics. */
  stats(): GroupCommitStats {
    return this.#queue.stats();
  }

  // One transaction for the whole batch. A duplicate key inside the batch conflicts with the row inserted
  // a moment earlier in the same transaction, so it resolves to that row's cursor like any other duplicate.
  #commit(events: readonly NewEvent[]): AppendResult[] {
    const statements = this.#prepared();
    const results: AppendResult[] = [];
    const appended = new SubjectSet();
    try {
      statements.begin.run();
      for (const event of events) {
        const inserted = statements.insert.get(
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
          const existing = statements.findByKey.get(event.dedupeKey);
          results.push({ cursor: integer(existing, 'cursor'), duplicate: true });
        }
      }
      // With journal_mode=WAL and synchronous=FULL, COMMIT returns only after the WAL is fsynced.
      statements.commit.run();
    } catch (error) {
      if (this.#db.isOpen && this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw new StoreError(STORE_ERROR_CODE.writeFailed, `SQLite append failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    this.#listeners.emitAll(appended);
    return results;
  }

  #prepared(): Statements {
    if (!this.#statements) {
      const entries = Object.entries(SQL).map(([name, sql]) => [name, this.#db.prepare(sql)] as const);
      this.#statements = Object.fromEntries(entries) as Statements;
    }
    return this.#statements;
  }

  #assertOpen(): void {
    if (this.#closing) throw storeClosed();
  }
}

/** Opens (or creates) the SQLite file at `options.path`. Call migrate() before the first append. */
export function createSqliteStore(options: SqliteStoreOptions): SqliteEventStore {
  return new SqliteEventStore(options);
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
