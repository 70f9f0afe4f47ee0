import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RETRY_AFTER_MS,
  parseRetryAfterHeader,
  parseRetryAfterMessage,
  parseRetryAfterMs,
} from '../../../src/streampixel/retry-after.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('parseRetryAfterMs', () => {
  test.each([
    // [header, message, expected ms, why]
    ['30', undefined, 30_000, 'delta seconds'],
    ['0', 'Try again in 2 minutes.', 0, 'a zero header still wins over the message'],
    [' 45 ', undefined, 45_000, 'whitespace around delta seconds'],
    ['Sun, 01 Jun 2025 12:01:30 GMT', undefined, 90_000, 'HTTP-date in the future'],
    ['Sun, 01 Jun 2025 11:59:00 GMT', 'Try again in 2 minutes.', 0, 'HTTP-date in the past means now'],
    [undefined, 'Rate limit exceeded. Try again in 2 minutes.', 120_000, "Streampixel's documented message"],
    [undefined, 'Try again in 1 minute.', 60_000, 'singular unit'],
    [undefined, 'Try again in 30 seconds', 30_000, 'seconds'],
    [undefined, 'try again in 90s', 90_000, 'short unit'],
    [undefined, 'Try again in 1 minute and 30 seconds.', 90_000, 'compound duration'],
    [undefined, 'Try again in 1.5 minutes', 90_000, 'fractional'],
    [undefined, '1 request per 2 minutes. Try again in 45 seconds.', 45_000, 'the "in" duration wins'],
    [undefined, 'Rate limit exceeded.', DEFAULT_RETRY_AFTER_MS, 'no duration: the default'],
    [undefined, undefined, 120_000, 'nothing at all: two minutes'],
    ['soon', 'Try again in 3 minutes', 180_000, 'an unusable header falls through to the message'],
    ['-5', undefined, 120_000, 'a negative header is unusable'],
    ['', '', 120_000, 'empty strings are absent'],
    ['999999999999', undefined, 86_400_000, 'capped at a day'],
  ] as const)('header %j, message %j → %i (%s)', (header, message, expected, _why) => {
    expect(parseRetryAfterMs(header, message, NOW)).toBe(expected);
  });
});

describe('parseRetryAfterHeader', () => {
  test.each([
    [undefined, undefined],
    ['120', 120_000],
    ['1.5', undefined],
    ['2', 2000],
    ['Sun, 01 Jun 2025 12:00:10 GMT', 10_000],
    ['not a date', undefined],
  ] as const)('%j → %j', (header, expected) => {
    expect(parseRetryAfterHeader(header, NOW)).toBe(expected);
  });
});

describe('parseRetryAfterMessage', () => {
  test.each([
    ['Try again in 2 minutes', 120_000],
    ['Try again in 2 mins', 120_000],
    ['Try again in 1 hour', 3_600_000],
    ['Try again in 500ms', 500],
    ['Try again in 3 more attempts', undefined],
    ['Unauthorized: Invalid API Key', undefined],
    ['', undefined],
  ] as const)('%j → %j', (message, expected) => {
    expect(parseRetryAfterMessage(message)).toBe(expected);
  });
});
