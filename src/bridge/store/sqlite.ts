// The embedded store: one SQLite file through Node's built-in node:sqlite. DatabaseSync is synchronous, and
// a COMMIT includes the WAL's fsync, so every write runs on a worker thread of its own (sqlite-writer.ts):
// while one group-commit batch is being committed and synced there, the event loop goes on parsing and
// answering requests, and the next batch forms. Reads stay here on a read-only connection: in WAL mode they
// never wait for the writer, and a read that starts after an append resolved sees it (the append resolves
// only once the writer's COMMIT returned).

import { NORMALIZED_COLUMNS, normalizedFields, normalizedValues } from './normalized-columns.ts';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { silentLogger, type Logger } from '../../lib/logger.ts';
import { SubjectSet } from './append-listeners.ts';
import { LifecycleEventStore, type StoreBackend } from './event-store.ts';
import type { HandoffStore } from './handoff-store.ts';
import { integer, text, type Row } from './sqlite-row.ts';
import { SqliteWriterClient } from './sqlite-writer-client.ts';
import type { AppendResult, NewEvent, StoredEvent } from './store.ts';

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
  /** The writer thread's entry module; tests substitute one that fails on purpose. */
  writerEntry?: URL;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** Rows one retention DELETE removes before yielding, so appends are never stalled behind a long purge. */
const PURGE_CHUNK = 2_000;

// From sources this file sits beside the thread's entry; in the ncc bundle (dist/bridge/*.js) the entry is
// a bundle of its own, which `npm run build:bridge` builds into dist/bridge/sqlite-writer/. (Kept out of
// `new URL('…', import.meta.url)` with a literal, which ncc would copy as an asset, TypeScript and all.)
const here = import.meta.url;
const WRITER_ENTRY = here.endsWith('.ts')
  ? new URL('./sqlite-writer-thread.ts', here)
  : new URL('./sqlite-writer/index.js', here);

const SQL = {
  read: `SELECT cursor, provider, subject, type, dedupe_key, received_at, body, ${NORMALIZED_COLUMNS.join(', ')} FROM events
         WHERE provider = ? AND subject = ? AND cursor > ?
         ORDER BY cursor LIMIT ?`,
  latest: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = ? AND subject = ?',
  ping: 'SELECT 1 AS ok',
} as const;

type Statements = Record<keyof typeof SQL, StatementSync>;

/** The SQLite store: the shared lifecycle (event-store.ts) over this file's SQL. */
export type SqliteEventStore = LifecycleEventStore;

/**
 * Opens (or creates) the SQLite file at `options.path`. Call migrate() before the first append; it reports
 * a file that cannot be opened or configured.
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteEventStore {
  return new LifecycleEventStore(() => createSqliteBackend(options), {
    maxBatch: options.maxBatch,
    logger: options.logger,
  });
}

function createSqliteBackend(options: SqliteStoreOptions): StoreBackend {
  const now = options.now ?? Date.now;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const writer = new SqliteWriterClient({
    entry: options.writerEntry ?? WRITER_ENTRY,
    logger: options.logger ?? silentLogger,
    path: options.path,
    busyTimeoutMs,
    normalizedColumns: NORMALIZED_COLUMNS,
  });
  // Opened on first use: by then migrate() has had the writer create the file and its tables.
  let reader: { db: DatabaseSync; sql: Statements } | undefined;
  const prepared = (): Statements => {
    if (!reader) {
      const db = new DatabaseSync(options.path, { readOnly: true, timeout: busyTimeoutMs });
      try {
        const sql = Object.fromEntries(
          Object.entries(SQL).map(([name, text]) => [name, db.prepare(text)] as const),
        ) as Statements;
        reader = { db, sql };
      } catch (error) {
        db.close();
        throw error;
      }
    }
    return reader.sql;
  };
  const viaWriter =
    <M extends keyof HandoffStore>(method: M) =>
    (...args: Parameters<HandoffStore[M]>) =>
      writer.request<Awaited<ReturnType<HandoffStore[M]>>>({ op: 'handoff', method, args });

  return {
    async migrate() {
      await writer.request({ op: 'migrate', appliedAt: now() });
    },
    async commit(events) {
      const results = await writer.request<AppendResult[]>({ op: 'commit', rows: events.map(insertValues) });
      const appended = new SubjectSet();
      events.forEach((event, index) => {
        if (results[index]?.duplicate === false) appended.add(event.provider, event.subject);
      });
      return { results, appended };
    },
    async read(query) {
      return prepared().read.all(query.provider, query.subject, query.after, query.limit).map(toStoredEvent);
    },
    async latestCursor(provider, subject) {
      return integer(prepared().latest.get(provider, subject), 'cursor');
    },
    // One chunk per request: appends sent meanwhile are committed between two chunks.
    async purgeOlderThan(cutoff, stillOpen) {
      let purged = 0;
      for (;;) {
        const changes = await writer.request<number>({
          op: 'purge',
          cutoff: cutoff.getTime(),
          limit: PURGE_CHUNK,
        });
        purged += changes;
        if (changes < PURGE_CHUNK) return purged;
        stillOpen();
      }
    },
    async ping() {
      // Reads would still work without the writer; the store cannot take an event, so it is not ready.
      if (writer.failure) throw writer.failure;
      prepared().ping.get();
    },
    broken: () => writer.failure ?? null,
    handoffs: {
      register: viaWriter('register'),
      get: viaWriter('get'),
      claim: viaWriter('claim'),
      update: viaWriter('update'),
      countOpen: viaWriter('countOpen'),
    },
    async close() {
      // The reader first: the writer's connection, closed last, checkpoints the WAL into the file.
      reader?.db.close();
      reader = undefined;
      await writer.close();
    },
  };
}

/** The writer's insert parameters (sqlite-writer.ts, `commit`), in its column order. */
function insertValues(event: NewEvent): SQLInputValue[] {
  return [
    event.provider,
    event.subject,
    event.type,
    event.dedupeKey,
    event.receivedAt.getTime(),
    event.body,
    ...normalizedValues(event),
  ];
}

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
