// PostgreSQL advisory lock keys of the bridge. Advisory locks are per database and shared by every
// application on it, so the keys are arbitrary fixed 53-bit values rather than small numbers that another
// tool might also pick. Never change them: old and new bridge processes on one database must agree.

/** Held (transaction-scoped) by every transaction that inserts events: see postgres-append.ts. */
export const APPEND_LOCK_KEY = 4_951_260_310_742_001;

/** Held (session-scoped) while migrations run, so concurrent bridge starts migrate one at a time. */
export const MIGRATE_LOCK_KEY = 4_951_260_310_742_002;
