export const id = 969;
export const ids = [969];
export const modules = {

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
// so batches grow with load and latency stays about one commit. (Both stores commit off the event loop, on
// SQLite's writer thread or PostgreSQL's server, so the next batch forms while one commits. A second batch
// in flight was measured on SQLite and bought nothing: more, smaller transactions for the same rate.)
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
    broken() {
        return this.#backend.broken?.() ?? null;
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

/***/ 4969:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createSqliteStore: () => (/* binding */ createSqliteStore)
});

// EXTERNAL MODULE: ./src/bridge/store/normalized-columns.ts
var normalized_columns = __webpack_require__(87816);
// EXTERNAL MODULE: external "node:sqlite"
var external_node_sqlite_ = __webpack_require__(80099);
// EXTERNAL MODULE: ./src/lib/logger.ts
var logger = __webpack_require__(2415);
// EXTERNAL MODULE: ./src/bridge/store/append-listeners.ts
var append_listeners = __webpack_require__(85807);
// EXTERNAL MODULE: ./src/bridge/store/event-store.ts + 2 modules
var event_store = __webpack_require__(74396);
;// CONCATENATED MODULE: ./src/bridge/store/sqlite-row.ts
// Typed reads of a node:sqlite row, for the main thread's reader and the writer thread alike (nothing here
// imports more than the language).
/** An INTEGER column: node:sqlite gives a number, or a bigint past 2^53. */
function integer(row, column) {
    const value = row?.[column];
    if (typeof value === 'number')
        return value;
    if (typeof value === 'bigint')
        return Number(value);
    throw new Error(`SQLite: expected an integer in column ${column}, got ${typeof value}`);
}
function sqlite_row_text(row, column) {
    const value = row[column];
    if (typeof value === 'string')
        return value;
    throw new Error(`SQLite: expected text in column ${column}, got ${typeof value}`);
}

// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(75919);
// EXTERNAL MODULE: ./src/lib/error-message.ts
var error_message = __webpack_require__(24659);
// EXTERNAL MODULE: ./src/bridge/store/errors.ts
var errors = __webpack_require__(70152);
;// CONCATENATED MODULE: ./src/bridge/store/sqlite-writer-client.ts
// The main thread's side of the SQLite writer thread (sqlite-writer.ts): starts it, sends it requests and
// pairs the replies. A request resolves only on the thread's reply that it is done, so an append is never
// acknowledged unless its transaction committed. A thread that stops without being asked to fails every
// request in flight and every later one, and stays failed: the store reports itself unusable (ping throws,
// readiness answers 503) rather than waiting for a reply that will not come.



class SqliteWriterClient {
    #worker;
    #logger;
    #pending = new Map();
    #exited;
    #nextId = 1;
    #closing = false;
    #failure;
    constructor(options) {
        const { entry, logger, ...writer } = options;
        this.#logger = logger;
        this.#worker = startThread(entry, { workerData: writer, name: 'sqlite-writer' });
        // An idle store does not keep the process alive (a DatabaseSync on the main thread did not either);
        // a request in flight does, so a script awaiting an append is not cut short.
        this.#worker.unref();
        let uncaught;
        this.#worker.on('message', (reply) => this.#settle(reply));
        this.#worker.on('error', (error) => (uncaught = error));
        // A reply that cannot be deserialised leaves its request unanswered: stop, so every request fails.
        this.#worker.on('messageerror', () => void this.#worker.terminate());
        this.#exited = new Promise((resolve) => this.#worker.once('exit', (code) => {
            this.#exit(code, uncaught);
            resolve();
        }));
    }
    /** Set once the thread stopped without being asked to: nothing can be written any more. */
    get failure() {
        return this.#failure;
    }
    request(request) {
        if (this.#failure)
            return Promise.reject(this.#failure);
        if (this.#closing)
            return Promise.reject((0,errors/* storeClosed */.mB)());
        const id = this.#nextId;
        this.#nextId += 1;
        return new Promise((resolve, reject) => {
            this.#worker.postMessage({ ...request, id });
            if (this.#pending.size === 0)
                this.#worker.ref();
            this.#pending.set(id, { resolve: resolve, reject });
        });
    }
    /** Closes the thread's connection after every request already sent, and waits for the thread to end. */
    async close() {
        // Held until the thread has ended, or a script awaiting close() would exit with its promise unsettled.
        this.#worker.ref();
        if (!this.#failure && !this.#closing) {
            const closed = this.request({ op: 'close' });
            this.#closing = true;
            // A thread that dies instead of closing has already failed what it held; there is nothing left to do.
            await closed.catch(() => undefined);
        }
        await this.#exited;
    }
    #settle(reply) {
        const pending = this.#pending.get(reply.id);
        if (!pending)
            return;
        this.#pending.delete(reply.id);
        if (this.#pending.size === 0 && !this.#closing)
            this.#worker.unref();
        if (reply.ok)
            pending.resolve(reply.value);
        else
            pending.reject(toError(reply.error));
    }
    #exit(code, uncaught) {
        if (this.#closing && this.#pending.size === 0)
            return;
        const reason = uncaught === undefined ? '' : `: ${(0,error_message/* messageOf */.b)(uncaught)}`;
        this.#failure = new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.writeFailed, `the SQLite writer thread stopped (exit code ${code})${reason}; writes are refused until the bridge restarts`, { cause: uncaught });
        this.#logger.error(`event store: ${this.#failure.message}`);
        const pending = [...this.#pending.values()];
        this.#pending.clear();
        for (const { reject } of pending)
            reject(this.#failure);
    }
}
/**
 * The thread, with the process's flags (profiling, conditions, imports) less those it may not be given: those
 * about an --eval script, which a thread started from a file refuses (`node --input-type=module -e …`
 * starting a store), and V8 or process-wide ones (--max-old-space-size, --title), which already apply to it
 * and which Node refuses by name. Node has no list of the latter, so they are learnt from its refusal.
 */
function startThread(entry, options) {
    let execArgv = withoutFlags(process.execArgv, EVAL_FLAGS, 'always');
    // Node does not always name every refused flag at once (`--title t --max-old-space-size=256` names only
    // the first): try again without each one named until none is. Each try passes fewer flags.
    for (;;) {
        try {
            return new external_node_worker_threads_.Worker(entry, { ...options, execArgv });
        }
        catch (error) {
            const refused = refusedFlags(error);
            const allowed = refused && withoutFlags(execArgv, refused, 'when-separate');
            // Nothing to leave out (Node's message has changed?): the refusal stands.
            if (!allowed || allowed.length === execArgv.length)
                throw error;
            execArgv = allowed;
        }
    }
}
/**
 * The flags named by ERR_WORKER_INVALID_EXEC_ARGV ("Initiated Worker with invalid execArgv flags: a, b"),
 * by name: `--max-old-space-size=256` as `--max-old-space-size`.
 */
function refusedFlags(error) {
    if (error.code !== 'ERR_WORKER_INVALID_EXEC_ARGV')
        return undefined;
    const list = (0,error_message/* messageOf */.b)(error).split(': ').slice(1).join(': ');
    return new Set(list.split(', ').map(flagName));
}
const EVAL_FLAGS = new Set(['-e', '--eval', '-p', '--print', '--input-type']);
const flagName = (arg) => arg.split('=', 1)[0];
/**
 * `argv` less the flags in `drop`, each with its value: written `--flag=value`, or as the next word, which
 * the eval flags always take and another flag takes when that word is not a flag itself (`--title bridge`).
 */
function withoutFlags(argv, drop, separateValue) {
    const kept = [];
    for (let index = 0; index < argv.length; index += 1) {
        const arg = argv[index];
        if (!drop.has(flagName(arg))) {
            kept.push(arg);
            continue;
        }
        const next = argv[index + 1];
        const valueNext = separateValue === 'always' || (next !== undefined && !next.startsWith('-'));
        if (!arg.includes('=') && valueNext)
            index += 1;
    }
    return kept;
}
function toError(failure) {
    return failure.code ? new errors/* StoreError */.AD(failure.code, failure.message) : new Error(failure.message);
}

;// CONCATENATED MODULE: ./src/bridge/store/sqlite.ts
// The embedded store: one SQLite file through Node's built-in node:sqlite. DatabaseSync is synchronous, and
// a COMMIT includes the WAL's fsync, so every write runs on a worker thread of its own (sqlite-writer.ts):
// while one group-commit batch is being committed and synced there, the event loop goes on parsing and
// answering requests, and the next batch forms. Reads stay here on a read-only connection: in WAL mode they
// never wait for the writer, and a read that starts after an append resolved sees it (the append resolves
// only once the writer's COMMIT returned).







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
    read: `SELECT cursor, provider, subject, type, dedupe_key, received_at, body, ${normalized_columns/* NORMALIZED_COLUMNS */.yc.join(', ')} FROM events
         WHERE provider = ? AND subject = ? AND cursor > ?
         ORDER BY cursor LIMIT ?`,
    latest: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = ? AND subject = ?',
    ping: 'SELECT 1 AS ok',
};
/**
 * Opens (or creates) the SQLite file at `options.path`. Call migrate() before the first append; it reports
 * a file that cannot be opened or configured.
 */
function createSqliteStore(options) {
    return new event_store/* LifecycleEventStore */.u(() => createSqliteBackend(options), {
        maxBatch: options.maxBatch,
        logger: options.logger,
    });
}
function createSqliteBackend(options) {
    const now = options.now ?? Date.now;
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const writer = new SqliteWriterClient({
        entry: options.writerEntry ?? WRITER_ENTRY,
        logger: options.logger ?? logger/* silentLogger */.q,
        path: options.path,
        busyTimeoutMs,
        normalizedColumns: normalized_columns/* NORMALIZED_COLUMNS */.yc,
    });
    // Opened on first use: by then migrate() has had the writer create the file and its tables.
    let reader;
    const prepared = () => {
        if (!reader) {
            const db = new external_node_sqlite_.DatabaseSync(options.path, { readOnly: true, timeout: busyTimeoutMs });
            try {
                const sql = Object.fromEntries(Object.entries(SQL).map(([name, text]) => [name, db.prepare(text)]));
                reader = { db, sql };
            }
            catch (error) {
                db.close();
                throw error;
            }
        }
        return reader.sql;
    };
    const viaWriter = (method) => (...args) => writer.request({ op: 'handoff', method, args });
    return {
        async migrate() {
            await writer.request({ op: 'migrate', appliedAt: now() });
        },
        async commit(events) {
            const results = await writer.request({ op: 'commit', rows: events.map(insertValues) });
            const appended = new append_listeners/* SubjectSet */.D();
            events.forEach((event, index) => {
                if (results[index]?.duplicate === false)
                    appended.add(event.provider, event.subject);
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
                const changes = await writer.request({
                    op: 'purge',
                    cutoff: cutoff.getTime(),
                    limit: PURGE_CHUNK,
                });
                purged += changes;
                if (changes < PURGE_CHUNK)
                    return purged;
                stillOpen();
            }
        },
        async ping() {
            // Reads would still work without the writer; the store cannot take an event, so it is not ready.
            if (writer.failure)
                throw writer.failure;
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
function insertValues(event) {
    return [
        event.provider,
        event.subject,
        event.type,
        event.dedupeKey,
        event.receivedAt.getTime(),
        event.body,
        ...(0,normalized_columns/* normalizedValues */.OB)(event),
    ];
}
function toStoredEvent(row) {
    return {
        cursor: integer(row, 'cursor'),
        provider: sqlite_row_text(row, 'provider'),
        subject: sqlite_row_text(row, 'subject'),
        type: sqlite_row_text(row, 'type'),
        dedupeKey: sqlite_row_text(row, 'dedupe_key'),
        receivedAt: new Date(integer(row, 'received_at')).toISOString(),
        body: sqlite_row_text(row, 'body'),
        ...(0,normalized_columns/* normalizedFields */.JY)(row),
    };
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
