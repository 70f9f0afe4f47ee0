export const id = 948;
export const ids = [948];
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

/***/ 68948:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createPostgresStore: () => (/* binding */ createPostgresStore)
});

// EXTERNAL MODULE: ./src/bridge/store/normalized-columns.ts
var normalized_columns = __webpack_require__(87816);
// EXTERNAL MODULE: ./node_modules/pg/esm/index.mjs
var esm = __webpack_require__(83849);
// EXTERNAL MODULE: ./src/lib/logger.ts
var lib_logger = __webpack_require__(2415);
// EXTERNAL MODULE: ./src/lib/error-message.ts
var error_message = __webpack_require__(24659);
// EXTERNAL MODULE: ./src/bridge/store/errors.ts
var errors = __webpack_require__(70152);
// EXTERNAL MODULE: ./src/bridge/store/event-store.ts + 2 modules
var event_store = __webpack_require__(74396);
// EXTERNAL MODULE: ./src/bridge/store/append-listeners.ts
var append_listeners = __webpack_require__(85807);
// EXTERNAL MODULE: ./src/bridge/store/store.ts
var store = __webpack_require__(85910);
;// CONCATENATED MODULE: ./src/bridge/store/postgres-channel.ts

/** The LISTEN/NOTIFY channel a commit announces itself on, to every bridge process on the database. */
const NOTIFY_CHANNEL = 'bridge_events';
/*
 * Payload: `provider<TAB>subject`, built in SQL by postgres-append.ts. Providers never contain a tab
 * (validate.ts), so the first tab splits the two, and both are capped well below NOTIFY's 8000-byte limit.
 */
/** The (provider, subject) a payload names; both WILDCARD for a payload this version cannot read. */
function decodeNotification(payload) {
    const tab = payload?.indexOf('\t') ?? -1;
    if (payload === undefined || tab <= 0)
        return [store/* WILDCARD */.b, store/* WILDCARD */.b];
    return [payload.slice(0, tab), payload.slice(tab + 1)];
}

;// CONCATENATED MODULE: ./src/bridge/store/postgres-locks.ts
// PostgreSQL advisory lock keys of the bridge. Advisory locks are per database and shared by every
// application on it, so the keys are arbitrary fixed 53-bit values rather than small numbers that another
// tool might also pick. Never change them: old and new bridge processes on one database must agree.
/** Held (transaction-scoped) by every transaction that inserts events: see postgres-append.ts. */
const APPEND_LOCK_KEY = 4_951_260_310_742_001;
/** Held (session-scoped) while migrations run, so concurrent bridge starts migrate one at a time. */
const MIGRATE_LOCK_KEY = 4_951_260_310_742_002;

;// CONCATENATED MODULE: ./src/bridge/store/postgres-append.ts
// One group-commit batch on PostgreSQL: a single statement, so a single round trip and a single implicit
// transaction (the extended protocol commits it at Sync, and pg resolves the query only after
// ReadyForQuery, i.e. after the commit), whatever the batch size.
//
// Why every insert first takes pg_advisory_xact_lock(APPEND_LOCK_KEY):
// identity/bigserial values are handed out when a row is inserted, not when its transaction commits. With
// two transactions in flight (two bridge processes on one database), A can draw cursor 10, B cursor 11,
// and B can commit first. A reader that queries in between sees 11, moves its cursor to 11, and never reads
// 10 once A commits: an acknowledged webhook silently skipped. Holding one database-wide lock from before
// the first cursor is drawn until the commit makes cursor order and commit order the same: a transaction
// draws cursors only after every earlier one has committed (PostgreSQL releases transaction locks after the
// commit is visible to new snapshots), so "I can see cursor N" implies "every cursor below N that will ever
// exist is visible too". Readers need no safety margin and no gap scan. The price is that inserts are
// serial across processes; group commit makes each turn of the lock carry a whole batch, so the lock is
// taken once per fsync, not once per event.
//
// The lock is the statement's first step rather than a separate statement: rows reach the INSERT (whose
// identity default draws the cursor) only through a join with the materialized `lock` CTE, and no join can
// emit a row before evaluating both sides, so the lock is always held before the first cursor is drawn.
// That saves two round trips per batch (BEGIN + lock, COMMIT) and shortens how long the lock is held to
// the server's own work plus the commit flush.




// unnest turns the column arrays into rows (no per-row round trip, no parameter-count limit); ON CONFLICT
// skips keys already stored; pg_notify is queued by the transaction and delivered only when it commits, to
// every LISTEN session of every bridge process. Only inserted rows come back: looking up duplicates here
// too would cost an index probe per batch for the rare case.
const COLUMNS = normalized_columns/* NORMALIZED_COLUMNS */.yc.join(', ');
const INSERT_BATCH = {
    name: 'bridge_append_batch',
    text: `
WITH lock AS MATERIALIZED (
  SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})
), input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
    WITH ORDINALITY AS t(provider, subject, type, dedupe_key, received_at, body, ${COLUMNS}, position)
), inserted AS (
  INSERT INTO events (provider, subject, type, dedupe_key, received_at, body, ${COLUMNS})
  SELECT provider, subject, type, dedupe_key, received_at, body, ${COLUMNS}
  FROM input CROSS JOIN lock ORDER BY position
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING cursor, provider, subject, dedupe_key
), notified AS (
  SELECT count(pg_notify('${NOTIFY_CHANNEL}', provider || E'\\t' || subject)) AS subjects
  FROM (SELECT DISTINCT provider, subject FROM inserted) AS appended
)
SELECT cursor, dedupe_key, (SELECT subjects FROM notified) FROM inserted`,
};
// The cursors of keys that were already stored, after the batch committed. Runs only when a batch had
// duplicates.
const FIND_BY_KEYS = 'SELECT cursor, dedupe_key FROM events WHERE dedupe_key = ANY($1::text[])';
/** Writes `events` in one transaction on `client`; resolves once it has committed. */
async function appendBatch(client, events) {
    // The first event with a key is the one stored; later ones in the same batch are its duplicates.
    const unique = new Map();
    for (const event of events)
        if (!unique.has(event.dedupeKey))
            unique.set(event.dedupeKey, event);
    const rows = [...unique.values()];
    // synchronous_commit=on (PostgreSQL's default) makes the commit wait for the WAL flush.
    const inserted = await client.query({
        ...INSERT_BATCH,
        values: [
            rows.map((event) => event.provider),
            rows.map((event) => event.subject),
            rows.map((event) => event.type),
            rows.map((event) => event.dedupeKey),
            rows.map((event) => event.receivedAt.toISOString()),
            rows.map((event) => event.body),
            ...normalized_columns/* NORMALIZED_COLUMNS */.yc.map((_, column) => rows.map((event) => (0,normalized_columns/* normalizedValues */.OB)(event)[column] ?? null)),
        ],
    });
    const stored = new Map();
    for (const row of inserted.rows)
        stored.set(row.dedupe_key, { cursor: Number(row.cursor), duplicate: false });
    const missing = rows.filter((event) => !stored.has(event.dedupeKey)).map((event) => event.dedupeKey);
    if (missing.length > 0) {
        const found = await client.query(FIND_BY_KEYS, [missing]);
        for (const row of found.rows)
            stored.set(row.dedupe_key, { cursor: Number(row.cursor), duplicate: true });
    }
    const appended = new append_listeners/* SubjectSet */.D();
    for (const event of rows) {
        if (stored.get(event.dedupeKey)?.duplicate === false)
            appended.add(event.provider, event.subject);
    }
    return { results: resultsInOrder(events, stored), appended };
}
function resultsInOrder(events, stored) {
    const seen = new Set();
    return events.map((event) => {
        const row = stored.get(event.dedupeKey);
        // Cannot happen: every key was either inserted or conflicted with a committed row.
        if (!row)
            throw new Error('append: the database returned no row for a dedupe key');
        const duplicate = row.duplicate || seen.has(event.dedupeKey);
        seen.add(event.dedupeKey);
        return { cursor: row.cursor, duplicate };
    });
}

// EXTERNAL MODULE: ./src/bridge/store/handoff-store.ts
var handoff_store = __webpack_require__(80209);
;// CONCATENATED MODULE: ./src/bridge/store/postgres-handoffs.ts


// Handoffs on PostgreSQL, shared by every replica: a claim takes due, free rows with FOR UPDATE SKIP LOCKED,
// so two replicas claiming at once never take the same handoff, and neither waits for the other.
const CLAIM = `
UPDATE handoffs SET claimed_by = $1, claimed_until = $2
WHERE id IN (
  SELECT id FROM handoffs
  WHERE state = $5 AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
  ORDER BY next_attempt_at LIMIT $4
  FOR UPDATE SKIP LOCKED
)
RETURNING *`;
function createPostgresHandoffs(pool) {
    return {
        async register({ id, repository, request, now }) {
            const { rows } = await pool.query(`INSERT INTO handoffs (id, repository, request, state, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5, $5) ON CONFLICT (id) DO NOTHING RETURNING *`, [id, repository, JSON.stringify(request), handoff_store/* HANDOFF_STATE */.pp.following, now]);
            if (!rows[0])
                throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.invalidEvent, `a handoff ${id} is already registered`);
            return (0,handoff_store/* toStoredHandoff */.Nn)(rows[0]);
        },
        async get(id) {
            const { rows } = await pool.query('SELECT * FROM handoffs WHERE id = $1', [id]);
            return rows[0] ? (0,handoff_store/* toStoredHandoff */.Nn)(rows[0]) : null;
        },
        async claim(owner, now, leaseMs, limit) {
            const { rows } = await pool.query(CLAIM, [owner, now + leaseMs, now, limit, handoff_store/* HANDOFF_STATE */.pp.following]);
            return rows.map(handoff_store/* toStoredHandoff */.Nn).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
        },
        async update(id, owner, now, patch) {
            const columns = (0,handoff_store/* patchColumns */.iS)(patch, now);
            const result = await pool.query(`UPDATE handoffs SET ${columns.map(([name], i) => `${name} = $${i + 1}`).join(', ')}
         WHERE id = $${columns.length + 1} AND claimed_by = $${columns.length + 2}`, [...columns.map(([, value]) => value), id, owner]);
            return result.rowCount === 1;
        },
        async countOpen() {
            const { rows } = await pool.query('SELECT count(*)::int AS open FROM handoffs WHERE state = $1', [
                handoff_store/* HANDOFF_STATE */.pp.following,
            ]);
            return Number(rows[0]?.open ?? 0);
        },
    };
}

;// CONCATENATED MODULE: ./src/bridge/store/postgres-checkout.ts
/**
 * pool.connect() with an 'error' listener for as long as the connection is checked out. When a checked-out
 * connection drops between two queries (a database outage, a killed backend), pg has no query to fail and
 * emits 'error' on the client instead; the pool listens only while the client is idle, so without this the
 * event is unhandled and takes the whole bridge down. The next query on the client fails anyway, which is
 * where the caller learns of it, so the listener only has to exist.
 */
async function checkOut(pool) {
    const client = await pool.connect();
    const ignore = () => undefined;
    client.on('error', ignore);
    return {
        client,
        release(destroy) {
            client.off('error', ignore);
            client.release(destroy);
        },
    };
}

// EXTERNAL MODULE: ./src/lib/clock.ts
var clock = __webpack_require__(84517);
;// CONCATENATED MODULE: ./src/bridge/store/postgres-listener.ts
// The LISTEN side of cross-process wake-ups. It holds its own connection, never a pooled one: LISTEN is
// a property of the session, and a pooled client would be handed to other queries and recycled.
// PostgreSQL does not queue notifications for a session that is gone, so after any reconnect the store
// tells every reader to re-query (onListening): a missed notification delays nobody and loses nothing.



/** How the listen connection shows in pg_stat_activity, for operators (and the reconnect test). */
const LISTEN_APPLICATION_NAME = 'release-bridge-listen';
class NotificationListener {
    #options;
    #stop = new AbortController();
    #client;
    #connecting;
    #started = false;
    constructor(options) {
        this.#options = options;
    }
    /** Connects in the background and stays connected (retrying with backoff) until close(). Idempotent. */
    start() {
        if (this.#started)
            return;
        this.#started = true;
        this.#reconnect();
    }
    async close() {
        this.#stop.abort();
        await this.#connecting;
        const client = this.#client;
        this.#client = undefined;
        await client?.end().catch(() => undefined);
    }
    async #connectLoop() {
        const { backoff, logger } = this.#options;
        for (let attempt = 0; !this.#stop.signal.aborted; attempt += 1) {
            if (attempt > 0) {
                const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
                // Jitter, so a fleet of bridges does not reconnect in lockstep after a database restart.
                await clock/* systemClock */.m.sleep(delay / 2 + Math.random() * (delay / 2), this.#stop.signal);
                if (this.#stop.signal.aborted)
                    break;
            }
            const client = new esm/* Client */.Kj({
                connectionString: this.#options.connectionString,
                application_name: LISTEN_APPLICATION_NAME,
                // A half-open TCP connection would otherwise look like a quiet channel forever.
                keepAlive: true,
                keepAliveInitialDelayMillis: 10_000,
                connectionTimeoutMillis: 10_000,
                // Bounds the heartbeat: a SELECT 1 that gets no answer this long means the connection is gone.
                query_timeout: this.#options.heartbeatMs,
            });
            // pg emits 'error' on a dropped connection; without a handler that would crash the process.
            client.on('error', (error) => logger.warn(`event store: LISTEN connection error: ${(0,error_message/* messageOf */.b)(error)}`));
            try {
                await client.connect();
                await client.query(`LISTEN ${this.#options.channel}`);
            }
            catch (error) {
                logger.warn(`event store: LISTEN connection failed (attempt ${attempt + 1}): ${(0,error_message/* messageOf */.b)(error)}`);
                await client.end().catch(() => undefined);
                continue;
            }
            if (this.#stop.signal.aborted) {
                await client.end().catch(() => undefined);
                break;
            }
            this.#client = client;
            client.on('notification', (message) => this.#options.onNotification(message.payload));
            const heartbeat = setInterval(() => {
                // Destroying the socket ends the client, and 'end' reconnects.
                client.query('SELECT 1').catch(() => client.connection.stream.destroy());
            }, this.#options.heartbeatMs).unref();
            client.once('end', () => {
                clearInterval(heartbeat);
                this.#lost(client);
            });
            this.#options.onListening();
            break;
        }
    }
    #lost(client) {
        if (this.#client !== client || this.#stop.signal.aborted)
            return;
        this.#client = undefined;
        this.#options.logger.warn('event store: LISTEN connection lost; reconnecting');
        this.#reconnect();
    }
    #reconnect() {
        const connecting = this.#connectLoop().finally(() => {
            if (this.#connecting === connecting)
                this.#connecting = undefined;
        });
        this.#connecting = connecting;
    }
}

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

;// CONCATENATED MODULE: ./src/bridge/migrations/004-handoff-repository-nullable.ts
// A handoff registered with BRIDGE_HANDOFF_TOKEN (the CLI, from another CI) has no repository: the bridge only
// notifies for it and never calls GitHub. Its repository column becomes nullable; every row stored before keeps
// its repository. SQLite cannot drop NOT NULL in place, so the small table is rebuilt (create, copy, drop,
// rename: SQLite's documented procedure), inside the migration's one transaction; its index goes with the old
// table and is made again.
const handoffRepositoryNullableMigration = {
    version: 4,
    name: 'handoff-repository-nullable',
    sqlite: `
CREATE TABLE handoffs_rebuilt (
  id TEXT PRIMARY KEY,
  repository TEXT,
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
INSERT INTO handoffs_rebuilt (id, repository, request, state, outcome, detail, cursor, attempts,
    next_attempt_at, claimed_by, claimed_until, created_at, updated_at)
  SELECT id, repository, request, state, outcome, detail, cursor, attempts,
    next_attempt_at, claimed_by, claimed_until, created_at, updated_at
  FROM handoffs;
DROP TABLE handoffs;
ALTER TABLE handoffs_rebuilt RENAME TO handoffs;
CREATE INDEX handoffs_open ON handoffs (state, next_attempt_at);
`,
    postgres: `
ALTER TABLE handoffs ALTER COLUMN repository DROP NOT NULL;
`,
};

;// CONCATENATED MODULE: ./src/bridge/migrations/index.ts




/** Every migration, in the order they apply. Append new ones; never edit one that has shipped. */
const MIGRATIONS = [
    eventsMigration,
    normalizedMigration,
    handoffsMigration,
    handoffRepositoryNullableMigration,
];

;// CONCATENATED MODULE: ./src/bridge/store/postgres-migrate.ts





/**
 * Applies the migrations the database has not recorded yet, each in its own transaction. Several bridge
 * replicas start at once: a session advisory lock lets one migrate while the others wait, then find every
 * version recorded. (Without it two CREATE TABLE IF NOT EXISTS can still collide in the catalog.)
 */
async function migratePostgres(pool, migrations = MIGRATIONS) {
    const { client, release } = await checkOut(pool);
    let broken;
    try {
        await client.query(`SELECT pg_advisory_lock(${MIGRATE_LOCK_KEY})`);
        try {
            await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`);
            const { rows } = await client.query('SELECT version FROM schema_migrations');
            const applied = new Set(rows.map((row) => row.version));
            for (const migration of migrations) {
                if (applied.has(migration.version))
                    continue;
                try {
                    await client.query('BEGIN');
                    // No parameters: the simple protocol runs the migration's several statements in one go.
                    await client.query(migration.postgres);
                    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
                    await client.query('COMMIT');
                }
                catch (error) {
                    await client.query('ROLLBACK').catch(() => undefined);
                    throw new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.migration, `PostgreSQL migration ${migration.version} (${migration.name}) failed: ${(0,error_message/* messageOf */.b)(error)}`, { cause: error });
                }
            }
        }
        finally {
            await client.query(`SELECT pg_advisory_unlock(${MIGRATE_LOCK_KEY})`);
        }
    }
    catch (error) {
        // A session lock dies with its connection: destroy it rather than return it to the pool still locked.
        broken = error instanceof Error ? error : new Error((0,error_message/* messageOf */.b)(error));
        throw error;
    }
    finally {
        release(broken);
    }
}

;// CONCATENATED MODULE: ./src/bridge/store/postgres.ts
// The shared store: several bridge processes (replicas behind a load balancer) on one PostgreSQL database.
// Appends go through group commit (postgres-append.ts, which also explains the cursor-order lock); reads
// use the pool; wake-ups cross processes through LISTEN/NOTIFY (postgres-listener.ts).













const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_LISTEN_BACKOFF = { initialMs: 100, maxMs: 5_000 };
const LISTEN_HEARTBEAT_MS = 15_000;
const READ = {
    name: 'bridge_read',
    text: `SELECT cursor, provider, subject, type, dedupe_key, received_at, body, ${normalized_columns/* NORMALIZED_COLUMNS */.yc.join(', ')} FROM events
         WHERE provider = $1 AND subject = $2 AND cursor > $3
         ORDER BY cursor LIMIT $4`,
};
const LATEST = {
    name: 'bridge_latest_cursor',
    text: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = $1 AND subject = $2',
};
const PURGE = { name: 'bridge_purge', text: 'DELETE FROM events WHERE received_at < $1' };
/** A store on the database at `connectionString`. Connects lazily; call migrate() before the first append. */
function createPostgresStore(options) {
    return new event_store/* LifecycleEventStore */.u((hooks) => createPostgresBackend(options, hooks), {
        maxBatch: options.maxBatch,
        logger: options.logger,
    });
}
function createPostgresBackend(options, hooks) {
    const logger = options.logger ?? lib_logger/* silentLogger */.q;
    const pool = new esm/* Pool */.bC({
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
    pool.on('error', (error) => logger.warn(`event store: idle connection error: ${(0,error_message/* messageOf */.b)(error)}`));
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
        onListening: () => hooks.emit(store/* WILDCARD */.b, store/* WILDCARD */.b),
        logger,
        backoff: options.listenBackoff ?? DEFAULT_LISTEN_BACKOFF,
        heartbeatMs: LISTEN_HEARTBEAT_MS,
    });
    return {
        migrate: () => migratePostgres(pool),
        async commit(events) {
            let connection;
            try {
                connection = await checkOut(pool);
            }
            catch (error) {
                throw writeFailed(error);
            }
            let batch;
            try {
                batch = await appendBatch(connection.client, events);
            }
            catch (error) {
                // The connection may be mid-transaction or dead: destroy it rather than hand it to the next caller.
                connection.release(true);
                throw writeFailed(error);
            }
            connection.release();
            return batch;
        },
        async read(query) {
            const { rows } = await pool.query({
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
                ...(0,normalized_columns/* normalizedFields */.JY)(row),
            }));
        },
        async latestCursor(provider, subject) {
            const { rows } = await pool.query({ ...LATEST, values: [provider, subject] });
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
const writeFailed = (error) => new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.writeFailed, `PostgreSQL append failed: ${(0,error_message/* messageOf */.b)(error)}`, {
    cause: error,
});


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
