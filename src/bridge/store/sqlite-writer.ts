// The SQLite store's writer, run on a worker thread (sqlite-writer-thread.ts): it owns the one write
// connection, so every write (a group-commit batch with its COMMIT and fsync, retention purges, handoffs,
// migrations) runs off the event loop that parses and answers HTTP. Requests are handled one at a time, in
// the order they were sent, each to the end: nothing interleaves with a transaction, as on one thread.

import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { MessagePort } from 'node:worker_threads';
import { messageOf } from '../../lib/error-message.ts';
import { STORE_ERROR_CODE, StoreError, type StoreErrorCode } from './errors.ts';
import type { HandoffStore } from './handoff-store.ts';
import { createSqliteHandoffs } from './sqlite-handoffs.ts';
import { integer } from './sqlite-row.ts';
import { migrateSqlite } from './sqlite-migrate.ts';
import type { AppendResult } from './store.ts';

export interface SqliteWriterOptions {
  path: string;
  /** SQLite's busy_timeout, ms: how long a statement waits for another connection's lock. */
  busyTimeoutMs: number;
  /**
   * NORMALIZED_COLUMNS, passed in rather than imported so the thread loads no more than node:sqlite and
   * this folder's SQL (normalized-columns.ts brings zod).
   */
  normalizedColumns: readonly string[];
}

/** What the main thread asks; `id` pairs the reply with the request. */
export type WriterRequest =
  | { op: 'migrate'; appliedAt: number }
  /**
   * One group-commit batch, in append order: per event provider, subject, type, dedupe_key, received_at,
   * body, then the normalised columns' values.
   */
  | { op: 'commit'; rows: SQLInputValue[][] }
  /** Deletes up to `limit` events received before `cutoff` (epoch ms); replies how many. */
  | { op: 'purge'; cutoff: number; limit: number }
  | { op: 'handoff'; method: keyof HandoffStore; args: unknown[] }
  | { op: 'close' };

export type WriterMessage = WriterRequest & { id: number };

/** An error as it crosses the thread boundary: StoreError's code survives, everything else is a message. */
export interface WriterFailure {
  code?: StoreErrorCode;
  message: string;
}

export type WriterReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WriterFailure };

const DEDUPE_KEY = 3;

/** Where tests break the writer on purpose (a thread that dies mid-batch). */
export interface SqliteWriterHooks {
  /** After a batch's inserts, before its COMMIT. */
  beforeCommit?(rows: number): void;
}

/**
 * Serves writer requests arriving on `port` until a `close` request. A database that cannot be opened or
 * configured is reported on every request (open-failed), so the store's migrate() fails with the reason.
 */
export function serveSqliteWriter(
  port: MessagePort,
  options: SqliteWriterOptions,
  hooks: SqliteWriterHooks = {},
): void {
  let writer: Writer | StoreError;
  try {
    writer = new Writer(options, hooks);
  } catch (error) {
    writer =
      error instanceof StoreError
        ? error
        : new StoreError(
            STORE_ERROR_CODE.openFailed,
            `SQLite could not open ${options.path}: ${messageOf(error)}`,
          );
  }
  const answer = async (message: WriterMessage): Promise<void> => {
    let reply: WriterReply;
    try {
      if (writer instanceof StoreError && message.op !== 'close') throw writer;
      const value = writer instanceof StoreError ? undefined : await writer.handle(message);
      reply = { id: message.id, ok: true, value };
    } catch (error) {
      reply = { id: message.id, ok: false, error: toFailure(error) };
    }
    port.postMessage(reply);
    // Nothing more will come: let the thread end once the reply is out.
    if (message.op === 'close') port.close();
  };
  // Chained, so a request never starts before the one sent ahead of it has replied.
  let previous = Promise.resolve();
  port.on('message', (message: WriterMessage) => {
    previous = previous.then(() => answer(message));
  });
}

class Writer {
  readonly #db: DatabaseSync;
  readonly #hooks: SqliteWriterHooks;
  readonly #columns: readonly string[];
  readonly #handoffs: HandoffStore;
  // Prepared on first use, once migrate() has created the tables.
  #statements: Record<'begin' | 'commit' | 'insert' | 'findByKey' | 'purge', StatementSync> | undefined;

  constructor(options: SqliteWriterOptions, hooks: SqliteWriterHooks) {
    // timeout is SQLite's busy_timeout: a statement that meets another connection's lock (a second process,
    // a backup tool) retries for this long instead of failing at once. Set here so the pragmas below get it.
    this.#db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs });
    try {
      configure(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#hooks = hooks;
    this.#columns = options.normalizedColumns;
    this.#handoffs = createSqliteHandoffs(this.#db);
  }

  handle(message: WriterMessage): unknown {
    switch (message.op) {
      case 'migrate':
        return migrateSqlite(this.#db, () => message.appliedAt);
      case 'commit':
        return this.#commit(message.rows);
      case 'purge':
        return Number(this.#prepared().purge.run(message.cutoff, message.limit).changes);
      case 'handoff': {
        const method = this.#handoffs[message.method] as (...args: unknown[]) => Promise<unknown>;
        return method.apply(this.#handoffs, message.args);
      }
      case 'close':
        this.#db.close();
        return undefined;
    }
  }

  // One transaction for the whole batch. A duplicate key inside the batch conflicts with the row inserted
  // a moment earlier in the same transaction, so it resolves to that row's cursor like any other duplicate.
  #commit(rows: SQLInputValue[][]): AppendResult[] {
    const sql = this.#prepared();
    const results: AppendResult[] = [];
    try {
      sql.begin.run();
      for (const row of rows) {
        const inserted = sql.insert.get(...row);
        if (inserted) {
          results.push({ cursor: integer(inserted, 'cursor'), duplicate: false });
        } else {
          results.push({
            cursor: integer(sql.findByKey.get(row[DEDUPE_KEY] as string), 'cursor'),
            duplicate: true,
          });
        }
      }
      this.#hooks.beforeCommit?.(rows.length);
      // With journal_mode=WAL and synchronous=FULL, COMMIT returns only after the WAL is fsynced.
      sql.commit.run();
    } catch (error) {
      if (this.#db.isOpen && this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw new StoreError(STORE_ERROR_CODE.writeFailed, `SQLite append failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    return results;
  }

  #prepared() {
    return (this.#statements ??= {
      begin: this.#db.prepare('BEGIN IMMEDIATE'),
      commit: this.#db.prepare('COMMIT'),
      insert: this.#db.prepare(
        `INSERT INTO events (provider, subject, type, dedupe_key, received_at, body, ${this.#columns.join(', ')})
         VALUES (?, ?, ?, ?, ?, ?, ${this.#columns.map(() => '?').join(', ')})
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING cursor`,
      ),
      findByKey: this.#db.prepare('SELECT cursor FROM events WHERE dedupe_key = ?'),
      purge: this.#db.prepare(
        `DELETE FROM events WHERE cursor IN
         (SELECT cursor FROM events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
      ),
    });
  }
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

function toFailure(error: unknown): WriterFailure {
  return error instanceof StoreError
    ? { code: error.code, message: error.message }
    : { message: messageOf(error) };
}
