import type { ApiCall, Delivery } from './types.ts';

/**
 * A webhook URL can carry a secret in its path (the bridge's ingest token, a receiver path): logs show only
 * where it points.
 */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '(invalid URL)';
  const parsed = new URL(url);
  return parsed.pathname === '/' && !parsed.search ? `${parsed.origin}/` : `${parsed.origin}/***`;
}

/** One line per API call; bodies arrive here with the apiKey already redacted. */
export function describeCall(call: ApiCall): string {
  return `call     ${call.method} ${call.path} → ${call.status} ${JSON.stringify(call.body ?? null)} ${JSON.stringify(call.response)}`;
}

export function describeDelivery(delivery: Delivery): string {
  const { envelope } = delivery;
  const outcome =
    delivery.status === 0 ? `failed (${delivery.error ?? 'no answer'})` : String(delivery.status);
  const tag = delivery.source === 'pipeline' ? '' : ` [${delivery.source}]`;
  return `delivery ${envelope.event} ${envelope.uploadId ?? '-'} → ${redactUrl(delivery.url)} ${outcome} in ${delivery.durationMs} ms${tag}`;
}
