import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { bearerToken, type OidcVerifier } from '../../github/oidc.ts';
import { describeIssues } from '../../webhooks/zod-issues.ts';
import { HandoffRequestSchema, MAX_HANDOFF_MS, onBridgeClock } from '../handoff/handoff-request.ts';
import type { StoredHandoff } from '../store/handoff-store.ts';
import { NOT_FOUND_BODY, STORE_UNAVAILABLE_BODY, type RouteContext } from './context.ts';

// POST /v1/handoffs registers a build whose release the bridge finishes (DESIGN §10). It is authenticated by
// the job's GitHub OIDC token, not the read token: the repository the bridge will act on is the token's
// `repository` claim, never a field of the request. GET /v1/handoffs/:id (read token) shows the state.
// With handoff not configured, both answer 404 like any unknown route.

export async function registerHandoffRoutes(app: FastifyInstance, ctx: RouteContext, verifier: OidcVerifier) {
  app.post('/v1/handoffs', async (request, reply) => {
    const verified = await verifier.verify(bearerToken(request.headers.authorization));
    if (!verified.ok) {
      ctx.metrics.rejected(verified.status === 503 ? 'store_error' : 'unauthorized');
      if (verified.status === 503) reply.header('retry-after', '5');
      return reply.code(verified.status).send({ error: verified.reason, message: verified.message });
    }
    const parsed = HandoffRequestSchema.safeParse(request.body);
    const now = ctx.now();
    const handoff = parsed.success ? onBridgeClock(parsed.data, now) : null;
    const problem = !parsed.success
      ? describeIssues(parsed.error)
      : handoff && (handoff.deadline <= now || handoff.deadline > now + MAX_HANDOFF_MS)
        ? 'deadline: must be in the future, at most a day ahead'
        : null;
    if (!handoff || problem) {
      ctx.metrics.rejected('bad_query');
      return reply.code(400).send({ error: 'invalid handoff', problems: [problem] });
    }
    const id = randomUUID();
    try {
      await ctx.store.handoffs.register({
        id,
        repository: verified.claims.repository.toLowerCase(),
        request: handoff,
        now,
      });
    } catch (error) {
      request.log.error({ err: error }, 'could not register a handoff');
      return reply.code(503).header('retry-after', '5').send(STORE_UNAVAILABLE_BODY);
    }
    request.log.info({ handoff: id, repository: verified.claims.repository }, 'handoff registered');
    return reply.code(201).send({ id, state: 'following', statusUrl: `/v1/handoffs/${id}` });
  });
}

const IdParams = z.object({ id: z.uuid() });

/** GET /v1/handoffs/:id, inside the /v1 scope that checks the read token. */
export async function handoffStatusRoutes(app: FastifyInstance, ctx: RouteContext) {
  app.get('/handoffs/:id', async (request, reply) => {
    const params = IdParams.safeParse(request.params);
    if (!params.success) return reply.code(404).send(NOT_FOUND_BODY);
    let handoff: StoredHandoff | null;
    try {
      handoff = await ctx.store.handoffs.get(params.data.id);
    } catch (error) {
      request.log.error({ err: error }, 'could not read a handoff');
      return reply.code(503).header('retry-after', '5').send(STORE_UNAVAILABLE_BODY);
    }
    if (!handoff) return reply.code(404).send(NOT_FOUND_BODY);
    return viewOf(handoff);
  });
}

/** What a reader sees: never the notification URL, which is a credential. */
function viewOf(handoff: StoredHandoff) {
  const parsed = HandoffRequestSchema.safeParse(handoff.request);
  const request = parsed.success
    ? {
        ...parsed.data,
        notify: parsed.data.notify ? { on: parsed.data.notify.on, format: parsed.data.notify.format } : null,
      }
    : null;
  return {
    id: handoff.id,
    repository: handoff.repository,
    state: handoff.state,
    outcome: handoff.outcome,
    detail: handoff.detail,
    attempts: handoff.attempts,
    createdAt: new Date(handoff.createdAt).toISOString(),
    updatedAt: new Date(handoff.updatedAt).toISOString(),
    request,
  };
}
