import { describe, expect, it } from 'vitest';
import { intake, MAX_WEBHOOK_BYTES, MAX_WEBHOOK_DEPTH } from '../../../src/webhooks/intake.ts';
import { streampixel } from '../../../src/webhooks/providers/streampixel.ts';

/** Streampixel's webhooks through the one intake pipeline, as the bridge and the receiver run it. */
const parseStreampixelWebhook = (body: Uint8Array) =>
  intake(streampixel, null, { body, headers: {} }, Date.now());

const envelope = (patch: Record<string, unknown> = {}) => ({
  event: 'build.rejected',
  projectId: 'proj-1',
  uploadId: 'up-1',
  fileUrl: 'https://builds.example/game.zip',
  status: 'Reject',
  objection: 'Malware signature found',
  timestamp: '2026-11-24T13:05:00.000Z',
  ...patch,
});
const bytes = (text: string) => new TextEncoder().encode(text);

describe('the intake of a Streampixel webhook', () => {
  it('accepts any objection that fits the body limit: a rejection is always a rejection', () => {
    const objection = 'y'.repeat(MAX_WEBHOOK_BYTES - 400);
    const parsed = parseStreampixelWebhook(bytes(JSON.stringify(envelope({ objection }))));
    expect(parsed).toMatchObject({ kind: 'event', event: { phase: 'failure', detail: objection } });
  });

  it('accepts a long status and file URL too', () => {
    const parsed = parseStreampixelWebhook(
      bytes(
        JSON.stringify(
          envelope({ status: 's'.repeat(5000), fileUrl: `https://x.example/${'p'.repeat(20_000)}` }),
        ),
      ),
    );
    expect(parsed.kind).toBe('event');
  });

  it('refuses bytes that are not UTF-8 rather than storing replacement characters', () => {
    const good = bytes(JSON.stringify(envelope({ objection: 'AB' })));
    const at = Buffer.from(good).indexOf('AB');
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xc3, 0x28]), good.subarray(at + 2)]);
    expect(parseStreampixelWebhook(bad)).toMatchObject({ kind: 'refused', status: 400, reason: 'not-utf8' });
  });

  it.each([
    ['a lone high surrogate in uploadId', '{"uploadId":"up-\\ud800"}'],
    ['a lone low surrogate in event', '{"event":"build.approved\\udc00"}'],
    ['a lone surrogate in a key', '{"\\ud800":1}'],
  ])('refuses %s: distinct ids must not collapse into one', (_, patch) => {
    const body = JSON.stringify(envelope()).replace(/}$/, `,${patch.slice(1)}`);
    expect(parseStreampixelWebhook(bytes(body))).toMatchObject({
      kind: 'refused',
      status: 400,
      reason: 'invalid-envelope',
    });
  });

  it('accepts well-formed surrogate pairs (emoji)', () => {
    const body = JSON.stringify(envelope()).replace(/}$/, ',"note":"\\ud83c\\udfae"}');
    expect(parseStreampixelWebhook(bytes(body)).kind).toBe('event');
  });

  it.each([
    'Tue Nov 24 2026',
    '2026-11-24 13:05:00Z',
    '2026-11-24T13:05:00',
    '2026-02-30T13:05:00Z',
    '1795525200000',
    '2026-11-24T13:05:00Z\n::error::x',
  ])('refuses the timestamp %j: ISO 8601 with a zone only', (timestamp) => {
    expect(parseStreampixelWebhook(bytes(JSON.stringify(envelope({ timestamp }))))).toMatchObject({
      kind: 'refused',
      status: 400,
      reason: 'invalid-envelope',
    });
  });

  it('accepts ISO 8601 timestamps with an offset or fractions', () => {
    for (const timestamp of ['2026-11-24T13:05:00Z', '2026-11-24T14:05:00.123+01:00']) {
      expect(parseStreampixelWebhook(bytes(JSON.stringify(envelope({ timestamp })))).kind).toBe('event');
    }
  });

  it('refuses a body nested past the limit, without a crash: no reader could serialise it again', () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = (depth: number) => JSON.stringify(envelope()).replace(/}$/, `,"deep":${deep(depth)}}`);
    expect(parseStreampixelWebhook(bytes(body(20_000)))).toMatchObject({
      kind: 'refused',
      status: 400,
      reason: 'invalid-envelope',
    });
    // The envelope is the first level.
    expect(parseStreampixelWebhook(bytes(body(MAX_WEBHOOK_DEPTH))).kind).toBe('refused');
    expect(parseStreampixelWebhook(bytes(body(MAX_WEBHOOK_DEPTH - 1))).kind).toBe('event');
  });
});
