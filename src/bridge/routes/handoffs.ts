import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { OidcVerifier } from '../../github/oidc.ts';
import { bearerToken, createTokenCheck } from '../../lib/token-check.ts';
import { describeIssues } from '../../webhooks/zod-issues.ts';
import { HandoffRequestSchema, MAX_HANDOFF_MS, onBridgeClock } from '../handoff/handoff-request.ts';
import type { StoredHandoff } from '../store/handoff-store.ts';
import { NOT_FOUND_BODY, STORE_UNAVAILABLE_BODY, type RouteContext } from './context.ts';
import { refuseUnauthenticated } from './refuse.ts';

// POST /v1/handoffs registers a build whose release the bridge finishes (DESIGN §10). Two callers:
// - a GitHub Actions job, by its GitHub OIDC token (not the read token): the repository the bridge will act
//   on is the token's `repository` claim, never a field of the request;
// - other CI (the CLI), by BRIDGE_HANDOFF_TOKEN: such a handoff has no repository, so it may ask for no
//   Deployment and no dispatch, and the bridge never calls GitHub for it; it only notifies.
// The handoff token is compared first, in constant time; anything else goes to the OIDC check (or, on a bridge
// with the token only, is refused alike), so a wrong token and a bad OIDC token get the same 401 shape, and
// both count towards the address's failed authentications (429 past the limit).
// GET /v1/handoffs/:id (read token) shows the state. With no handoff configured, both answer 404 like any
// unknown route.

/** A bridge with BRIDGE_HANDOFF_TOKEN only: a caller without it, OIDC token or not, is refused so. */
const NO_HANDOFF_TOKEN = {
  ok: false,
  status: 401,
  reason: 'unauthorized',
  message: 'send the bridge’s handoff token (Authorization: Bearer <BRIDGE_HANDOFF_TOKEN>)',
} as const;

const NO_REPOSITORY_PROBLEMS = {
  deployment:
    'deployment: must be null: a handoff registered with the handoff token has no GitHub repository',
  dispatch: 'dispatch: must be false: a handoff registered with the handoff token has no GitHub repository',
} as const;

export async function registerHandoffRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  /** Absent: handoffs by BRIDGE_HANDOFF_TOKEN only. */
  verifier: OidcVerifier | undefined,
) {
  const { handoffToken } = ctx.config;
  const handoffTokenMatches = handoffToken === undefined ? () => false : createTokenCheck(handoffToken);
  app.post('/v1/handoffs', async (request, reply) => {
    const bearer = bearerToken(request.headers.authorization);
    let repository: string | null = null;
    if (!handoffTokenMatches(bearer)) {
      const verified = verifier ? await verifier.verify(bearer) : NO_HANDOFF_TOKEN;
      if (!verified.ok) {
        const body = { error: verified.reason, message: verified.message };
        if (verified.status === 401)
          return refuseUnauthenticated(ctx, request, reply, { status: 401, reason: 'unauthorized', body });
        ctx.metrics.rejected(verified.status === 503 ? 'store_error' : 'unauthorized');
        if (verified.status === 503) reply.header('retry-after', '5');
        return reply.code(verified.status).send(body);
      }
      repository = verified.claims.repository.toLowerCase();
    }
    const parsed = HandoffRequestSchema.safeParse(request.body);
    const now = ctx.now();
    const handoff = parsed.success ? onBridgeClock(parsed.data, now) : null;
    const problems = !parsed.success
      ? [describeIssues(parsed.error)]
      : handoff && (handoff.deadline <= now || handoff.deadline > now + MAX_HANDOFF_MS)
        ? ['deadline: must be in the future, at most a day ahead']
        : [];
    if (handoff && repository === null) {
      if (handoff.deployment) problems.push(NO_REPOSITORY_PROBLEMS.deployment);
      if (handoff.dispatch) problems.push(NO_REPOSITORY_PROBLEMS.dispatch);
    }
    if (!handoff || problems.length > 0) {
      // `{}` is how a client checks its credentials before it sends a build (the CLI's pre-flight): it is
      // authenticated, then answered 400 with nothing registered, and not counted as a bad request.
      if (!isEmptyObject(request.body)) ctx.metrics.rejected('bad_query');
      return reply.code(400).send({ error: 'invalid handoff', problems });
    }
    const id = randomUUID();
    try {
      await ctx.store.handoffs.register({ id, repository, request: handoff, now });
    } catch (error) {
      request.log.error({ err: error }, 'could not register a handoff');
      return reply.code(503).header('retry-after', '5').send(STORE_UNAVAILABLE_BODY);
    }
    request.log.info(
      { handoff: id, repository, auth: repository === null ? 'handoff-token' : 'github-oidc' },
      'handoff registered',
    );
    return reply.code(201).send({ id, state: 'following', statusUrl: `/v1/handoffs/${id}` });
  });
}

const isEmptyObject = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;

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
