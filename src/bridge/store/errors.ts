import { CodedError } from '../../lib/coded-error.ts';

// Typed errors of the event store. `code` is stable: the HTTP layer maps it (invalid-event → 400,
// closed/unavailable → 503) and tests branch on it, never on message text.

export const STORE_ERROR_CODE = {
  /** The event cannot be stored as given (empty or oversized key fields, NUL characters). */
  invalidEvent: 'invalid-event',
  /** `close()` was called: no more appends are accepted. */
  closed: 'closed',
  /** The database could not be opened or configured as the store requires. */
  openFailed: 'open-failed',
  /** The schema could not be brought up to date. */
  migration: 'migration',
  /** Not connected yet: the database has not been reached and migrated since the bridge started. */
  unavailable: 'unavailable',
  /** The database rejected or lost a write; the event's fate is unknown, a retry is safe (dedupe). */
  writeFailed: 'write-failed',
} as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODE)[keyof typeof STORE_ERROR_CODE];

export class StoreError extends CodedError<StoreErrorCode> {
  override name = 'StoreError';
}

export const storeClosed = (): StoreError =>
  new StoreError(STORE_ERROR_CODE.closed, 'the event store is closed');
