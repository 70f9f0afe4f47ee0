import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createTokenCheck } from '../../lib/token-check.ts';
import { TEST_PROJECT_ID } from '../../streampixel/schemas.ts';
import { isProviderId, type NormalizedEvent } from '../../webhooks/event.ts';
import { MAX_WEBHOOK_BYTES, type IntakeResult } from '../../webhooks/intake.ts';
import type { BridgeIntake } from '../intakes.ts';
import type { RejectReason } from '../metrics.ts';
import { STORE_ERROR_CODE, StoreError } from '../store/errors.ts';
import { NOT_FOUND_BODY, STORE_UNAVAILABLE_BODY, type RouteContext } from './context.ts';
import { refuseUnauthenticated } from './refuse.ts';

// POST /hooks/<provider>/<token>, the URL pasted into a provider's dashboard. Checks run cheapest and least
// revealing first: token (404, as if the route did not exist; 429 once an address keeps guessing; the right
// token is checked first, so a correct webhook is never limited), provider (404 when not configured), media
// type (415), then the one intake pipeline: size (413, also enforced while reading), signature on the raw
// bytes (401, nothing stored), JSON and envelope (400); then the allowlist (403). The answer is 2xx only once
// the store says the event is durable: Streampixel never retries, so an early ack could lose the event.
//
// webhook.test passes the allowlist when it carries Streampixel's placeholder project id: test-webhook
// could not work otherwise, and the ingest token already proves the sender knows the URL.

export const INGEST_ROUTE = '/hooks/:provider/:token';

type IngestRequest = FastifyRequest<{ Params: { provider: string; token: string } }>;

export async function ingestRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const tokenMatches = createTokenCheck(ctx.config.ingestToken);
  const allowlist = ctx.config.projectIds ? new Set(ctx.config.projectIds) : undefined;
  const intakeOf = (provider: string): BridgeIntake | undefined =>
    isProviderId(provider) ? ctx.intakes.get(provider) : undefined;

  // Keep the raw bytes: signatures cover them, the body is stored exactly as received, and parsed once.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BYTES },
    (_request, body, done) => done(null, body),
  );

  const refuse = (reply: FastifyReply, status: number, reason: RejectReason, body: object) => {
    ctx.metrics.rejected(reason);
    return reply.code(status).send(body);
  };

  // A callback hook, not async (no promise per webhook): a refusal answers and never calls `done`.
  function checkTokenAndType(request: IngestRequest, reply: FastifyReply, done: () => void): void {
    if (!tokenMatches(request.params.token)) {
      refuseUnauthenticated(ctx, request, reply, {
        status: 404,
        reason: 'wrong_token',
        body: NOT_FOUND_BODY,
      });
      return;
    }
    // A provider with nothing configured has no URL at all.
    if (!intakeOf(request.params.provider)) {
      refuse(reply, 404, 'unknown_provider', NOT_FOUND_BODY);
      return;
    }
    if (mediaType(request.headers['content-type']) !== 'application/json') {
      refuse(reply, 415, 'unsupported_media_type', { error: 'send the webhook as application/json' });
      return;
    }
    done();
  }

  app.post<{ Params: { provider: string; token: string } }>(
    INGEST_ROUTE,
    { bodyLimit: MAX_WEBHOOK_BYTES, onRequest: checkTokenAndType },
    async (request, reply) => {
      const { provider } = request.params;
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await (intakeOf(provider) as BridgeIntake)(
        { body: raw, headers: request.headers },
        ctx.now(),
      );
      if (result.kind === 'probe') return { ok: true, stored: false };
      if (result.kind === 'refused') return refuseIntake(reply, provider, result);
      const { event } = result;
      if (allowlist && event.provider === 'streampixel' && !allowed(allowlist, event)) {
        return refuse(reply, 403, 'forbidden_project', { error: 'this bridge does not accept that project' });
      }

      // Unknown event names are stored too: readers ignore what they do not know, and a future stage is
      // then already on record.
      const receivedAt = new Date(ctx.now());
      let stored;
      try {
        stored = await ctx.store.append({ ...event, receivedAt, body: result.text });
      } catch (error) {
        // An event no store can hold (a key past the index limit, a NUL character): the sender's fault.
        if (error instanceof StoreError && error.code === STORE_ERROR_CODE.invalidEvent) {
          return refuse(reply, 400, 'invalid_envelope', { error: error.message });
        }
        request.log.error({ err: error }, 'could not store a webhook');
        return refuse(reply, 503, 'store_error', STORE_UNAVAILABLE_BODY);
      }
      ctx.metrics.eventAcknowledged({
        provider: event.provider,
        type: event.type,
        phase: event.phase,
        duplicate: stored.duplicate,
        receivedAtMs: receivedAt.getTime(),
      });
      ctx.metrics.observeIngestAck(reply.elapsedTime / 1000);
      return { ok: true, cursor: stored.cursor, duplicate: stored.duplicate };
    },
  );

  function refuseIntake(
    reply: FastifyReply,
    provider: string,
    result: Extract<IntakeResult, { kind: 'refused' }>,
  ) {
    if (result.signature) {
      // Why it failed is counted, never told: the sender learns only that the signature did not verify.
      ctx.metrics.signatureFailed(provider, result.signature);
      return refuse(reply, 401, 'bad_signature', { error: 'the signature does not verify' });
    }
    const reason: RejectReason =
      result.reason === 'too-large'
        ? 'too_large'
        : result.reason === 'not-json'
          ? 'bad_json'
          : 'invalid_envelope';
    return refuse(reply, result.status, reason, { error: result.message });
  }
}

/** A Streampixel event of an allowed project, or Test Webhook's event with its placeholder project. */
const allowed = (allowlist: ReadonlySet<string>, event: NormalizedEvent): boolean =>
  (event.scope !== null && allowlist.has(event.scope)) ||
  (event.phase === 'test' && event.scope === TEST_PROJECT_ID);

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]?.trim().toLowerCase();
}
