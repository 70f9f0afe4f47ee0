import { LinksSchema, PHASES, type Phase } from '../../webhooks/event.ts';
import { parseJsonSafely } from '../../webhooks/safe-json.ts';
import type { NewEvent, NormalizedColumns } from './store.ts';

// The normalised columns of migration 002, written and read the same way by every store.

/** In the order both stores' INSERT and SELECT name them. */
export const NORMALIZED_COLUMNS = ['phase', 'occurred_at', 'scope', 'status', 'detail', 'links'] as const;

// A JSON `\u0000` escape decodes to a NUL character, which PostgreSQL text cannot hold. These columns are
// for reading, not the record (the body keeps every byte), so it is replaced rather than refused: a
// rejection whose objection holds one is still stored.
const storable = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : value.replaceAll('\u0000', '\ufffd');

/** A new event's normalised fields as column values, in NORMALIZED_COLUMNS order. */
export function normalizedValues(event: NewEvent): Array<string | null> {
  return [
    event.phase ?? null,
    storable(event.occurredAt),
    storable(event.scope),
    storable(event.status),
    storable(event.detail),
    storable(JSON.stringify(event.links ?? {})),
  ];
}

const PHASE_SET: ReadonlySet<string> = new Set(PHASES);
const optionalText = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A row's normalised columns back as fields; anything unexpected reads as "not normalised". */
export function normalizedFields(row: Record<string, unknown>): NormalizedColumns {
  const phase = optionalText(row['phase']);
  const links = LinksSchema.safeParse(parseJsonSafely(optionalText(row['links']) ?? '{}'));
  return {
    phase: phase !== null && PHASE_SET.has(phase) ? (phase as Phase) : null,
    occurredAt: optionalText(row['occurred_at']),
    scope: optionalText(row['scope']),
    status: optionalText(row['status']),
    detail: optionalText(row['detail']),
    links: links.success ? links.data : {},
  };
}
