import { decodeUtf8Strictly, hasOnlyWellFormedStrings, parseJsonSafely } from '../safe-json.ts';
import { WebhookEnvelopeSchema, type WebhookEnvelope } from '../../streampixel/schemas.ts';

/** Streampixel's bodies are a few hundred bytes; anything past this is not one of its webhooks. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

export type WebhookParseFailure = 'too-large' | 'not-utf8' | 'not-json' | 'invalid-envelope';

export type WebhookParseResult =
  { ok: true; envelope: WebhookEnvelope } | { ok: false; reason: WebhookParseFailure; message: string };

/**
 * Raw bytes → Streampixel envelope. Size first, then JSON, then schema, so an oversized or hostile body
 * is refused before any work is spent on it. Never throws.
 */
export function parseStreampixelWebhook(body: Uint8Array | string): WebhookParseResult {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_WEBHOOK_BYTES) {
    return {
      ok: false,
      reason: 'too-large',
      message: `body is ${size} bytes; the limit is ${MAX_WEBHOOK_BYTES}`,
    };
  }
  // Refused, not repaired: replacing bad bytes with U+FFFD would store something the sender never sent.
  const text = typeof body === 'string' ? body : decodeUtf8Strictly(body);
  if (text === undefined) return { ok: false, reason: 'not-utf8', message: 'body is not valid UTF-8' };
  const json = parseJsonSafely(text);
  if (json === undefined) return { ok: false, reason: 'not-json', message: 'body is not JSON' };
  if (!hasOnlyWellFormedStrings(json)) {
    return {
      ok: false,
      reason: 'invalid-envelope',
      message: 'body holds a string that is not well-formed Unicode (a lone surrogate escape)',
    };
  }
  const parsed = WebhookEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
    );
    return {
      ok: false,
      reason: 'invalid-envelope',
      message: `not a Streampixel webhook (${problems.join('; ')})`,
    };
  }
  return { ok: true, envelope: parsed.data };
}
