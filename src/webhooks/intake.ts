import type { NormalizedEvent } from './event.ts';
import type { RawWebhook, WebhookProvider } from './providers/provider.ts';
import { decodeUtf8Strictly, parseWellFormedJsonSafely } from './safe-json.ts';
import type { SignatureFailure } from './signature.ts';

// The one intake pipeline (pure): raw bytes + headers + provider → an event to store, a probe to answer, or a
// refusal with its HTTP status. Cheapest and least trusting first: size, signature on the raw bytes, then
// decoding, JSON and the provider's schema. The bridge and the receiver are thin adapters around it.

/** Webhook bodies are a few hundred bytes to a few kB; anything past this is not one of them. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;
/**
 * They nest a handful of levels. A body nested thousands deep (which fits in 64 KiB) would be stored and then
 * break every reader's answer that holds it, so it is refused; readers allow no more either (event-view.ts).
 */
export const MAX_WEBHOOK_DEPTH = 64;

export type BodyFailure = 'too-large' | 'not-utf8' | 'not-json' | 'invalid-envelope';
export type IntakeFailure = BodyFailure | 'bad-signature';

export type IntakeResult =
  /** Store it, then answer 2xx. `text` is the body exactly as received. */
  | { kind: 'event'; event: NormalizedEvent; text: string }
  /** A provider's endpoint check: answer 2xx, store nothing. */
  | { kind: 'probe' }
  | {
      kind: 'refused';
      status: 400 | 401 | 413;
      reason: IntakeFailure;
      /** Why the signature failed, for the counter by reason. */
      signature?: SignatureFailure;
      message: string;
    };

export type DecodedBody =
  { ok: true; text: string; json: unknown } | { ok: false; reason: BodyFailure; message: string };

const SHAPE_PROBLEM = {
  'not-well-formed': 'body holds a string that is not well-formed Unicode (a lone surrogate escape)',
  'too-deep': `body nests arrays or objects more than ${MAX_WEBHOOK_DEPTH} deep`,
} as const;

/**
 * Bytes → JSON, refusing rather than repairing: invalid UTF-8 is not replaced with U+FFFD, and a lone
 * surrogate escape (which would make distinct ids compare equal once replaced) is refused too, as is a body
 * nested more than MAX_WEBHOOK_DEPTH deep.
 */
export function decodeJsonBody(body: Uint8Array): DecodedBody {
  const text = decodeUtf8Strictly(body);
  if (text === undefined) return { ok: false, reason: 'not-utf8', message: 'body is not valid UTF-8' };
  const parsed = parseWellFormedJsonSafely(text, MAX_WEBHOOK_DEPTH);
  if (parsed === undefined) return { ok: false, reason: 'not-json', message: 'body is not JSON' };
  if (parsed.shape !== 'ok')
    return { ok: false, reason: 'invalid-envelope', message: SHAPE_PROBLEM[parsed.shape] };
  return { ok: true, text, json: parsed.json };
}

export function intake<Config>(
  provider: WebhookProvider<Config>,
  config: Config,
  webhook: RawWebhook,
  nowMs: number,
): IntakeResult {
  const size = webhook.body.byteLength;
  if (size > MAX_WEBHOOK_BYTES) {
    const message = `body is ${size} bytes; the limit is ${MAX_WEBHOOK_BYTES}`;
    return { kind: 'refused', status: 413, reason: 'too-large', message };
  }
  if (provider.isProbe?.(webhook)) return { kind: 'probe' };
  const verification = provider.verify(webhook, config, nowMs);
  if (!verification.ok) {
    return {
      kind: 'refused',
      status: 401,
      reason: 'bad-signature',
      signature: verification.reason,
      message: 'the signature does not verify',
    };
  }
  const decoded = decodeJsonBody(webhook.body);
  if (!decoded.ok) return { kind: 'refused', status: 400, reason: decoded.reason, message: decoded.message };
  const normalized = provider.normalize(decoded.json, webhook, config);
  if (!normalized.ok)
    return { kind: 'refused', status: 400, reason: 'invalid-envelope', message: normalized.message };
  return { kind: 'event', event: normalized.event, text: decoded.text };
}

/** One provider's intake with its configuration bound: what a receiver or a route runs per request. */
export type Intake = (webhook: RawWebhook, nowMs: number) => IntakeResult;

export const intakeFor =
  <Config>(provider: WebhookProvider<Config>, config: Config): Intake =>
  (webhook, nowMs) =>
    intake(provider, config, webhook, nowMs);
