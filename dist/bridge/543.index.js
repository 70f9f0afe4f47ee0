export const id = 543;
export const ids = [543];
export const modules = {

/***/ 2701:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  o: () => (/* binding */ MIGRATIONS)
});

;// CONCATENATED MODULE: ./src/bridge/migrations/001-events.ts
// The append-only events table of DESIGN §4.
// - cursor never repeats, even after retention deletes the newest rows: SQLite needs AUTOINCREMENT for that
//   (a plain rowid reuses max+1), a PostgreSQL identity is a sequence and never goes back.
// - the unique dedupe_key index is what INSERT … ON CONFLICT (dedupe_key) DO NOTHING relies on.
// - (provider, subject, cursor) serves "events of one build after a cursor" and max(cursor) per build.
// - received_at serves retention (purgeOlderThan).
// SQLite keeps received_at as integer milliseconds since the epoch; PostgreSQL as timestamptz (milliseconds
// survive: it stores microseconds).
const eventsMigration = {
    version: 1,
    name: 'events',
    sqlite: `
CREATE TABLE events (
  cursor INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX events_dedupe_key ON events (dedupe_key);
CREATE INDEX events_provider_subject_cursor ON events (provider, subject, cursor);
CREATE INDEX events_received_at ON events (received_at);
`,
    postgres: `
CREATE TABLE events (
  cursor bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider text NOT NULL,
  subject text NOT NULL,
  type text NOT NULL,
  dedupe_key text NOT NULL,
  received_at timestamptz NOT NULL,
  body text NOT NULL
);
CREATE UNIQUE INDEX events_dedupe_key ON events (dedupe_key);
CREATE INDEX events_provider_subject_cursor ON events (provider, subject, cursor);
CREATE INDEX events_received_at ON events (received_at);
`,
};

;// CONCATENATED MODULE: ./src/bridge/migrations/index.ts

/** Every migration, in the order they apply. Append new ones; never edit one that has shipped. */
const MIGRATIONS = [eventsMigration];


/***/ }),

/***/ 5807:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D: () => (/* binding */ SubjectSet),
/* harmony export */   q: () => (/* binding */ AppendListeners)
/* harmony export */ });
/** (provider, subject) pairs, once each, in first-seen order. */
class SubjectSet {
    // NUL cannot occur in a stored provider or subject (validate.ts), so it separates them unambiguously.
    #pairs = new Map();
    add(provider, subject) {
        this.#pairs.set(`${provider}\u0000${subject}`, [provider, subject]);
    }
    get size() {
        return this.#pairs.size;
    }
    [Symbol.iterator]() {
        return this.#pairs.values();
    }
}
/** The onAppend subscribers of one store. A throwing listener is reported and never stops the others. */
class AppendListeners {
    // Wrapped so the same function subscribed twice is two subscriptions, each with its own unsubscribe.
    #listeners = new Set();
    #onError;
    constructor(onError) {
        this.#onError = onError;
    }
    get size() {
        return this.#listeners.size;
    }
    add(listener) {
        const entry = { listener };
        this.#listeners.add(entry);
        return () => void this.#listeners.delete(entry);
    }
    emit(provider, subject) {
        for (const { listener } of [...this.#listeners]) {
            try {
                listener(provider, subject);
            }
            catch (error) {
                this.#onError(error);
            }
        }
    }
    emitAll(subjects) {
        if (this.#listeners.size === 0)
            return;
        for (const [provider, subject] of subjects)
            this.emit(provider, subject);
    }
}


/***/ }),

/***/ 9288:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   m: () => (/* binding */ GroupCommitQueue)
/* harmony export */ });
// Group commit: concurrent appends share one transaction, so a durable ack costs one fsync per batch
// instead of one per event. Items queue; a flush runs on the next turn of the event loop (setImmediate
// lets every request that arrived in the same I/O phase join), or at once when `maxBatch` items wait.
// One batch is in flight at a time: whatever queues meanwhile becomes the next batch the moment it ends,
// so batches grow with load and latency stays about one commit.
class GroupCommitQueue {
    #maxBatch;
    #commit;
    #queue = [];
    #inFlight;
    #scheduled = false;
    #stats = { batches: 0, committed: 0, largestBatch: 0, failedBatches: 0 };
    constructor(options) {
        if (!Number.isSafeInteger(options.maxBatch) || options.maxBatch < 1) {
            throw new RangeError('maxBatch must be a positive integer');
        }
        this.#maxBatch = options.maxBatch;
        this.#commit = options.commit;
    }
    /** Resolves with the item's result once its batch has committed. */
    push(item) {
        return new Promise((resolve, reject) => {
            this.#queue.push({ item, resolve, reject });
            // A running flush starts the next batch itself when it ends.
            if (this.#inFlight)
                return;
            if (this.#queue.length >= this.#maxBatch) {
                this.#flush();
            }
            else if (!this.#scheduled) {
                this.#scheduled = true;
                setImmediate(() => {
                    this.#scheduled = false;
                    if (!this.#inFlight)
                        this.#flush();
                });
            }
        });
    }
    /** Resolves once every item pushed so far has settled. */
    async drain() {
        while (this.#inFlight || this.#queue.length > 0) {
            if (!this.#inFlight)
                this.#flush();
            await this.#inFlight;
        }
    }
    stats() {
        return { ...this.#stats };
    }
    #flush() {
        if (this.#queue.length === 0)
            return;
        const batch = this.#queue.splice(0, this.#maxBatch);
        this.#inFlight = this.#run(batch).finally(() => {
            this.#inFlight = undefined;
            this.#flush();
        });
    }
    // Never rejects: every outcome is delivered to the items' own promises.
    async #run(batch) {
        let results;
        try {
            results = await this.#commit(batch.map((pending) => pending.item));
        }
        catch (error) {
            if (batch.length === 1) {
                batch[0]?.reject(error);
            }
            else {
                this.#stats.failedBatches += 1;
                await this.#retryOneByOne(batch);
            }
            return;
        }
        this.#settle(batch, results);
    }
    // One bad item (or a connection lost mid-batch) must not fail its neighbours: retry each alone.
    // Safe because appends are idempotent: a retried event that did commit comes back as a duplicate.
    async #retryOneByOne(batch) {
        for (const pending of batch) {
            try {
                this.#settle([pending], await this.#commit([pending.item]));
            }
            catch (error) {
                pending.reject(error);
            }
        }
    }
    #settle(batch, results) {
        if (results.length !== batch.length) {
            const error = new Error(`group commit: ${results.length} results for ${batch.length} items`);
            for (const pending of batch)
                pending.reject(error);
            return;
        }
        this.#stats.batches += 1;
        this.#stats.committed += batch.length;
        this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
        batch.forEach((pending, index) => pending.resolve(results[index]));
    }
}


/***/ }),

/***/ 8543:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createSqliteStore: () => (/* binding */ createSqliteStore)
});

// UNUSED EXPORTS: SqliteEventStore

// EXTERNAL MODULE: external "node:sqlite"
var external_node_sqlite_ = __webpack_require__(2480);
// EXTERNAL MODULE: ./src/lib/logger.ts
var lib_logger = __webpack_require__(2415);
// EXTERNAL MODULE: ./src/bridge/store/append-listeners.ts
var append_listeners = __webpack_require__(5807);
// EXTERNAL MODULE: ./src/lib/error-message.ts
var error_message = __webpack_require__(4659);
// EXTERNAL MODULE: ./src/bridge/store/errors.ts
var errors = __webpack_require__(152);
// EXTERNAL MODULE: ./src/bridge/store/group-commit.ts
var group_commit = __webpack_require__(9288);
// EXTERNAL MODULE: ./src/bridge/migrations/index.ts + 1 modules
var bridge_migrations = __webpack_require__(2701);
;// CONCATENATED MODULE: ./src/bridge/store/sqlite-migrate.ts



/**
 * Applies the migrations `db` has not recorded yet, each in its own transaction. BEGIN IMMEDIATE takes
 * SQLite's write lock before the "already applied?" check, so two processes opening the same file at once
 * apply each migration exactly once (the second waits out busy_timeout, then finds it recorded).
 */
function migrateSqlite(db, now, migrations = bridge_migrations/* MIGRATIONS */.o) {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    const isApplied = db.prepare('SELECT 1 AS applied FROM schema_migrations WHERE version = ?');
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const migration of migrations) {
        db.exec('BEGIN IMMEDIATE');
        try {
            if (!isApplied.get(migration.version)) {
                db.exec(migration.sqlite);
                record.run(migration.version, now());
            }
            db.exec('COMMIT');
        }
        catch (error) {
            if (db.isTransaction)
                db.exec('ROLLBACK');
            throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.migration, `SQLite migration ${migration.version} (${migration.name}) failed: ${(0,error_message/* messageOf */.b)(error)}`, { cause: error });
        }
    }
}

// EXTERNAL MODULE: ./src/bridge/store/validate.ts
var validate = __webpack_require__(3214);
;// CONCATENATED MODULE: ./src/bridge/store/sqlite.ts
// The embedded store: one SQLite file through Node's built-in node:sqlite. DatabaseSync is synchronous,
// so every statement runs on the event loop; group commit keeps that to one short transaction (and one
// fsync) per turn of the loop however many webhooks arrived in it.








const DEFAULT_MAX_BATCH = 256;
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** Rows one retention DELETE removes before yielding, so appends are never stalled behind a long purge. */
const PURGE_CHUNK = 2_000;
const SQL = {
    begin: 'BEGIN IMMEDIATE',
    commit: 'COMMIT',
    insert: `INSERT INTO events (provider, subject, type, dedupe_key, received_at, body)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (dedupe_key) DO NOTHING
           RETURNING cursor`,
    findByKey: 'SELECT cursor FROM events WHERE dedupe_key = ?',
    read: `SELECT cursor, provider, subject, type, received_at, body FROM events
         WHERE provider = ? AND subject = ? AND cursor > ?
         ORDER BY cursor LIMIT ?`,
    latest: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = ? AND subject = ?',
    purgeChunk: `DELETE FROM events WHERE cursor IN
               (SELECT cursor FROM events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
    ping: 'SELECT 1 AS ok',
};
class SqliteEventStore {
    #db;
    #now;
    #queue;
    #listeners;
    // Prepared on first use, once migrate() has created the table; reused for the life of the store.
    #statements;
    #closing;
    constructor(options) {
        const logger = options.logger ?? lib_logger/* silentLogger */.q;
        this.#now = options.now ?? Date.now;
        // timeout is SQLite's busy_timeout: a statement that meets another connection's lock (a second process,
        // a backup tool) retries for this long instead of failing at once. Set here so the pragmas below get it.
        this.#db = new external_node_sqlite_.DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
        try {
            configure(this.#db);
        }
        catch (error) {
            this.#db.close();
            throw error;
        }
        this.#queue = new group_commit/* GroupCommitQueue */.m({
            maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
            commit: (events) => this.#commit(events),
        });
        this.#listeners = new append_listeners/* AppendListeners */.q((error) => logger.error(`event store: an onAppend listener threw: ${(0,error_message/* messageOf */.b)(error)}`));
    }
    async migrate() {
        this.#assertOpen();
        migrateSqlite(this.#db, this.#now);
    }
    append(event) {
        if (this.#closing)
            return Promise.reject((0,errors/* storeClosed */.mB)());
        try {
            (0,validate/* validateNewEvent */.bx)(event);
        }
        catch (error) {
            return Promise.reject(error);
        }
        return this.#queue.push(event);
    }
    async read(query) {
        this.#assertOpen();
        (0,validate/* validateReadQuery */.D7)(query);
        if (query.limit === 0)
            return [];
        return this.#prepared()
            .read.all(query.provider, query.subject, query.after, query.limit)
            .map(toStoredEvent);
    }
    async latestCursor(provider, subject) {
        this.#assertOpen();
        return integer(this.#prepared().latest.get(provider, subject), 'cursor');
    }
    async purgeOlderThan(cutoff) {
        let purged = 0;
        for (;;) {
            this.#assertOpen();
            const { changes } = this.#prepared().purgeChunk.run(cutoff.getTime(), PURGE_CHUNK);
            purged += Number(changes);
            if (Number(changes) < PURGE_CHUNK)
                return purged;
            await new Promise((resolve) => setImmediate(resolve));
        }
    }
    async ping() {
        this.#assertOpen();
        this.#prepared().ping.get();
    }
    onAppend(listener) {
        return this.#listeners.add(listener);
    }
    close() {
        this.#closing ??= this.#queue.drain().then(() => this.#db.close());
        return this.#closing;
    }
    /** Group-commit counters, for tests and metrics. */
    stats() {
        return this.#queue.stats();
    }
    // One transaction for the whole batch. A duplicate key inside the batch conflicts with the row inserted
    // a moment earlier in the same transaction, so it resolves to that row's cursor like any other duplicate.
    #commit(events) {
        const statements = this.#prepared();
        const results = [];
        const appended = new append_listeners/* SubjectSet */.D();
        try {
            statements.begin.run();
            for (const event of events) {
                const inserted = statements.insert.get(event.provider, event.subject, event.type, event.dedupeKey, event.receivedAt.getTime(), event.body);
                if (inserted) {
                    results.push({ cursor: integer(inserted, 'cursor'), duplicate: false });
                    appended.add(event.provider, event.subject);
                }
                else {
                    const existing = statements.findByKey.get(event.dedupeKey);
                    results.push({ cursor: integer(existing, 'cursor'), duplicate: true });
                }
            }
            // With journal_mode=WAL and synchronous=FULL, COMMIT returns only after the WAL is fsynced.
            statements.commit.run();
        }
        catch (error) {
            if (this.#db.isOpen && this.#db.isTransaction)
                this.#db.exec('ROLLBACK');
            throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.writeFailed, `SQLite append failed: ${(0,error_message/* messageOf */.b)(error)}`, {
                cause: error,
            });
        }
        this.#listeners.emitAll(appended);
        return results;
    }
    #prepared() {
        if (!this.#statements) {
            const entries = Object.entries(SQL).map(([name, sql]) => [name, this.#db.prepare(sql)]);
            this.#statements = Object.fromEntries(entries);
        }
        return this.#statements;
    }
    #assertOpen() {
        if (this.#closing)
            throw (0,errors/* storeClosed */.mB)();
    }
}
/** Opens (or creates) the SQLite file at `options.path`. Call migrate() before the first append. */
function createSqliteStore(options) {
    return new SqliteEventStore(options);
}
function configure(db) {
    // WAL: readers never block the writer, and a commit is one sequential append to the log.
    const mode = db.prepare('PRAGMA journal_mode = WAL').get();
    if (mode?.['journal_mode'] !== 'wal') {
        throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.openFailed, `SQLite could not switch to WAL mode (got ${String(mode?.['journal_mode'])}); use a local file system`);
    }
    // FULL: COMMIT fsyncs the WAL, so an acknowledged event survives kill -9 and power loss. (NORMAL would
    // only survive a process crash.)
    db.exec('PRAGMA synchronous = FULL');
}
function toStoredEvent(row) {
    return {
        cursor: integer(row, 'cursor'),
        provider: sqlite_text(row, 'provider'),
        subject: sqlite_text(row, 'subject'),
        type: sqlite_text(row, 'type'),
        receivedAt: new Date(integer(row, 'received_at')).toISOString(),
        body: sqlite_text(row, 'body'),
    };
}
function integer(row, column) {
    const value = row?.[column];
    if (typeof value === 'number')
        return value;
    if (typeof value === 'bigint')
        return Number(value);
    throw new Error(`SQLite: expected an integer in column ${column}, got ${typeof value}`);
}
function sqlite_text(row, column) {
    const value = row[column];
    if (typeof value === 'string')
        return value;
    throw new Error(`SQLite: expected text in column ${column}, got ${typeof value}`);
}


/***/ }),

/***/ 3214:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D7: () => (/* binding */ validateReadQuery),
/* harmony export */   bx: () => (/* binding */ validateNewEvent)
/* harmony export */ });
/* unused harmony export MAX_KEY_BYTES */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(152);

/**
 * Key fields are indexed: PostgreSQL refuses B-tree entries above ~2.7 kB, so both stores cap them at the
 * same size and an event that would fail on one database fails the same way on the other.
 */
const MAX_KEY_BYTES = 1024;
/**
 * Providers are names chosen in code ("streampixel"). Keeping them to this alphabet makes
 * `provider<TAB>subject` notification payloads unambiguous and keeps `*` free for WILDCARD.
 */
const PROVIDER_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const KEY_FIELDS = ['provider', 'subject', 'type', 'dedupeKey'];
/**
 * Throws StoreError(invalid-event) for an event no store can hold. Checked before the event joins a batch,
 * so one bad event cannot fail the transaction its neighbours share.
 */
function validateNewEvent(event) {
    for (const field of KEY_FIELDS) {
        const value = event[field];
        if (typeof value !== 'string')
            invalid(`${field} must be a string`);
        // An event without an uploadId is stored under the empty subject: acknowledged, never lost.
        if (value.length === 0 && field !== 'subject')
            invalid(`${field} must not be empty`);
        if (Buffer.byteLength(value) > MAX_KEY_BYTES)
            invalid(`${field} is longer than ${MAX_KEY_BYTES} bytes`);
        // PostgreSQL text cannot hold U+0000; refuse it everywhere so the stores agree.
        if (value.includes('\u0000'))
            invalid(`${field} contains a NUL character`);
    }
    if (!PROVIDER_PATTERN.test(event.provider))
        invalid('provider must match [a-z0-9][a-z0-9._-]*');
    const body = event.body;
    if (typeof body !== 'string')
        invalid('body must be a string');
    if (body.includes('\u0000'))
        invalid('body contains a NUL character');
    const receivedAt = event.receivedAt;
    if (!(receivedAt instanceof Date) || Number.isNaN(receivedAt.getTime())) {
        invalid('receivedAt must be a valid Date');
    }
}
/** Throws RangeError for a cursor or limit that is not a non-negative safe integer. */
function validateReadQuery(query) {
    if (!Number.isSafeInteger(query.after) || query.after < 0) {
        throw new RangeError('after must be a non-negative integer');
    }
    if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
        throw new RangeError('limit must be a non-negative integer');
    }
}
function invalid(reason) {
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .StoreError */ .AD(_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .STORE_ERROR_CODE */ .ZK.invalidEvent, `cannot store event: ${reason}`);
}


/***/ }),

/***/ 2415:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ silentLogger)
/* harmony export */ });
/* unused harmony export createMemoryLogger */
const silentLogger = { debug() { }, info() { }, warn() { }, error() { } };
/** Collects lines, for tests that assert what was (and was not) logged. */
function createMemoryLogger() {
    const lines = [];
    const push = (level) => (message) => void lines.push(`${level}: ${message}`);
    return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}


/***/ })

};
