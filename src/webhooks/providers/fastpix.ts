import { z } from 'zod';
import { dedupeKeyOf, occurredAtOf, type Phase } from '../event.ts';
import { bytesEqual, decodeBase64, header, hmacSha256, refused, verified } from '../signature.ts';
import { normalizeWith, type RawWebhook, type WebhookProvider } from './provider.ts';

// FastPix, the video API (shared/reference/providers.md §2). `FastPix-Signature: <base64 HMAC-SHA256 of the
// raw body>`, keyed with the base64-DECODED signing secret; no timestamp. The top-level `id` is the event's
// idempotency key; the media is `object.id`, else `data.id` (upload events: `data.uploadId`).

export const FASTPIX_SIGNATURE_HEADER = 'fastpix-signature';
const MAC_BASE64_LENGTH = 44;

export interface FastPixConfig {
  /** Signing secrets as the dashboard shows them (base64); more than one while rotating. */
  secrets: readonly string[];
}

const PHASE: Readonly<Record<string, Phase>> = {
  'video.media.ready': 'success',
  'video.media.failed': 'failure',
  'video.media.deleted': 'cancelled',
  'video.media.upload.cancelled': 'cancelled',
};

/** Media and upload events are steps of a media's processing; anything else (live streams) is not. */
const phaseOf = (type: string): Phase =>
  PHASE[type] ?? (type.startsWith('video.media.') || type.startsWith('video.upload.') ? 'progress' : 'other');

const idField = z.string().min(1).max(200);
const EnvelopeSchema = z.looseObject({
  id: idField,
  type: z.string().min(1).max(200),
  status: z.string().optional(),
  createdAt: z.unknown().optional(),
  object: z.looseObject({ id: idField.optional() }).optional(),
  workspace: z.looseObject({ id: z.string().optional() }).nullable().optional(),
  environment: z.looseObject({ id: z.string().optional() }).nullable().optional(),
  data: z
    .looseObject({
      id: idField.optional(),
      uploadId: idField.optional(),
      playbackIds: z.array(z.looseObject({ id: z.string() })).optional(),
      // Not in FastPix's published docs; taken when present so a failure can say why.
      error: z.unknown().optional(),
    })
    .optional(),
});

/** The dashboard saves a new endpoint only after an unsigned `{}` POST is answered 2xx. */
const isProbe = (webhook: RawWebhook): boolean =>
  header(webhook.headers, FASTPIX_SIGNATURE_HEADER) === undefined &&
  Buffer.from(webhook.body).toString('latin1').trim() === '{}';

export const fastpix: WebhookProvider<FastPixConfig> = {
  id: 'fastpix',
  isProbe,
  verify(webhook, config) {
    const value = header(webhook.headers, FASTPIX_SIGNATURE_HEADER);
    if (value === undefined) return refused('missing-signature');
    const given = value.length === MAC_BASE64_LENGTH ? decodeBase64(value) : undefined;
    if (given === undefined) return refused('malformed-signature');
    const matches = config.secrets.some((secret) =>
      bytesEqual(hmacSha256(Buffer.from(secret, 'base64'), webhook.body), given),
    );
    return matches ? verified : refused('mismatch');
  },
  normalize: (json) =>
    normalizeWith('FastPix', EnvelopeSchema, json, (envelope) => {
      const subject = envelope.object?.id ?? envelope.data?.id ?? envelope.data?.uploadId ?? '';
      const playbackIds = envelope.data?.playbackIds?.map((playback) => playback.id);
      const error = envelope.data?.error;
      return {
        provider: 'fastpix',
        subject,
        type: envelope.type,
        phase: phaseOf(envelope.type),
        status: envelope.status ?? null,
        occurredAt: occurredAtOf(envelope.createdAt),
        dedupeKey: dedupeKeyOf('fastpix', envelope.id),
        scope: envelope.workspace?.id ?? envelope.environment?.id ?? null,
        detail: typeof error === 'string' ? error : null,
        links: {
          ...(subject ? { mediaId: subject } : {}),
          ...(playbackIds?.length ? { playbackIds } : {}),
        },
      };
    }),
};
