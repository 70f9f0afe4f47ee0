// The bridge's one storage interface. SQLite (node:sqlite, the embedded default) and PostgreSQL (several
// bridge processes on one database) implement it; test/contract runs one suite against both.

import type { Links, Phase } from '../../webhooks/event.ts';
import type { HandoffStore } from './handoff-store.ts';

/**
 * The normalised event stored beside the raw body (DESIGN §7), so readers need no provider parser. Null
 * where nothing was normalised (rows a migration could not fill in, appends that left them out).
 */
export interface NormalizedColumns {
  phase: Phase | null;
  /** The provider's own time of the event, as it wrote it. */
  occurredAt: string | null;
  scope: string | null;
  status: string | null;
  detail: string | null;
  links: Links;
}

/** An event as the bridge stores it: append-only, ordered by `cursor`. */
export interface StoredEvent extends NormalizedColumns {
  /** Monotonically increasing across the whole table; readers resume after it. */
  cursor: number;
  provider: string;
  /** What a job follows: the build's uploadId for Streampixel. */
  subject: string;
  /** The event name, e.g. build.approved. */
  type: string;
  /** The event's identity, unique in the store. */
  dedupeKey: string;
  /** When the bridge received it, ISO 8601. */
  receivedAt: string;
  /** The request body exactly as received (UTF-8 text of the JSON). */
  body: string;
}

export interface NewEvent extends Partial<NormalizedColumns> {
  provider: string;
  subject: string;
  type: string;
  /** Unique per logical event: a re-sent event is acknowledged but stored once. */
  dedupeKey: string;
  receivedAt: Date;
  body: string;
}

export interface AppendResult {
  cursor: number;
  duplicate: boolean;
}

export interface ReadQuery {
  provider: string;
  subject: string;
  /** Exclusive: events with a cursor above this. 0 reads from the start. */
  after: number;
  limit: number;
}

/**
 * Passed as both `provider` and `subject` when notifications may have been missed (the PostgreSQL LISTEN
 * connection was (re)established): wake every reader so it re-queries.
 */
export const WILDCARD = '*';

/**
 * Something was appended for (provider, subject); wake its readers so they re-query. Both arguments are
 * {@link WILDCARD} when any subject may have changed.
 */
export type AppendListener = (provider: string, subject: string) => void;

export interface EventStore {
  /** The handoffs (DESIGN §10), in the same database. */
  readonly handoffs: HandoffStore;
  /** Applies the numbered migrations not applied yet. Safe to run from several processes at once. */
  migrate(): Promise<void>;
  /**
   * Resolves only once the event is durable (committed and synced). Concurrent appends share one
   * transaction (group commit), so acks stay fast under load.
   */
  append(event: NewEvent): Promise<AppendResult>;
  read(query: ReadQuery): Promise<StoredEvent[]>;
  /** The highest cursor stored for (provider, subject), or 0: where a reader that wants only new events starts. */
  latestCursor(provider: string, subject: string): Promise<number>;
  /** Deletes events received before `cutoff`; returns how many. */
  purgeOlderThan(cutoff: Date): Promise<number>;
  /** Throws when the database cannot be reached (readiness). */
  ping(): Promise<void>;
  /**
   * A failure this store cannot recover from without a restart (SQLite's writer thread died), else null.
   * A database that is only unreachable is not broken: it is retried, and readiness says so.
   */
  broken(): Error | null;
  /**
   * Calls `listener` after appends, from this process and (PostgreSQL) from every other process on the
   * same database. Notifications may be lost or spurious: readers must re-query, never trust them.
   * Returns an unsubscribe function.
   */
  onAppend(listener: AppendListener): () => void;
  /** Flushes pending appends, then closes. */
  close(): Promise<void>;
}
