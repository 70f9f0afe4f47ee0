import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { dedupeKeyOf, occurredAtOf, type Phase } from '../event.ts';
import { checkTimestamp, decodeBase64, header, refused, verified } from '../signature.ts';
import { normalizeWith, type WebhookProvider } from './provider.ts';

// Pixop, video enhancement (shared/reference/providers.md §3). ECDSA with SHA-256 (DER signature, base64)
// over `<X-Pixop-Timestamp>.<raw body>`, with the public key named by `X-Pixop-Public-Key-Id`; timestamps more
// than 300 s off either way are refused. Keys are configured or fetched by the bridge; an unknown key id is
// reported as such so the caller can fetch it and try again.

export const PIXOP_HEADERS = {
  signature: 'x-pixop-signature',
  keyId: 'x-pixop-public-key-id',
  timestamp: 'x-pixop-timestamp',
  algorithm: 'x-pixop-algorithm',
} as const;
export const PIXOP_ALGORITHM = 'SHA256withECDSA';
export const PIXOP_TOLERANCE_SECONDS = 300;
/** A DER ECDSA signature is at most ~140 bytes even for P-521; anything far longer is not one. */
const MAX_SIGNATURE_BASE64 = 256;

export interface PixopConfig {
  /** Public keys by id (DER SubjectPublicKeyInfo, loaded once). */
  keys: ReadonlyMap<string, KeyObject>;
}

const JOB_SUCCESS = new Set(['video_processing.done', 'clip_processing.done']);
const CANCELLED = new Set(['video.deleted']);

/**
 * Success only where a processing job ends; a failure of any stage of the video (ingestion included) ends
 * the job; everything else is progress. Test deliveries never count as an outcome.
 */
function phaseOf(type: string, test: boolean): Phase {
  if (test) return 'test';
  if (JOB_SUCCESS.has(type)) return 'success';
  if (CANCELLED.has(type)) return 'cancelled';
  if (type.endsWith('.failed')) return 'failure';
  return /\.(started|done)$/.test(type) ? 'progress' : 'other';
}

const EnvelopeSchema = z.looseObject({
  id: z.string().min(1).max(200),
  eventType: z.string().min(1).max(200),
  occurredAt: z.unknown().optional(),
  test: z.boolean().optional(),
  webhookId: z.string().optional(),
  data: z.looseObject({ type: z.string().optional(), videoId: z.string().min(1).max(200) }),
});

export const pixop: WebhookProvider<PixopConfig> = {
  id: 'pixop',
  verify(webhook, config, nowMs) {
    const signature = header(webhook.headers, PIXOP_HEADERS.signature);
    const keyId = header(webhook.headers, PIXOP_HEADERS.keyId);
    if (signature === undefined || keyId === undefined) return refused('missing-signature');
    if (header(webhook.headers, PIXOP_HEADERS.algorithm) !== PIXOP_ALGORITHM)
      return refused('unsupported-algorithm');
    const timestamp = header(webhook.headers, PIXOP_HEADERS.timestamp);
    const fresh = checkTimestamp(timestamp, nowMs, PIXOP_TOLERANCE_SECONDS);
    if (!fresh.ok) return fresh;
    const der = signature.length <= MAX_SIGNATURE_BASE64 ? decodeBase64(signature) : undefined;
    if (der === undefined) return refused('malformed-signature');
    const key = config.keys.get(keyId);
    if (key === undefined) return refused('unknown-key');
    const signed = Buffer.concat([Buffer.from(`${timestamp}.`), webhook.body]);
    let matches = false;
    try {
      matches = verifySignature('sha256', signed, { key, dsaEncoding: 'der' }, der);
    } catch {
      // A signature that is not DER at all, or a key of another type: not a valid signature.
    }
    return matches ? verified : refused('mismatch');
  },
  normalize: (json) =>
    normalizeWith('Pixop', EnvelopeSchema, json, (envelope) => ({
      provider: 'pixop',
      subject: envelope.data.videoId,
      type: envelope.eventType,
      phase: phaseOf(envelope.eventType, envelope.test === true),
      status: null,
      occurredAt: occurredAtOf(envelope.occurredAt),
      dedupeKey: dedupeKeyOf('pixop', envelope.id),
      scope: null,
      detail: null,
      links: { videoId: envelope.data.videoId },
    })),
};
