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

import { NORMALIZED_COLUMNS, normalizedValues } from './normalized-columns.ts';
import type { PoolClient } from 'pg';
import { SubjectSet } from './append-listeners.ts';
import { NOTIFY_CHANNEL } from './postgres-channel.ts';
import { APPEND_LOCK_KEY } from './postgres-locks.ts';
import type { AppendResult, NewEvent } from './store.ts';

// unnest turns the column arrays into rows (no per-row round trip, no parameter-count limit); ON CONFLICT
// skips keys already stored; pg_notify is queued by the transaction and delivered only when it commits, to
// every LISTEN session of every bridge process. Only inserted rows come back: looking up duplicates here
// too would cost an index probe per batch for the rare case.
const COLUMNS = NORMALIZED_COLUMNS.join(', ');
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

interface KeyRow {
  cursor: string;
  dedupe_key: string;
}

export interface AppendedBatch {
  /** One per event, in order. */
  results: AppendResult[];
  /** The subjects that gained a row: duplicates wake nobody. */
  appended: SubjectSet;
}

/** Writes `events` in one transaction on `client`; resolves once it has committed. */
export async function appendBatch(client: PoolClient, events: readonly NewEvent[]): Promise<AppendedBatch> {
  // The first event with a key is the one stored; later ones in the same batch are its duplicates.
  const unique = new Map<string, NewEvent>();
  for (const event of events) if (!unique.has(event.dedupeKey)) unique.set(event.dedupeKey, event);
  const rows = [...unique.values()];

  // synchronous_commit=on (PostgreSQL's default) makes the commit wait for the WAL flush.
  const inserted = await client.query<KeyRow>({
    ...INSERT_BATCH,
    values: [
      rows.map((event) => event.provider),
      rows.map((event) => event.subject),
      rows.map((event) => event.type),
      rows.map((event) => event.dedupeKey),
      rows.map((event) => event.receivedAt.toISOString()),
      rows.map((event) => event.body),
      ...NORMALIZED_COLUMNS.map((_, column) => rows.map((event) => normalizedValues(event)[column] ?? null)),
    ],
  });
  const stored = new Map<string, { cursor: number; duplicate: boolean }>();
  for (const row of inserted.rows)
    stored.set(row.dedupe_key, { cursor: Number(row.cursor), duplicate: false });

  const missing = rows.filter((event) => !stored.has(event.dedupeKey)).map((event) => event.dedupeKey);
  if (missing.length > 0) {
    const found = await client.query<KeyRow>(FIND_BY_KEYS, [missing]);
    for (const row of found.rows) stored.set(row.dedupe_key, { cursor: Number(row.cursor), duplicate: true });
  }

  const appended = new SubjectSet();
  for (const event of rows) {
    if (stored.get(event.dedupeKey)?.duplicate === false) appended.add(event.provider, event.subject);
  }
  return { results: resultsInOrder(events, stored), appended };
}

function resultsInOrder(
  events: readonly NewEvent[],
  stored: ReadonlyMap<string, { cursor: number; duplicate: boolean }>,
): AppendResult[] {
  const seen = new Set<string>();
  return events.map((event) => {
    const row = stored.get(event.dedupeKey);
    // Cannot happen: every key was either inserted or conflicted with a committed row.
    if (!row) throw new Error('append: the database returned no row for a dedupe key');
    const duplicate = row.duplicate || seen.has(event.dedupeKey);
    seen.add(event.dedupeKey);
    return { cursor: row.cursor, duplicate };
  });
}
