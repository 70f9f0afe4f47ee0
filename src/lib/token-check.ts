import { hash, timingSafeEqual } from 'node:crypto';

// Bearer tokens are taken from the Authorization header here, and secrets compared as SHA-256 digests: equal length whatever the candidate, so neither the content nor
// the length of the secret leaks through timing.

// Node's one-shot hash: cheaper than createHash for a token (BENCHMARKS.md), and it runs on every webhook.
const digest = (value: string) => hash('sha256', value, 'buffer');

/** A predicate that says whether `candidate` is `secret`, in time independent of both. */
export function createTokenCheck(secret: string): (candidate: string | undefined) => boolean {
  const expected = digest(secret);
  return (candidate) => {
    // Hash even when absent, so a missing token costs what a wrong one costs.
    const matches = timingSafeEqual(expected, digest(candidate ?? ''));
    return matches && candidate !== undefined;
  };
}

/** The token of an `Authorization: Bearer <token>` header; undefined for none, another scheme or repeats. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}
