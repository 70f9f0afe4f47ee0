import { createHmac, timingSafeEqual } from 'node:crypto';

// Shared pieces of the signature checks. Every compare checks lengths first: Node's timingSafeEqual throws on
// a length mismatch, and a malformed header must be a 401, never a 500.

/** Why a signed webhook was refused; the label values of the bridge's signature-failure counter. */
export const SIGNATURE_FAILURES = [
  'missing-signature',
  'malformed-signature',
  'mismatch',
  'missing-timestamp',
  'stale-timestamp',
  'future-timestamp',
  'unknown-key',
  'unsupported-algorithm',
] as const;
export type SignatureFailure = (typeof SIGNATURE_FAILURES)[number];

export type Verification = { ok: true } | { ok: false; reason: SignatureFailure };
export const verified: Verification = { ok: true };
export const refused = (reason: SignatureFailure): Verification => ({ ok: false, reason });

/** Lower-cased header names → the first value, as node:http and fastify hand them over. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** Constant-time equality of two byte strings of possibly different lengths. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export const hmacSha256 = (key: Uint8Array | string, ...parts: Uint8Array[]): Buffer => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Strict base64 (padded) → bytes, or undefined: Buffer.from would silently skip what it cannot read. */
export function decodeBase64(text: string): Buffer | undefined {
  return text.length > 0 && BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

export function decodeHex(text: string): Buffer | undefined {
  return HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/** A Unix-seconds header within `toleranceSeconds` of now, both ways (replay window). */
export function checkTimestamp(
  value: string | undefined,
  nowMs: number,
  toleranceSeconds: number,
): Verification {
  if (value === undefined) return refused('missing-timestamp');
  if (!/^\d{1,12}$/.test(value)) return refused('malformed-signature');
  const skew = Number(value) - nowMs / 1000;
  if (skew < -toleranceSeconds) return refused('stale-timestamp');
  if (skew > toleranceSeconds) return refused('future-timestamp');
  return verified;
}
