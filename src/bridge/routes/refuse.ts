import type { FastifyReply, FastifyRequest } from 'fastify';
import { addressKey } from '../limits/address-key.ts';
import type { RejectReason } from '../metrics.ts';
import { TOO_MANY_FAILURES_BODY, TOO_MANY_WAITERS_BODY, type RouteContext } from './context.ts';

// The two refusals that protect the bridge from greedy clients (DESIGN §4, load and abuse).

export interface Unauthenticated {
  status: 401 | 404;
  reason?: RejectReason;
  body: object;
  headers?: Record<string, string>;
}

/**
 * Answers a request that failed authentication (a wrong ingest token, a wrong or missing bearer token, an
 * unknown path): as `refusal` says, or 429 once its address has failed too often. Call it only after the
 * correct token was checked and did not match, so a client that knows the token is never limited.
 */
export function refuseUnauthenticated(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  refusal: Unauthenticated,
) {
  const verdict = ctx.authFailures.fail(addressKey(request.ip));
  if (verdict.limited) {
    ctx.metrics.rejected('rate_limited');
    return reply
      .code(429)
      .header('retry-after', String(verdict.retryAfterSeconds))
      .send(TOO_MANY_FAILURES_BODY);
  }
  if (refusal.reason) ctx.metrics.rejected(refusal.reason);
  return reply
    .code(refusal.status)
    .headers(refusal.headers ?? {})
    .send(refusal.body);
}

/** A slot frees as soon as any long-poll answers; the action retries 5xx with backoff anyway. */
export const WAITERS_RETRY_AFTER_SECONDS = 5;

/** 503 for a long-poll or stream that would pass BRIDGE_MAX_WAITERS. */
export function refuseTooManyWaiters(ctx: RouteContext, reply: FastifyReply) {
  ctx.metrics.rejected('too_many_waiters');
  return reply
    .code(503)
    .header('retry-after', String(WAITERS_RETRY_AFTER_SECONDS))
    .send(TOO_MANY_WAITERS_BODY);
}
