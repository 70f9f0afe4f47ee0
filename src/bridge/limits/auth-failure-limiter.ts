// Floods of wrong-token requests from one address are answered 429 (DESIGN §4). Each address has a token
// bucket of failed authentications: `perMinute` of them at once, refilled at `perMinute` a minute. Only
// failures draw on it, and callers check the correct token first, so a client that authenticates is never
// limited, however much its neighbours behind the same proxy address fail.
//
// Memory is bounded: at most `maxAddresses` buckets, least recently failed evicted first (a Map keeps
// insertion order, and a failure re-inserts its key). An evicted address starts again with a full bucket,
// which is the worst an attacker gets from spraying addresses.

export interface AuthFailureLimiterOptions {
  /** Failures allowed per address and minute, also the burst; 0 turns the limiter off. */
  perMinute: number;
  maxAddresses?: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
}

export type FailureVerdict = { limited: false } | { limited: true; retryAfterSeconds: number };

export interface AuthFailureLimiter {
  /** Records one failed authentication from `address`; `limited` when it has none left (nothing is recorded). */
  fail(address: string): FailureVerdict;
  /** Addresses tracked. */
  readonly size: number;
}

/** About 100 bytes each: a full table costs around 1 MB. */
export const DEFAULT_MAX_ADDRESSES = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

const ALLOWED: FailureVerdict = { limited: false };

export function createAuthFailureLimiter(options: AuthFailureLimiterOptions): AuthFailureLimiter {
  const { perMinute } = options;
  const maxAddresses = Math.max(1, options.maxAddresses ?? DEFAULT_MAX_ADDRESSES);
  const now = options.now ?? (() => performance.now());
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  return {
    fail(address) {
      if (perMinute <= 0) return ALLOWED;
      const at = now();
      let bucket = buckets.get(address);
      if (bucket) {
        buckets.delete(address);
        bucket.tokens = Math.min(perMinute, bucket.tokens + (at - bucket.at) * perMs);
        bucket.at = at;
      } else {
        if (buckets.size >= maxAddresses) buckets.delete(buckets.keys().next().value as string);
        bucket = { tokens: perMinute, at };
      }
      buckets.set(address, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return ALLOWED;
      }
      return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    get size() {
      return buckets.size;
    },
  };
}
