import type { z } from 'zod';
import type { NormalizedEvent, ProviderId } from '../event.ts';
import type { Headers, Verification } from '../signature.ts';
import { describeIssues } from '../zod-issues.ts';

/** A webhook as it arrived: the raw bytes (what signatures cover) and the headers. */
export interface RawWebhook {
  body: Uint8Array;
  headers: Headers;
}

export type Normalization = { ok: true; event: NormalizedEvent } | { ok: false; message: string };

/**
 * One provider, pure: how its webhooks are signed, and how its envelope maps onto the normalised event.
 * `Config` is what the operator configured for it (secrets, keys, event types).
 */
export interface WebhookProvider<Config> {
  readonly id: ProviderId;
  /** A check the provider sends to a new endpoint, unsigned: answered 2xx, never stored. */
  isProbe?(webhook: RawWebhook): boolean;
  /** Checked on the raw bytes before anything is parsed. */
  verify(webhook: RawWebhook, config: Config, nowMs: number): Verification;
  /** Parsed JSON (prototype-safe, well-formed) → the normalised event, or why it is not one of ours. */
  normalize(json: unknown, webhook: RawWebhook, config: Config): Normalization;
}

/** Runs a provider's schema, then its mapping; a schema failure names the provider and the fields. */
export function normalizeWith<S extends z.ZodType>(
  label: string,
  schema: S,
  json: unknown,
  map: (envelope: z.output<S>) => NormalizedEvent,
): Normalization {
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return { ok: false, message: `not a ${label} webhook (${describeIssues(parsed.error)})` };
  return { ok: true, event: map(parsed.data) };
}
