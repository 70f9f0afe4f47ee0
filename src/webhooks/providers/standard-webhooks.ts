import { z } from 'zod';
import { dedupeKeyOf, occurredAtOf, type Phase } from '../event.ts';
import {
  bytesEqual,
  checkTimestamp,
  decodeBase64,
  header,
  hmacSha256,
  refused,
  verified,
} from '../signature.ts';
import { normalizeWith, type WebhookProvider } from './provider.ts';

// Any sender that follows the Standard Webhooks spec (shared/reference/providers.md §4): `webhook-signature`
// holds space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` entries, keyed with the base64-decoded
// secret after `whsec_`; a 300 s tolerance both ways, as the reference libraries use. Which event types end a
// unit of work, and where its id sits, are the operator's to configure.

export const STANDARD_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;
export const STANDARD_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';
const MAC_BYTES = 32;

export interface StandardWebhooksConfig {
  /** `whsec_…` secrets (the prefix is optional); more than one while rotating. */
  secrets: readonly string[];
  successTypes: ReadonlySet<string>;
  failureTypes: ReadonlySet<string>;
  /** Dot path of the unit of work's id in the payload, e.g. `data.id`. */
  subjectPath: readonly string[];
}

export const DEFAULT_SUBJECT_PATH = ['data', 'id'] as const;

/** A secret's key bytes: base64 after an optional `whsec_`. */
export const standardSecretKey = (secret: string): Buffer | undefined =>
  decodeBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);

/** The `v1` MACs of a signature header; other versions (v1a, future ones) are skipped, as the spec says. */
function v1Signatures(value: string): Buffer[] {
  const macs: Buffer[] = [];
  for (const entry of value.split(' ')) {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || signature === undefined) continue;
    const mac = decodeBase64(signature);
    if (mac?.length === MAC_BYTES) macs.push(mac);
  }
  return macs;
}

const PayloadSchema = z.looseObject({
  type: z.string().min(1).max(200),
  timestamp: z.unknown().optional(),
});

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export const standardWebhooks: WebhookProvider<StandardWebhooksConfig> = {
  id: 'standard-webhooks',
  verify(webhook, config, nowMs) {
    const id = header(webhook.headers, STANDARD_HEADERS.id);
    const signature = header(webhook.headers, STANDARD_HEADERS.signature);
    if (id === undefined || signature === undefined) return refused('missing-signature');
    if (id.length === 0 || id.length > 200 || id.includes('.')) return refused('malformed-signature');
    const timestamp = header(webhook.headers, STANDARD_HEADERS.timestamp);
    const fresh = checkTimestamp(timestamp, nowMs, STANDARD_TOLERANCE_SECONDS);
    if (!fresh.ok) return fresh;
    const given = v1Signatures(signature);
    if (given.length === 0) return refused('malformed-signature');
    const signed = [Buffer.from(`${id}.${timestamp}.`), webhook.body];
    for (const secret of config.secrets) {
      const key = standardSecretKey(secret);
      if (key === undefined) continue;
      const expected = hmacSha256(key, ...signed);
      if (given.some((mac) => bytesEqual(mac, expected))) return verified;
    }
    return refused('mismatch');
  },
  normalize: (json, webhook, config) =>
    normalizeWith('Standard Webhooks', PayloadSchema, json, (payload) => {
      const subject = at(payload, config.subjectPath);
      const phase: Phase = config.successTypes.has(payload.type)
        ? 'success'
        : config.failureTypes.has(payload.type)
          ? 'failure'
          : 'progress';
      return {
        provider: 'standard-webhooks',
        subject: typeof subject === 'string' || typeof subject === 'number' ? String(subject) : '',
        type: payload.type,
        phase,
        status: null,
        occurredAt: occurredAtOf(payload.timestamp),
        // Verified before normalising, so the header is there.
        dedupeKey: dedupeKeyOf('standard-webhooks', header(webhook.headers, STANDARD_HEADERS.id) ?? ''),
        scope: null,
        detail: null,
        links: {},
      };
    }),
};
