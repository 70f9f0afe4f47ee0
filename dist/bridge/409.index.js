export const id = 409;
export const ids = [409];
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

/***/ 9409:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createPostgresStore: () => (/* binding */ createPostgresStore)
});

// UNUSED EXPORTS: PostgresEventStore

// EXTERNAL MODULE: ./node_modules/pg/esm/index.mjs
var esm = __webpack_require__(3849);
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
// EXTERNAL MODULE: ./src/bridge/store/store.ts
var store = __webpack_require__(5910);
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
const INSERT_BATCH = {
    name: 'bridge_append_batch',
    text: `
WITH lock AS MATERIALIZED (
  SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})
), input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
    WITH ORDINALITY AS t(provider, subject, type, dedupe_key, received_at, body, position)
), inserted AS (
  INSERT INTO events (provider, subject, type, dedupe_key, received_at, body)
  SELECT provider, subject, type, dedupe_key, received_at, body FROM input CROSS JOIN lock ORDER BY position
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

;// CONCATENATED MODULE: ./src/lib/clock.ts
const realSleep = (ms, signal) => new Promise((resolve) => {
    if (signal?.aborted)
        return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
});
const systemClock = { now: () => Date.now(), sleep: realSleep };
/**
 * A clock whose time runs `1 / scale` times faster than real time, starting now: with scale 0.001 a
 * two-minute rate-limit wait takes 120 real milliseconds. Pair it with the simulator's own time scale.
 */
function createScaledClock(scale, start = Date.now()) {
    if (!(scale > 0))
        throw new RangeError('scale must be positive');
    const realStart = Date.now();
    return {
        now: () => start + (Date.now() - realStart) / scale,
        sleep: (ms, signal) => realSleep(ms * scale, signal),
    };
}

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
                await systemClock.sleep(delay / 2 + Math.random() * (delay / 2), this.#stop.signal);
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

// EXTERNAL MODULE: ./src/bridge/migrations/index.ts + 1 modules
var bridge_migrations = __webpack_require__(2701);
;// CONCATENATED MODULE: ./src/bridge/store/postgres-migrate.ts




/**
 * Applies the migrations the database has not recorded yet, each in its own transaction. Several bridge
 * replicas start at once: a session advisory lock lets one migrate while the others wait, then find every
 * version recorded. (Without it two CREATE TABLE IF NOT EXISTS can still collide in the catalog.)
 */
async function migratePostgres(pool, migrations = bridge_migrations/* MIGRATIONS */.o) {
    const client = await pool.connect();
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
        client.release(broken);
    }
}

// EXTERNAL MODULE: ./src/bridge/store/validate.ts
var validate = __webpack_require__(3214);
;// CONCATENATED MODULE: ./src/bridge/store/postgres.ts
// The shared store: several bridge processes (replicas behind a load balancer) on one PostgreSQL database.
// Appends go through group commit (postgres-append.ts, which also explains the cursor-order lock); reads
// use the pool; wake-ups cross processes through LISTEN/NOTIFY (postgres-listener.ts).












const DEFAULT_POOL_SIZE = 10;
const DEFAULT_MAX_BATCH = 256;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_LISTEN_BACKOFF = { initialMs: 100, maxMs: 5_000 };
const LISTEN_HEARTBEAT_MS = 15_000;
const READ = {
    name: 'bridge_read',
    text: `SELECT cursor, provider, subject, type, received_at, body FROM events
         WHERE provider = $1 AND subject = $2 AND cursor > $3
         ORDER BY cursor LIMIT $4`,
};
const LATEST = {
    name: 'bridge_latest_cursor',
    text: 'SELECT coalesce(max(cursor), 0) AS cursor FROM events WHERE provider = $1 AND subject = $2',
};
const PURGE = { name: 'bridge_purge', text: 'DELETE FROM events WHERE received_at < $1' };
class PostgresEventStore {
    #pool;
    #queue;
    #listeners;
    #listener;
    #closing;
    constructor(options) {
        const logger = options.logger ?? lib_logger/* silentLogger */.q;
        this.#pool = new esm/* Pool */.bC({
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
        this.#pool.on('error', (error) => logger.warn(`event store: idle connection error: ${(0,error_message/* messageOf */.b)(error)}`));
        this.#queue = new group_commit/* GroupCommitQueue */.m({
            maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
            commit: (events) => this.#commit(events),
        });
        this.#listeners = new append_listeners/* AppendListeners */.q((error) => logger.error(`event store: an onAppend listener threw: ${(0,error_message/* messageOf */.b)(error)}`));
        this.#listener = new NotificationListener({
            connectionString: options.connectionString,
            channel: NOTIFY_CHANNEL,
            onNotification: (payload) => {
                const [provider, subject] = decodeNotification(payload);
                this.#listeners.emit(provider, subject);
            },
            // Notifications sent while LISTEN was down are gone: every reader re-queries.
            onListening: () => this.#listeners.emit(store/* WILDCARD */.b, store/* WILDCARD */.b),
            logger,
            backoff: options.listenBackoff ?? DEFAULT_LISTEN_BACKOFF,
            heartbeatMs: LISTEN_HEARTBEAT_MS,
        });
    }
    async migrate() {
        this.#assertOpen();
        await migratePostgres(this.#pool);
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
        const { rows } = await this.#pool.query({
            ...READ,
            values: [query.provider, query.subject, query.after, query.limit],
        });
        return rows.map((row) => ({
            cursor: Number(row.cursor),
            provider: row.provider,
            subject: row.subject,
            type: row.type,
            receivedAt: row.received_at.toISOString(),
            body: row.body,
        }));
    }
    async latestCursor(provider, subject) {
        this.#assertOpen();
        const { rows } = await this.#pool.query({ ...LATEST, values: [provider, subject] });
        return Number(rows[0]?.cursor ?? 0);
    }
    async purgeOlderThan(cutoff) {
        this.#assertOpen();
        // One statement: PostgreSQL deletes never block inserts, so there is nothing to gain from chunking.
        const result = await this.#pool.query({ ...PURGE, values: [cutoff.toISOString()] });
        return result.rowCount ?? 0;
    }
    async ping() {
        this.#assertOpen();
        await this.#pool.query('SELECT 1');
    }
    /**
     * Also called for appends made by other processes on the database, and with (WILDCARD, WILDCARD) each
     * time the LISTEN connection is (re)established, including the first time. An append of this process
     * may be reported twice (in-process, then through NOTIFY).
     */
    onAppend(listener) {
        // LISTEN starts with the first subscriber: a store used only to migrate or purge never opens it.
        if (!this.#closing)
            this.#listener.start();
        return this.#listeners.add(listener);
    }
    close() {
        this.#closing ??= (async () => {
            await this.#queue.drain();
            await this.#listener.close();
            await this.#pool.end();
        })();
        return this.#closing;
    }
    /** Group-commit counters, for tests and metrics. */
    stats() {
        return this.#queue.stats();
    }
    async #commit(events) {
        let client;
        try {
            client = await this.#pool.connect();
        }
        catch (error) {
            throw writeFailed(error);
        }
        let outcome;
        try {
            outcome = await appendBatch(client, events);
        }
        catch (error) {
            // The connection may be mid-transaction or dead: destroy it rather than hand it to the next caller.
            client.release(true);
            throw writeFailed(error);
        }
        client.release();
        // In-process wake-up right after COMMIT: the fastest path, and it works while LISTEN is reconnecting.
        this.#listeners.emitAll(outcome.appended);
        return outcome.results;
    }
    #assertOpen() {
        if (this.#closing)
            throw (0,errors/* storeClosed */.mB)();
    }
}
/** A store on the database at `connectionString`. Connects lazily; call migrate() before the first append. */
function createPostgresStore(options) {
    return new PostgresEventStore(options);
}
const writeFailed = (error) => new errors/* StoreError */.AD(errors/* STORE_ERROR_CODE */.ZK.writeFailed, `PostgreSQL append failed: ${(0,error_message/* messageOf */.b)(error)}`, {
    cause: error,
});


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
