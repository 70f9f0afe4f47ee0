import { STORE_ERROR_CODE, StoreError } from './errors.ts';
import type { NewEvent, ReadQuery } from './store.ts';

/**
 * Key fields are indexed: PostgreSQL refuses B-tree entries above ~2.7 kB, so both stores cap them at the
 * same size and an event that would fail on one database fails the same way on the other.
 */
export const MAX_KEY_BYTES = 1024;

/**
 * Providers are names chosen in code ("streampixel"). Keeping them to this alphabet makes
 * `provider<TAB>subject` notification payloads unambiguous and keeps `*` free for WILDCARD.
 */
const PROVIDER_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const KEY_FIELDS = ['provider', 'subject', 'type', 'dedupeKey'] as const;

/**
 * Throws StoreError(invalid-event) for an event no store can hold. Checked before the event joins a batch,
 * so one bad event cannot fail the transaction its neighbours share.
 */
export function validateNewEvent(event: NewEvent): void {
  for (const field of KEY_FIELDS) {
    const value: unknown = event[field];
    if (typeof value !== 'string') invalid(`${field} must be a string`);
    // An event without an uploadId is stored under the empty subject: acknowledged, never lost.
    if (value.length === 0 && field !== 'subject') invalid(`${field} must not be empty`);
    if (Buffer.byteLength(value) > MAX_KEY_BYTES) invalid(`${field} is longer than ${MAX_KEY_BYTES} bytes`);
    // PostgreSQL text cannot hold U+0000; refuse it everywhere so the stores agree.
    if (value.includes('\u0000')) invalid(`${field} contains a NUL character`);
  }
  if (!PROVIDER_PATTERN.test(event.provider)) invalid('provider must match [a-z0-9][a-z0-9._-]*');
  const body: unknown = event.body;
  if (typeof body !== 'string') invalid('body must be a string');
  if (body.includes('\u0000')) invalid('body contains a NUL character');
  const receivedAt: unknown = event.receivedAt;
  if (!(receivedAt instanceof Date) || Number.isNaN(receivedAt.getTime())) {
    invalid('receivedAt must be a valid Date');
  }
}

/** Throws RangeError for a cursor or limit that is not a non-negative safe integer. */
export function validateReadQuery(query: ReadQuery): void {
  if (!Number.isSafeInteger(query.after) || query.after < 0) {
    throw new RangeError('after must be a non-negative integer');
  }
  if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
    throw new RangeError('limit must be a non-negative integer');
  }
}

function invalid(reason: string): never {
  throw new StoreError(STORE_ERROR_CODE.invalidEvent, `cannot store event: ${reason}`);
}
