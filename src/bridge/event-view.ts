import { MAX_WEBHOOK_DEPTH } from '../webhooks/intake.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import type { Links, Phase } from '../webhooks/event.ts';
import type { StoredEvent } from './store/store.ts';

// How readers see a stored event, in both encodings the bridge serves: JSON (long-poll) and an SSE frame.

/**
 * The normalised event (DESIGN §7) with where it sits in the store: the one shape readers get, so a job
 * needs no provider's parser. `payload` is the body as received, for readers who want the rest.
 */
export interface EventView {
  cursor: number;
  provider: string;
  subject: string;
  type: string;
  phase: Phase | null;
  status: string | null;
  occurredAt: string | null;
  dedupeKey: string;
  scope: string | null;
  detail: string | null;
  links: Links;
  receivedAt: string;
  /** The body as received, parsed; null in the unexpected case that a stored body is not JSON (or too deep). */
  payload: unknown;
}

/** The normalised event a stored one holds (phase null: a row never normalised). */
export function normalizedPart(event: StoredEvent) {
  return {
    provider: event.provider,
    subject: event.subject,
    type: event.type,
    phase: event.phase,
    status: event.status,
    occurredAt: event.occurredAt,
    dedupeKey: event.dedupeKey,
    scope: event.scope,
    detail: event.detail,
    links: event.links,
  };
}

export function toEventView(event: StoredEvent): EventView {
  return {
    cursor: event.cursor,
    ...normalizedPart(event),
    receivedAt: event.receivedAt,
    payload: parsePayload(event.body),
  };
}

// Prototype keys are stripped again on the way out: a reader that merges the payload into an object must
// not meet them either. A body nested deeper than the intake allows (stored before it refused them) reads as
// null, like one that is not JSON: serialising it could throw, and would then fail every read of its subject.
const parsePayload = (body: string): unknown => parseJsonSafely(body, MAX_WEBHOOK_DEPTH) ?? null;

/**
 * One Server-Sent Events frame. `id` lets a reconnecting client resume with Last-Event-ID. The event name
 * comes from the sender, so line breaks are replaced: one would let a webhook forge extra SSE fields.
 */
export function formatSseFrame(view: EventView): string {
  const name = view.type.replace(/[\r\n\0]/g, '_');
  return `id: ${view.cursor}\nevent: ${name}\ndata: ${JSON.stringify(view)}\n\n`;
}
