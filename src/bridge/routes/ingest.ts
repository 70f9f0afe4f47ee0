import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_WEBHOOK_BYTES, parseStreampixelWebhook } from '../../webhooks/providers/streampixel.ts';
import { BUILD_EVENT, TEST_PROJECT_ID } from '../../streampixel/schemas.ts';
import { STORE_ERROR_CODE, StoreError } from '../store/errors.ts';
import { createTokenCheck } from '../../lib/token-check.ts';
import type { RejectReason } from '../metrics.ts';
import { NOT_FOUND_BODY, STORE_UNAVAILABLE_BODY, type RouteContext } from './context.ts';
import { refuseUnauthenticated } from './refuse.ts';

// POST /hooks/streampixel/:token, the URL pasted into Streampixel's dashboard. Checks run cheapest and
// least revealing first: token (404, as if the route did not exist; 429 once an address keeps guessing; the
// right token is checked first, so a correct webhook is never limited), media type (415), size (413, enforced
// by the parser while reading), JSON and envelope (400), allowlist (403). The answer is 200 only once the
// store says the event is durable: Streampixel never retries, so an early ack could lose the event.
//
// webhook.test passes the allowlist when it carries Streampixel's placeholder project id: test-webhook
// could not work otherwise, and the ingest token already proves the sender knows the URL.

export const INGEST_ROUTE = '/hooks/streampixel/:token';

const PROVIDER = 'streampixel';

export async function ingestRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const tokenMatches = createTokenCheck(ctx.config.ingestToken);
  const allowlist = ctx.config.projectIds ? new Set(ctx.config.projectIds) : undefined;

  // Keep the raw bytes: the body is stored exactly as received, and parsed once, by the provider parser.
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

  async function checkTokenAndType(
    request: FastifyRequest<{ Params: { token: string } }>,
    reply: FastifyReply,
  ) {
    if (!tokenMatches(request.params.token)) {
      return refuseUnauthenticated(ctx, request, reply, {
        status: 404,
        reason: 'wrong_token',
        body: NOT_FOUND_BODY,
      });
    }
    if (mediaType(request.headers['content-type']) !== 'application/json') {
      return refuse(reply, 415, 'unsupported_media_type', { error: 'send the webhook as application/json' });
    }
  }

  app.post<{ Params: { token: string } }>(
    INGEST_ROUTE,
    { bodyLimit: MAX_WEBHOOK_BYTES, onRequest: checkTokenAndType },
    async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const parsed = parseStreampixelWebhook(raw);
      if (!parsed.ok) {
        if (parsed.reason === 'too-large') return refuse(reply, 413, 'too_large', { error: parsed.message });
        const reason = parsed.reason === 'not-json' ? 'bad_json' : 'invalid_envelope';
        return refuse(reply, 400, reason, { error: parsed.message });
      }
      const { envelope } = parsed;
      if (allowlist && !allowlist.has(envelope.projectId) && !isTestWebhook(envelope)) {
        return refuse(reply, 403, 'forbidden_project', { error: 'this bridge does not accept that project' });
      }

      // Unknown event names are stored too: readers ignore what they do not know, and a future Streampixel
      // stage is then already on record.
      const uploadId = envelope.uploadId ?? '';
      const receivedAt = new Date(ctx.now());
      let result;
      try {
        result = await ctx.store.append({
          provider: PROVIDER,
          subject: uploadId,
          type: envelope.event,
          dedupeKey: dedupeKey(uploadId, envelope.event, envelope.timestamp),
          receivedAt,
          body: raw.toString('utf8'),
        });
      } catch (error) {
        // An event no store can hold (a key past the index limit, a NUL character): the sender's fault.
        if (error instanceof StoreError && error.code === STORE_ERROR_CODE.invalidEvent) {
          return refuse(reply, 400, 'invalid_envelope', { error: error.message });
        }
        request.log.error({ err: error }, 'could not store a webhook');
        return refuse(reply, 503, 'store_error', STORE_UNAVAILABLE_BODY);
      }
      ctx.metrics.eventAcknowledged({
        provider: PROVIDER,
        type: envelope.event,
        duplicate: result.duplicate,
        receivedAtMs: receivedAt.getTime(),
      });
      ctx.metrics.observeIngestAck(reply.elapsedTime / 1000);
      return { ok: true, cursor: result.cursor, duplicate: result.duplicate };
    },
  );
}

/**
 * DESIGN §3.4's identity of an event: (uploadId, event, timestamp). JSON-encoded so no id can forge another's
 * key, and free of NUL characters, which PostgreSQL text cannot hold.
 */
export const dedupeKey = (uploadId: string, event: string, timestamp: string): string =>
  JSON.stringify([PROVIDER, uploadId, event, timestamp]);

const isTestWebhook = (envelope: { event: string; projectId: string }) =>
  envelope.event === BUILD_EVENT.webhookTest && envelope.projectId === TEST_PROJECT_ID;

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]?.trim().toLowerCase();
}
