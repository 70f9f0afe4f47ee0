import { RATE_LIMIT_WINDOW_MS } from './schemas.ts';

/** Used when neither a Retry-After header nor the message says how long to wait (DESIGN §3.4). */
export const DEFAULT_RETRY_AFTER_MS = RATE_LIMIT_WINDOW_MS;

// A server can say anything; past a day the caller's own deadline decides anyway.
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

// "2 minutes", "90s", "1 min 30 sec", "1 minute and 30 seconds". Longer unit names first so "ms" is not "m".
const PART = String.raw`(\d+(?:\.\d+)?)\s*(milliseconds?|msecs?|ms|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b`;
const DURATION = new RegExp(String.raw`${PART}(?:\s*(?:,|and)?\s*${PART})*`, 'gi');
const PART_ONLY = new RegExp(PART, 'gi');

function unitMs(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'ms' || u.startsWith('milli') || u.startsWith('msec')) return UNIT_MS.ms!;
  if (u.startsWith('h')) return UNIT_MS.h!;
  if (u.startsWith('m')) return UNIT_MS.m!;
  return UNIT_MS.s!;
}

const clamp = (ms: number): number => Math.min(Math.max(0, Math.ceil(ms)), MAX_RETRY_AFTER_MS);

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`; undefined when absent or unusable. */
export function parseRetryAfterHeader(header: string | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return clamp(Number(value) * 1000);
  // Only a date-shaped value: Date.parse would also accept "2" or "-1".
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : clamp(at - now);
}

/** "Rate limit exceeded. Try again in 2 minutes." → 120000; undefined when no duration is named. */
export function parseRetryAfterMessage(message: string | undefined): number | undefined {
  if (!message) return undefined;
  const durations = [...message.matchAll(DURATION)];
  if (durations.length === 0) return undefined;
  // Prefer the duration that follows "in" ("1 request per 2 minutes; try again in 30 seconds").
  const chosen =
    durations.find((match) => /\bin\s*$/i.test(message.slice(0, match.index))) ??
    durations[durations.length - 1]!;
  let total = 0;
  for (const part of chosen[0].matchAll(PART_ONLY)) total += Number(part[1]) * unitMs(part[2]!);
  return clamp(total);
}

/**
 * How long to wait after a 429: the Retry-After header (delta seconds or HTTP-date) when present, else the
 * duration Streampixel's message names, else two minutes (its documented window). `now` is epoch ms.
 */
export function parseRetryAfterMs(
  retryAfterHeader: string | undefined,
  serverMessage: string | undefined,
  now: number,
): number {
  return (
    parseRetryAfterHeader(retryAfterHeader, now) ??
    parseRetryAfterMessage(serverMessage) ??
    DEFAULT_RETRY_AFTER_MS
  );
}
