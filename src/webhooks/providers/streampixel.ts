import {
  BUILD_EVENT,
  isKnownEvent,
  WebhookEnvelopeSchema,
  type WebhookEnvelope,
} from './streampixel-envelope.ts';
import { dedupeKeyOf, type Phase } from '../event.ts';
import { verified } from '../signature.ts';
import { normalizeWith, type WebhookProvider } from './provider.ts';

// Streampixel (DESIGN §2): unsigned JSON; the ingest token in the URL (or the receiver's secret path) is the
// only secret, checked by the route. An event is (projectId, uploadId, event, timestamp): the same event can
// be re-sent, and a re-distributed build fires build.approved again with a new timestamp.

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
