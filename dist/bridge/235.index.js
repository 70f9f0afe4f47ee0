export const id = 235;
export const ids = [235];
export const modules = {

/***/ 71265:
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

;// CONCATENATED MODULE: ./src/bridge/migrations/002-normalized.ts
// The normalised event beside the raw body (DESIGN §7), so readers need no provider parser: phase, the
// provider's own time, scope, status, detail and links (JSON). occurred_at stays text, as the provider wrote it.
// Rows stored before this migration are all Streampixel's: they are filled in here, in SQL, from their bodies.
// PostgreSQL cannot turn a JSON `\u0000` escape into text, so such a row (a hostile body) is left unfilled;
// readers then see no phase for it, as for any row they cannot read.
const PHASE_OF_TYPE = `CASE type
    WHEN 'build.approved' THEN 'success'
    WHEN 'build.rejected' THEN 'failure'
    WHEN 'webhook.test' THEN 'test'
    WHEN 'build.uploaded' THEN 'progress'
    WHEN 'build.downloading' THEN 'progress'
    WHEN 'build.extracting' THEN 'progress'
    WHEN 'build.saving' THEN 'progress'
    WHEN 'build.distributing' THEN 'progress'
    ELSE 'other' END`;
const normalizedMigration = {
    version: 2,
    name: 'normalized',
    sqlite: `
ALTER TABLE events ADD COLUMN phase TEXT;
ALTER TABLE events ADD COLUMN occurred_at TEXT;
ALTER TABLE events ADD COLUMN scope TEXT;
ALTER TABLE events ADD COLUMN status TEXT;
ALTER TABLE events ADD COLUMN detail TEXT;
ALTER TABLE events ADD COLUMN links TEXT;
UPDATE events SET
  phase = ${PHASE_OF_TYPE},
  occurred_at = json_extract(body, '$.timestamp'),
  scope = json_extract(body, '$.projectId'),
  status = json_extract(body, '$.status'),
  detail = json_extract(body, '$.objection'),
  links = CASE WHEN json_type(body, '$.fileUrl') = 'text'
    THEN json_object('fileUrl', json_extract(body, '$.fileUrl')) ELSE '{}' END
WHERE provider = 'streampixel' AND json_valid(body);
`,
    postgres: `
ALTER TABLE events
  ADD COLUMN phase text,
  ADD COLUMN occurred_at text,
  ADD COLUMN scope text,
  ADD COLUMN status text,
  ADD COLUMN detail text,
  ADD COLUMN links text;
UPDATE events SET
  phase = ${PHASE_OF_TYPE},
  occurred_at = body::json->>'timestamp',
  scope = body::json->>'projectId',
  status = body::json->>'status',
  detail = body::json->>'objection',
  links = CASE WHEN json_typeof(body::json->'fileUrl') = 'string'
    THEN json_build_object('fileUrl', body::json->>'fileUrl')::text ELSE '{}' END
WHERE provider = 'streampixel' AND strpos(body, '\\u0000') = 0;
`,
};

;// CONCATENATED MODULE: ./src/bridge/migrations/003-handoffs.ts
// Handoffs (DESIGN §10): releases the bridge finishes after the job has ended, durable beside the events so a
// restart loses none. A replica works on one only while it holds its lease (claimed_by, claimed_until): on
// PostgreSQL several replicas claim with FOR UPDATE SKIP LOCKED, so each handoff has one owner at a time, and
// a replica that dies lets its lease run out for another to take over. Times are milliseconds since the epoch.
const handoffsMigration = {
    version: 3,
    name: 'handoffs',
    sqlite: `
CREATE TABLE handoffs (
  id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  request TEXT NOT NULL,
  state TEXT NOT NULL,
  outcome TEXT,
  detail TEXT,
  cursor INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_by TEXT,
  claimed_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX handoffs_open ON handoffs (state, next_attempt_at);
`,
    postgres: `
CREATE TABLE handoffs (
  id text PRIMARY KEY,
  repository text NOT NULL,
  request text NOT NULL,
  state text NOT NULL,
  outcome text,
  detail text,
  cursor bigint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  claimed_by text,
  claimed_until bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX handoffs_open ON handoffs (state, next_attempt_at);
`,
};

;// CONCATENATED MODULE: ./src/bridge/migrations/index.ts



/** Every migration, in the order they apply. Append new ones; never edit one that has shipped. */
const MIGRATIONS = [eventsMigration, normalizedMigration, handoffsMigration];


/***/ }),

/***/ 85807:
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

/***/ 74396:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  u: () => (/* binding */ LifecycleEventStore)
});

// EXTERNAL MODULE: ./src/lib/error-message.ts
var error_message = __webpack_require__(24659);
// EXTERNAL MODULE: ./src/lib/logger.ts
var lib_logger = __webpack_require__(2415);
// EXTERNAL MODULE: ./src/bridge/store/append-listeners.ts
var append_listeners = __webpack_require__(85807);
// EXTERNAL MODULE: ./src/bridge/store/errors.ts
var errors = __webpack_require__(70152);
;// CONCATENATED MODULE: ./src/bridge/store/group-commit.ts
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

;// CONCATENATED MODULE: ./src/bridge/store/validate.ts

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
    throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.invalidEvent, `cannot store event: ${reason}`);
}

;// CONCATENATED MODULE: ./src/bridge/store/event-store.ts
// The one lifecycle every store shares (issue 7: "one store lifecycle, SQL per backend"): validation before
// an event joins a batch, the closed check, group commit, the append listeners and the close order. A
// backend supplies only what differs: its SQL and its connections.






const DEFAULT_MAX_BATCH = 256;
class LifecycleEventStore {
    #backend;
    #queue;
    #listeners;
    #closing;
    /** The backend's handoffs, refused once the store is closing like every other call. */
    handoffs;
    constructor(build, options = {}) {
        const logger = options.logger ?? lib_logger/* silentLogger */.q;
        this.#listeners = new append_listeners/* AppendListeners */.q((error) => logger.error(`event store: an onAppend listener threw: ${(0,error_message/* messageOf */.b)(error)}`));
        this.#backend = build({ emit: (provider, subject) => this.#listeners.emit(provider, subject) });
        const backendHandoffs = this.#backend.handoffs;
        const open = (call) => async (...args) => {
            this.#assertOpen();
            return call(...args);
        };
        this.handoffs = {
            register: open(backendHandoffs.register.bind(backendHandoffs)),
            get: open(backendHandoffs.get.bind(backendHandoffs)),
            claim: open(backendHandoffs.claim.bind(backendHandoffs)),
            update: open(backendHandoffs.update.bind(backendHandoffs)),
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
    async migrate() {
        this.#assertOpen();
        await this.#backend.migrate();
    }
    append(event) {
        if (this.#closing)
            return Promise.reject((0,errors/* storeClosed */.mB)());
        try {
            // Checked before the event joins a batch: one bad event cannot fail the transaction it would share.
            validateNewEvent(event);
        }
        catch (error) {
            return Promise.reject(error);
        }
        return this.#queue.push(event);
    }
    async read(query) {
        this.#assertOpen();
        validateReadQuery(query);
        if (query.limit === 0)
            return [];
        return this.#backend.read(query);
    }
    async latestCursor(provider, subject) {
        this.#assertOpen();
        return this.#backend.latestCursor(provider, subject);
    }
    async purgeOlderThan(cutoff) {
        this.#assertOpen();
        return this.#backend.purgeOlderThan(cutoff, () => this.#assertOpen());
    }
    async ping() {
        this.#assertOpen();
        await this.#backend.ping();
    }
    onAppend(listener) {
        if (!this.#closing)
            this.#backend.startListening?.();
        return this.#listeners.add(listener);
    }
    close() {
        this.#closing ??= this.#queue.drain().then(() => this.#backend.close());
        return this.#closing;
    }
    /** Group-commit counters, for tests and metrics. */
    stats() {
        return this.#queue.stats();
    }
    #assertOpen() {
        if (this.#closing)
            throw (0,errors/* storeClosed */.mB)();
    }
}


/***/ }),

/***/ 87816:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   JY: () => (/* binding */ normalizedFields),
/* harmony export */   OB: () => (/* binding */ normalizedValues),
/* harmony export */   yc: () => (/* binding */ NORMALIZED_COLUMNS)
/* harmony export */ });
/* harmony import */ var _webhooks_event_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10350);
/* harmony import */ var _webhooks_safe_json_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(66668);


// The normalised columns of migration 002, written and read the same way by every store.
/** In the order both stores' INSERT and SELECT name them. */
const NORMALIZED_COLUMNS = ['phase', 'occurred_at', 'scope', 'status', 'detail', 'links'];
// A JSON `\u0000` escape decodes to a NUL character, which PostgreSQL text cannot hold. These columns are
// for reading, not the record (the body keeps every byte), so it is replaced rather than refused: a
// rejection whose objection holds one is still stored.
const storable = (value) => value === null || value === undefined ? null : value.replaceAll('\u0000', '\ufffd');
/** A new event's normalised fields as column values, in NORMALIZED_COLUMNS order. */
function normalizedValues(event) {
    return [
        event.phase ?? null,
        storable(event.occurredAt),
        storable(event.scope),
        storable(event.status),
        storable(event.detail),
        storable(JSON.stringify(event.links ?? {})),
    ];
}
const PHASE_SET = new Set(_webhooks_event_js__WEBPACK_IMPORTED_MODULE_0__/* .PHASES */ .ZG);
const optionalText = (value) => (typeof value === 'string' ? value : null);
/** A row's normalised columns back as fields; anything unexpected reads as "not normalised". */
function normalizedFields(row) {
    const phase = optionalText(row['phase']);
    const links = _webhooks_event_js__WEBPACK_IMPORTED_MODULE_0__/* .LinksSchema */ .FA.safeParse((0,_webhooks_safe_json_js__WEBPACK_IMPORTED_MODULE_1__/* .parseJsonSafely */ .s$)(optionalText(row['links']) ?? '{}'));
    return {
        phase: phase !== null && PHASE_SET.has(phase) ? phase : null,
        occurredAt: optionalText(row['occurred_at']),
        scope: optionalText(row['scope']),
        status: optionalText(row['status']),
        detail: optionalText(row['detail']),
        links: links.success ? links.data : {},
    };
}


/***/ }),

/***/ 4235:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createSqliteStore: () => (/* binding */ createSqliteStore)
});

// EXTERNAL MODULE: ./src/bridge/store/normalized-columns.ts
var normalized_columns = __webpack_require__(87816);
// EXTERNAL MODULE: external "node:sqlite"
var external_node_sqlite_ = __webpack_require__(80099);
// EXTERNAL MODULE: ./src/bridge/store/append-listeners.ts
var append_listeners = __webpack_require__(85807);
// EXTERNAL MODULE: ./src/lib/error-message.ts
var error_message = __webpack_require__(24659);
// EXTERNAL MODULE: ./src/bridge/store/errors.ts
var errors = __webpack_require__(70152);
// EXTERNAL MODULE: ./src/bridge/store/event-store.ts + 2 modules
var event_store = __webpack_require__(74396);
// EXTERNAL MODULE: ./src/bridge/store/handoff-store.ts
var handoff_store = __webpack_require__(80209);
;// CONCATENATED MODULE: ./src/bridge/store/sqlite-handoffs.ts


// Handoffs on SQLite. One process owns the file, so a claim is one short IMMEDIATE transaction; statements run
// synchronously on the event loop, so nothing interleaves with a group commit.
function createSqliteHandoffs(db) {
    const get = (id) => {
        const row = db.prepare('SELECT * FROM handoffs WHERE id = ?').get(id);
        return row ? (0,handoff_store/* toStoredHandoff */.Nn)(row) : null;
    };
    return {
        async register({ id, repository, request, now }) {
            const inserted = db
                .prepare(`INSERT INTO handoffs (id, repository, request, state, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`)
                .get(id, repository, JSON.stringify(request), handoff_store/* HANDOFF_STATE */.pp.following, now, now, now);
            if (!inserted)
                throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.invalidEvent, `a handoff ${id} is already registered`);
            return get(id);
        },
        get: async (id) => get(id),
        async claim(owner, now, leaseMs, limit) {
            db.exec('BEGIN IMMEDIATE');
            try {
                const ids = db
                    .prepare(`SELECT id FROM handoffs WHERE state = ? AND next_attempt_at <= ?
               AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at LIMIT ?`)
                    .all(handoff_store/* HANDOFF_STATE */.pp.following, now, now, limit)
                    .map((row) => String(row['id']));
                const take = db.prepare('UPDATE handoffs SET claimed_by = ?, claimed_until = ? WHERE id = ?');
                for (const id of ids)
                    take.run(owner, now + leaseMs, id);
                db.exec('COMMIT');
                return ids.map((id) => get(id));
            }
            catch (error) {
                if (db.isTransaction)
                    db.exec('ROLLBACK');
                throw error;
            }
        },
        async update(id, owner, now, patch) {
            const columns = (0,handoff_store/* patchColumns */.iS)(patch, now);
            const { changes } = db
                .prepare(`UPDATE handoffs SET ${columns.map(([name]) => `${name} = ?`).join(', ')} WHERE id = ? AND claimed_by = ?`)
                .run(...columns.map(([, value]) => value), id, owner);
            return Number(changes) === 1;
        },
    };
}

// EXTERNAL MODULE: ./src/bridge/migrations/index.ts + 3 modules
var bridge_migrations = __webpack_require__(71265);
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

;// CONCATENATED MODULE: ./src/bridge/store/sqlite.ts
// The embedded store: one SQLite file through Node's built-in node:sqlite. DatabaseSync is synchronous,
// so every statement runs on the event loop; group commit keeps that to one short transaction (and one
// fsync) per turn of the loop however many webhooks arrived in it.








const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** Rows one retention DELETE removes before yielding, so appends are never stalled behind a long purge. */
const PURGE_CHUNK = 2_000;
const SQL = {
    begin: 'BEGIN IMMEDIATE',
    commit: 'COMMIT',
    insert: `INSERT INTO events (provider, subject, type, dedupe_key, received_at, body, ${normalized_columns/* NORMALIZED_COLUMNS */.yc.join(', ')})
           VALUES (?, ?, ?, ?, ?, ?, ${normalized_columns/* NORMALIZED_COLUMNS */.yc.map(() => '?').join(', ')})
           ON CONFLICT (dedupe_key) DO NOTHING
           RETURNING cursor`,
    findByKey: 'SELECT cursor FROM events WHERE dedupe_key = ?',
    read: `SELECT cursor, provider, subject, type, dedupe_key, received_at, body, ${normalized_columns/* NORMALIZED_COLUMNS */.yc.join(', ')} FROM events
         WHERE provider = ? AND subject = ? AND cursor > ?
         ORDER BY cursor LIMIT ?`,
    latest: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = ? AND subject = ?',
    purgeChunk: `DELETE FROM events WHERE cursor IN
               (SELECT cursor FROM events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
    ping: 'SELECT 1 AS ok',
};
/** Opens (or creates) the SQLite file at `options.path`. Call migrate() before the first append. */
function createSqliteStore(options) {
    return new event_store/* LifecycleEventStore */.u(() => createSqliteBackend(options), {
        maxBatch: options.maxBatch,
        logger: options.logger,
    });
}
function createSqliteBackend(options) {
    const now = options.now ?? Date.now;
    // timeout is SQLite's busy_timeout: a statement that meets another connection's lock (a second process,
    // a backup tool) retries for this long instead of failing at once. Set here so the pragmas below get it.
    const db = new external_node_sqlite_.DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    try {
        configure(db);
    }
    catch (error) {
        db.close();
        throw error;
    }
    // Prepared on first use, once migrate() has created the table; reused for the life of the store.
    let statements;
    const prepared = () => (statements ??= Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])));
    return {
        async migrate() {
            migrateSqlite(db, now);
        },
        // One transaction for the whole batch. A duplicate key inside the batch conflicts with the row inserted
        // a moment earlier in the same transaction, so it resolves to that row's cursor like any other duplicate.
        async commit(events) {
            const sql = prepared();
            const results = [];
            const appended = new append_listeners/* SubjectSet */.D();
            try {
                sql.begin.run();
                for (const event of events) {
                    const inserted = sql.insert.get(event.provider, event.subject, event.type, event.dedupeKey, event.receivedAt.getTime(), event.body, ...(0,normalized_columns/* normalizedValues */.OB)(event));
                    if (inserted) {
                        results.push({ cursor: integer(inserted, 'cursor'), duplicate: false });
                        appended.add(event.provider, event.subject);
                    }
                    else {
                        results.push({ cursor: integer(sql.findByKey.get(event.dedupeKey), 'cursor'), duplicate: true });
                    }
                }
                // With journal_mode=WAL and synchronous=FULL, COMMIT returns only after the WAL is fsynced.
                sql.commit.run();
            }
            catch (error) {
                if (db.isOpen && db.isTransaction)
                    db.exec('ROLLBACK');
                throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.writeFailed, `SQLite append failed: ${(0,error_message/* messageOf */.b)(error)}`, {
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
                if (Number(changes) < PURGE_CHUNK)
                    return purged;
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
        dedupeKey: sqlite_text(row, 'dedupe_key'),
        receivedAt: new Date(integer(row, 'received_at')).toISOString(),
        body: sqlite_text(row, 'body'),
        ...(0,normalized_columns/* normalizedFields */.JY)(row),
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
