import {
  BUILD_EVENT,
  isKnownEvent,
  WebhookEnvelopeSchema,
  type WebhookEnvelope,
} from './streampixel-envelope.ts';
import { dedupeKeyOf, type Phase } from '../event.ts';
import { decodeJsonBody, MAX_WEBHOOK_BYTES, tooLarge, type BodyFailure } from '../intake.ts';
import { verified } from '../signature.ts';
import { describeIssues } from '../zod-issues.ts';
import { normalizeWith, type WebhookProvider } from './provider.ts';

export { MAX_WEBHOOK_BYTES };

// Streampixel (DESIGN §2): unsigned JSON; the ingest token in the URL (or the receiver's secret path) is the
// only secret, checked by the route. An event is (projectId, uploadId, event, timestamp): the same event can
// be re-sent, and a re-distributed build fires build.approved again with a new timestamp.

export type WebhookParseFailure = BodyFailure;

export type WebhookParseResult =
  { ok: true; envelope: WebhookEnvelope } | { ok: false; reason: WebhookParseFailure; message: string };

/**
 * Raw bytes → Streampixel envelope. Size first, then UTF-8 and JSON, then schema, so an oversized or hostile
 * body is refused before any work is spent on it. Never throws.
 */
export function parseStreampixelWebhook(body: Uint8Array | string): WebhookParseResult {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes.byteLength > MAX_WEBHOOK_BYTES) return tooLarge(bytes.byteLength);
  const decoded = decodeJsonBody(bytes);
  if (!decoded.ok) return decoded;
  const parsed = WebhookEnvelopeSchema.safeParse(decoded.json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: 'invalid-envelope',
      message: `not a Streampixel webhook (${describeIssues(parsed.error)})`,
    };
  }
  return { ok: true, envelope: parsed.data };
}

function phaseOf(event: string): Phase {
  if (event === BUILD_EVENT.approved) return 'success';
  if (event === BUILD_EVENT.rejected) return 'failure';
  if (event === BUILD_EVENT.webhookTest) return 'test';
  // New event names may appear: stored, and ignored by readers.
  return isKnownEvent(event) ? 'progress' : 'other';
}

/** The envelope in the normalised shape; an event without an uploadId is kept under the empty subject. */
export function normalizeStreampixelEnvelope(envelope: WebhookEnvelope) {
  const uploadId = envelope.uploadId ?? '';
  return {
    provider: 'streampixel' as const,
    subject: uploadId,
    type: envelope.event,
    phase: phaseOf(envelope.event),
    status: envelope.status,
    occurredAt: envelope.timestamp,
    // DESIGN §3.4's (uploadId, event, timestamp), within its project: another project's event with the same
    // three must never be taken for this one's re-delivery (the store keeps one row per key).
    dedupeKey: dedupeKeyOf('streampixel', envelope.projectId, uploadId, envelope.event, envelope.timestamp),
    scope: envelope.projectId,
    detail: envelope.objection ?? null,
    links: envelope.fileUrl ? { fileUrl: envelope.fileUrl } : {},
  };
}

export const streampixel: WebhookProvider<null> = {
  id: 'streampixel',
  verify: () => verified,
  normalize: (json) =>
    normalizeWith('Streampixel', WebhookEnvelopeSchema, json, normalizeStreampixelEnvelope),
};
