// The durable list of handoffs (DESIGN §10), beside the events in the same database. The store keeps a
// handoff's request opaque (JSON the handoff module validates) and its progress; the lease fields make sure
// that at any time one replica at most works on a handoff.

export const HANDOFF_STATE = { following: 'following', finished: 'finished' } as const;
export type HandoffState = (typeof HANDOFF_STATE)[keyof typeof HANDOFF_STATE];

export interface NewHandoff {
  id: string;
  /**
   * owner/name, from the verified OIDC token: the only repository the bridge acts on for it. null: registered
   * with BRIDGE_HANDOFF_TOKEN (other CI): the bridge never calls GitHub for it, it only notifies.
   */
  repository: string | null;
  /** What to follow and what to do at the end; JSON-serialisable. */
  request: unknown;
  /** Epoch ms: created_at, and when it is first due. */
  now: number;
}

export interface StoredHandoff {
  id: string;
  /** null: a handoff registered with the handoff token, which has no repository (NewHandoff). */
  repository: string | null;
  request: unknown;
  state: HandoffState;
  outcome: string | null;
  detail: string | null;
  /** The events of its subject read so far. */
  cursor: number;
  /** Failed attempts at the GitHub calls that finish it. */
  attempts: number;
  nextAttemptAt: number;
  claimedBy: string | null;
  claimedUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Progress saved by the replica that holds the lease. */
export interface HandoffPatch {
  state?: HandoffState;
  outcome?: string | null;
  detail?: string | null;
  cursor?: number;
  attempts?: number;
  nextAttemptAt?: number;
  /** Give the lease up now (finished, or waiting for its next attempt). */
  release?: boolean;
}

export interface HandoffStore {
  /** Stores a new handoff; the same id twice is refused (StoreError invalid-event). */
  register(handoff: NewHandoff): Promise<StoredHandoff>;
  get(id: string): Promise<StoredHandoff | null>;
  /**
   * Takes the lease of up to `limit` handoffs that are still following, due (`nextAttemptAt` ≤ now) and
   * free (no lease, or one that ran out), for `owner` until now + leaseMs. Never one another owner holds.
   */
  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<StoredHandoff[]>;
  /** Saves progress; false when `owner` no longer holds the lease (it ran out and another replica took it). */
  update(id: string, owner: string, now: number, patch: HandoffPatch): Promise<boolean>;
  /** How many handoffs are still following (for the bridge_handoffs_open gauge). */
  countOpen(): Promise<number>;
}

/** The row's columns as both backends name them, in the order their statements use. */
export const HANDOFF_COLUMNS = [
  'id',
  'repository',
  'request',
  'state',
  'outcome',
  'detail',
  'cursor',
  'attempts',
  'next_attempt_at',
  'claimed_by',
  'claimed_until',
  'created_at',
  'updated_at',
] as const;

const num = (value: unknown): number => (typeof value === 'bigint' ? Number(value) : Number(value));
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A row, as either driver returns it, as a handoff. */
export function toStoredHandoff(row: Record<string, unknown>): StoredHandoff {
  return {
    id: String(row['id']),
    repository: typeof row['repository'] === 'string' ? row['repository'] : null,
    request: JSON.parse(String(row['request'])) as unknown,
    state: row['state'] === HANDOFF_STATE.finished ? HANDOFF_STATE.finished : HANDOFF_STATE.following,
    outcome: text(row['outcome']),
    detail: text(row['detail']),
    cursor: num(row['cursor']),
    attempts: num(row['attempts']),
    nextAttemptAt: num(row['next_attempt_at']),
    claimedBy: text(row['claimed_by']),
    claimedUntil:
      row['claimed_until'] === null || row['claimed_until'] === undefined ? null : num(row['claimed_until']),
    createdAt: num(row['created_at']),
    updatedAt: num(row['updated_at']),
  };
}

/** The columns a patch sets, with their values (`release` clears the lease). */
export function patchColumns(patch: HandoffPatch, now: number): Array<[string, unknown]> {
  const columns: Array<[string, unknown]> = [['updated_at', now]];
  if (patch.state !== undefined) columns.push(['state', patch.state]);
  if (patch.outcome !== undefined) columns.push(['outcome', patch.outcome]);
  if (patch.detail !== undefined) columns.push(['detail', patch.detail]);
  if (patch.cursor !== undefined) columns.push(['cursor', patch.cursor]);
  if (patch.attempts !== undefined) columns.push(['attempts', patch.attempts]);
  if (patch.nextAttemptAt !== undefined) columns.push(['next_attempt_at', patch.nextAttemptAt]);
  if (patch.release) columns.push(['claimed_by', null], ['claimed_until', null]);
  return columns;
}
