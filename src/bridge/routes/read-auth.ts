import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, createTokenCheck } from '../../lib/token-check.ts';
import { UNAUTHORIZED_BODY, type RouteContext } from './context.ts';
import { refuseUnauthenticated } from './refuse.ts';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="release-bridge"' };

/**
 * onRequest hook of every read route (/v1/*, HEAD included): `Authorization: Bearer <read-token>`. A
 * missing, malformed and wrong token get the same 401, so a prober learns nothing about which it was; an
 * address that keeps failing gets 429. The right token always passes.
 */
export function createReadAuth(ctx: RouteContext) {
  const tokenMatches = createTokenCheck(ctx.config.readToken);
  return async function readAuth(request: FastifyRequest, reply: FastifyReply) {
    if (tokenMatches(bearerToken(request.headers.authorization))) return;
    return refuseUnauthenticated(ctx, request, reply, {
      status: 401,
      reason: 'unauthorized',
      body: UNAUTHORIZED_BODY,
      headers: CHALLENGE,
    });
  };
}
