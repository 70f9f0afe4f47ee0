import type { StoredEvent } from './store/store.ts';

// How readers see a stored event, in both encodings the bridge serves: JSON (long-poll) and an SSE frame.

export interface EventView {
  cursor: number;
  provider: string;
  subject: string;
  type: string;
  receivedAt: string;
  /** The body as received, parsed; null in the unexpected case that a stored body is not JSON. */
  payload: unknown;
}

// Stripped again on the way out: the ingest parser refuses nothing for them, and a reader that merges the
// payload into an object must not meet them either.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function toEventView(event: StoredEvent): EventView {
  return {
    cursor: event.cursor,
    provider: event.provider,
    subject: event.subject,
    type: event.type,
    receivedAt: event.receivedAt,
    payload: parsePayload(event.body),
  };
}

function parsePayload(body: string): unknown {
  try {
    return JSON.parse(body, (key, value: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : value));
  } catch {
    return null;
  }
}

/**
 * One Server-Sent Events frame. `id` lets a reconnecting client resume with Last-Event-ID. The event name
 * comes from the sender, so line breaks are replaced: one would let a webhook forge extra SSE fields.
 */
export function formatSseFrame(view: EventView): string {
  const name = view.type.replace(/[\r\n\0]/g, '_');
  return `id: ${view.cursor}\nevent: ${name}\ndata: ${JSON.stringify(view)}\n\n`;
}
