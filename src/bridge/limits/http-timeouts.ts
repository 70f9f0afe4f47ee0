import type { ServerOptions } from 'node:http';

// Slow headers and slow bodies are cut by Node's own headersTimeout and requestTimeout. Node only looks for
// expired requests every connectionsCheckingInterval (30 s by default), so a 30 s limit really held 30-60 s
// and more; checking every quarter of the shortest limit (at most once a second) cuts within 25 % of it.
// The check walks only connections that are still receiving a request, so held long-polls cost it nothing.

export interface HttpTimeouts {
  /** Longest time from a connection's first byte (or the previous request's end) to the end of the headers. */
  headersTimeoutMs: number;
  /** Longest time to receive a whole request, body included. Answers may take longer (long-polls). */
  requestTimeoutMs: number;
}

export const MAX_CHECK_INTERVAL_MS = 1_000;
const MIN_CHECK_INTERVAL_MS = 25;

/** Node's server options for these limits. */
export function httpTimeoutOptions(
  timeouts: HttpTimeouts,
): Required<Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'>> {
  // The request timeout includes the headers, so a longer headers timeout could never fire; Node refuses
  // it outright, so it is clamped rather than reported.
  const headersTimeout = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
  const shortest = Math.min(headersTimeout, timeouts.requestTimeoutMs);
  return {
    headersTimeout,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(
      MAX_CHECK_INTERVAL_MS,
      Math.max(MIN_CHECK_INTERVAL_MS, Math.floor(shortest / 4)),
    ),
  };
}
