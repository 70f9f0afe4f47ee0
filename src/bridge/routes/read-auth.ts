import type { FastifyReply, FastifyRequest } from 'fastify';
import { createTokenCheck } from '../../lib/token-check.ts';
import { bearerToken } from '../tokens.ts';
import { UNAUTHORIZED_BODY, type RouteContext } from './context.ts';

/**
 * onRequest hook of every read route (/v1/*): `Authorization: Bearer <read-token>`. A missing, malformed
 * and wrong token get the same 401, so a prober learns nothing about which it was.
 */
export function createReadAuth(ctx: RouteContext) {
  const tokenMatches = createTokenCheck(ctx.config.readToken);
  return async function readAuth(request: FastifyRequest, reply: FastifyReply) {
    if (tokenMatches(bearerToken(request.headers.authorization))) return;
    ctx.metrics.rejected('unauthorized');
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="release-bridge"')
      .send(UNAUTHORIZED_BODY);
  };
}
