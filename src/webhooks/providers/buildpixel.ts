import { z } from 'zod';
import { dedupeKeyOf, occurredAtOf, type Phase } from '../event.ts';
import { bytesEqual, decodeHex, header, hmacSha256, refused, verified } from '../signature.ts';
import { normalizeWith, type WebhookProvider } from './provider.ts';

// BuildPixel, the cloud Unreal build farm (shared/reference/providers.md §1). `X-BuildPixel-Signature:
// sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the signing secret as given; no timestamp, so no
// replay window. The envelope has no event id: an event is (build id, type).

export const BUILDPIXEL_SIGNATURE_HEADER = 'x-buildpixel-signature';
const PREFIX = 'sha256=';
const MAC_HEX_LENGTH = 64;

export interface BuildPixelConfig {
  /** Every secret currently valid: more than one while rotating. */
  secrets: readonly string[];
}

const PHASE: Readonly<Record<string, Phase>> = {
  'build.created': 'progress',
  'build.running': 'progress',
  'build.complete': 'success',
  'build.failed': 'failure',
  // A newer build for the same project, branch, platform and type replaced it: cancelled, not failed.
  'build.superseded': 'cancelled',
};

const EnvelopeSchema = z.looseObject({
  type: z.string().min(1).max(200),
  createdAt: z.unknown().optional(),
  organizationId: z.string().nullable().optional(),
  data: z.looseObject({
    build: z.looseObject({
      id: z.string().min(1).max(200),
      status: z.string().optional(),
      artifactUrl: z.string().nullable().optional(),
      // Not in BuildPixel's published envelope; taken when present so a failure can say why.
      error: z.unknown().optional(),
    }),
  }),
});

export const buildpixel: WebhookProvider<BuildPixelConfig> = {
  id: 'buildpixel',
  verify(webhook, config) {
    const value = header(webhook.headers, BUILDPIXEL_SIGNATURE_HEADER);
    if (value === undefined) return refused('missing-signature');
    if (!value.startsWith(PREFIX) || value.length !== PREFIX.length + MAC_HEX_LENGTH) {
      return refused('malformed-signature');
    }
    const given = decodeHex(value.slice(PREFIX.length));
    if (given === undefined) return refused('malformed-signature');
    const matches = config.secrets.some((secret) => bytesEqual(hmacSha256(secret, webhook.body), given));
    return matches ? verified : refused('mismatch');
  },
  normalize: (json) =>
    normalizeWith('BuildPixel', EnvelopeSchema, json, (envelope) => {
      const { build } = envelope.data;
      return {
        provider: 'buildpixel',
        subject: build.id,
        type: envelope.type,
        phase: PHASE[envelope.type] ?? 'other',
        status: build.status ?? null,
        occurredAt: occurredAtOf(envelope.createdAt),
        dedupeKey: dedupeKeyOf('buildpixel', build.id, envelope.type),
        scope: envelope.organizationId ?? null,
        detail: typeof build.error === 'string' ? build.error : null,
        links: build.artifactUrl ? { artifactUrl: build.artifactUrl } : {},
      };
    }),
};
