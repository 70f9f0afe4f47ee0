import { Webhook as PeerStandardWebhook } from 'standardwebhooks';
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { intake, type IntakeResult } from '../../../src/webhooks/intake.ts';
import { buildpixel, type BuildPixelConfig } from '../../../src/webhooks/providers/buildpixel.ts';
import { fastpix, type FastPixConfig } from '../../../src/webhooks/providers/fastpix.ts';
import { pixop, type PixopConfig } from '../../../src/webhooks/providers/pixop.ts';
import type { WebhookProvider } from '../../../src/webhooks/providers/provider.ts';
import {
  DEFAULT_SUBJECT_PATH,
  standardWebhooks,
  type StandardWebhooksConfig,
} from '../../../src/webhooks/providers/standard-webhooks.ts';
import {
  buildpixelEvent as buildpixelEventOf,
  fastpixEvent as fastpixEventOf,
  pixopEvent as pixopEventOf,
  standardEvent as standardEventOf,
} from '../../../src/simulator/providers/envelopes.ts';
import { signWebhook } from '../../../src/simulator/providers/signers.ts';

// Bodies from the simulator's provider envelopes (which say where each shape comes from), signed by its
// signers: code written apart from the verifiers under test.
const BUILDPIXEL_BUILD_ID = '65f2a1b3c4d5e6f708192a3b';
const FASTPIX_MEDIA_ID = '73183ed5-e866-2090-8e28-a1072f429b8c';
const PIXOP_VIDEO_ID = '0b6c1f7e-3c2a-4d5e-9f80-1a2b3c4d5e6f';
const buildpixelEvent = (type: string, extra: Record<string, unknown> = {}) =>
  buildpixelEventOf(type, BUILDPIXEL_BUILD_ID, extra);
const fastpixEvent = (type: string, id?: string) => fastpixEventOf(type, FASTPIX_MEDIA_ID, id);
const pixopEvent = (type: string, test = false) => pixopEventOf(type, PIXOP_VIDEO_ID, test);
const standardEvent = (type: string) => standardEventOf(type, 'job-42');

const signBuildPixel = (body: string, secret: string) =>
  signWebhook({ provider: 'buildpixel', secret }, body, 'unused', 0);
const signFastPix = (body: string, secret: string) =>
  signWebhook({ provider: 'fastpix', secret }, body, 'unused', 0) as { 'fastpix-signature': string };
const signPixop = (body: string, privateKey: KeyObject, keyId: string, at: number) =>
  signWebhook({ provider: 'pixop', privateKey, keyId }, body, 'unused', at);
const signStandard = (body: string, secret: string, id: string, at: number) =>
  signWebhook({ provider: 'standard-webhooks', secret }, body, id, at) as Record<
    'webhook-id' | 'webhook-timestamp' | 'webhook-signature',
    string
  >;
function pixopKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey,
    spkiBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

const NOW = Date.parse('2026-11-24T13:05:10Z');
const NOW_S = Math.floor(NOW / 1000);

function run<C>(
  provider: WebhookProvider<C>,
  config: C,
  body: string,
  headers: Record<string, string>,
  now = NOW,
) {
  return intake(provider, config, { body: Buffer.from(body), headers }, now);
}
const refusal = (result: IntakeResult) =>
  result.kind === 'refused' ? `${result.status} ${result.signature ?? result.reason}` : result.kind;

describe('BuildPixel', () => {
  const config: BuildPixelConfig = { secrets: ['bp-secret-old', 'bp-secret-new'] };
  const signed = (event: object, secret = 'bp-secret-new') => {
    const body = JSON.stringify(event);
    return { body, headers: signBuildPixel(body, secret) };
  };

  it.each([
    ['build.running', 'progress'],
    ['build.complete', 'success'],
    ['build.failed', 'failure'],
    ['build.superseded', 'cancelled'],
    ['build.paused', 'other'],
  ])('%s is phase %s', (type, phase) => {
    const { body, headers } = signed(buildpixelEvent(type));
    const result = run(buildpixel, config, body, headers);
    expect(result).toMatchObject({
      kind: 'event',
      text: body,
      event: {
        provider: 'buildpixel',
        subject: BUILDPIXEL_BUILD_ID,
        type,
        phase,
        scope: '65f2a1b3c4d5e6f708190000',
      },
    });
  });

  it('hands on the artifact URL of a completed build, and a failure reason when one is sent', () => {
    const complete = signed(buildpixelEvent('build.complete'));
    expect(run(buildpixel, config, complete.body, complete.headers)).toMatchObject({
      event: {
        links: {
          artifactUrl: `https://artifacts.buildpixel.example/${BUILDPIXEL_BUILD_ID}/MyGame-Win64.zip`,
        },
      },
    });
    const failed = signed(buildpixelEvent('build.failed', { error: 'Cook failed: missing asset' }));
    expect(run(buildpixel, config, failed.body, failed.headers)).toMatchObject({
      event: { detail: 'Cook failed: missing asset' },
    });
  });

  it('accepts either secret while rotating, and the same key for a re-delivery', () => {
    const a = signed(buildpixelEvent('build.complete'), 'bp-secret-old');
    const b = signed(buildpixelEvent('build.complete'), 'bp-secret-new');
    const first = run(buildpixel, config, a.body, a.headers);
    const again = run(buildpixel, config, b.body, b.headers);
    expect(first.kind).toBe('event');
    expect(
      first.kind === 'event' && again.kind === 'event' && first.event.dedupeKey === again.event.dedupeKey,
    ).toBe(true);
  });

  const valid = signed(buildpixelEvent('build.complete'));
  const mac = valid.headers['x-buildpixel-signature']!.slice('sha256='.length);
  it.each([
    ['a tampered body', valid.body.replace('complete', 'failed'), valid.headers, '401 mismatch'],
    ['a wrong secret', valid.body, signBuildPixel(valid.body, 'nope'), '401 mismatch'],
    ['no header', valid.body, {}, '401 missing-signature'],
    ['a wrong prefix', valid.body, { 'x-buildpixel-signature': `sha1=${mac}` }, '401 malformed-signature'],
    ['no prefix', valid.body, { 'x-buildpixel-signature': mac }, '401 malformed-signature'],
    [
      'a short signature',
      valid.body,
      { 'x-buildpixel-signature': `sha256=${mac.slice(2)}` },
      '401 malformed-signature',
    ],
    [
      'a long signature',
      valid.body,
      { 'x-buildpixel-signature': `sha256=${mac}00` },
      '401 malformed-signature',
    ],
    [
      'a non-hex signature',
      valid.body,
      { 'x-buildpixel-signature': `sha256=${'zz'.repeat(32)}` },
      '401 malformed-signature',
    ],
    ['an upper-case copy', valid.body, { 'x-buildpixel-signature': `sha256=${mac.toUpperCase()}` }, 'event'],
  ])('%s → %s', (_, body, headers, expected) => {
    expect(refusal(run(buildpixel, config, body, headers))).toBe(expected);
  });

  it('refuses a signed body that is not a BuildPixel envelope with a 400', () => {
    const { body, headers } = signed({ type: 'build.complete' });
    expect(refusal(run(buildpixel, config, body, headers))).toBe('400 invalid-envelope');
  });
});

describe('FastPix', () => {
  const secret = Buffer.from('fastpix-signing-secret-bytes').toString('base64');
  const config: FastPixConfig = { secrets: [Buffer.from('previous').toString('base64'), secret] };
  const signed = (event: object, key = secret) => {
    const body = JSON.stringify(event);
    return { body, headers: signFastPix(body, key) };
  };

  it.each([
    ['video.media.created', 'progress'],
    ['video.upload.media_created', 'progress'],
    ['video.media.ready', 'success'],
    ['video.media.failed', 'failure'],
    ['video.media.deleted', 'cancelled'],
    ['video.media.upload.cancelled', 'cancelled'],
    ['video.live_stream.created', 'other'],
  ])('%s is phase %s', (type, phase) => {
    const { body, headers } = signed(fastpixEvent(type));
    expect(run(fastpix, config, body, headers)).toMatchObject({
      kind: 'event',
      event: { provider: 'fastpix', subject: FASTPIX_MEDIA_ID, type, phase, scope: 'ws-1' },
    });
  });

  it('hands on the media id and playback ids of a ready media', () => {
    const { body, headers } = signed(fastpixEvent('video.media.ready'));
    expect(run(fastpix, config, body, headers)).toMatchObject({
      event: { links: { mediaId: FASTPIX_MEDIA_ID, playbackIds: ['pb-73183ed5'] } },
    });
  });

  it('dedupes on the event id: a re-delivery has the same key, another event another', () => {
    const keyOf = (event: object) => {
      const { body, headers } = signed(event);
      const result = run(fastpix, config, body, headers);
      return result.kind === 'event' ? result.event.dedupeKey : null;
    };
    expect(keyOf(fastpixEvent('video.media.ready', 'e1'))).toBe(
      keyOf(fastpixEvent('video.media.ready', 'e1')),
    );
    expect(keyOf(fastpixEvent('video.media.ready', 'e1'))).not.toBe(
      keyOf(fastpixEvent('video.media.ready', 'e2')),
    );
  });

  it('answers the dashboard’s unsigned {} probe without storing it, but refuses an unsigned event', () => {
    expect(run(fastpix, config, '{}', {})).toEqual({ kind: 'probe' });
    expect(run(fastpix, config, ' {} \n', {})).toEqual({ kind: 'probe' });
    expect(refusal(run(fastpix, config, JSON.stringify(fastpixEvent('video.media.ready')), {}))).toBe(
      '401 missing-signature',
    );
  });

  const valid = signed(fastpixEvent('video.media.ready'));
  const mac = valid.headers['fastpix-signature'];
  it.each([
    ['the rotated (older) secret', valid.body, signFastPix(valid.body, config.secrets[0]!), 'event'],
    ['a tampered body', valid.body.replace('ready', 'faile'), valid.headers, '401 mismatch'],
    [
      'a wrong secret',
      valid.body,
      signFastPix(valid.body, Buffer.from('x').toString('base64')),
      '401 mismatch',
    ],
    [
      'the secret used as text, not decoded',
      valid.body,
      { 'fastpix-signature': createHmac('sha256', secret).update(valid.body).digest('base64') },
      '401 mismatch',
    ],
    ['no header', valid.body, {}, '401 missing-signature'],
    ['a prefixed signature', valid.body, { 'fastpix-signature': `sha256=${mac}` }, '401 malformed-signature'],
    ['a short signature', valid.body, { 'fastpix-signature': mac.slice(4) }, '401 malformed-signature'],
    ['a long signature', valid.body, { 'fastpix-signature': `${mac}AAAA` }, '401 malformed-signature'],
    [
      'a non-base64 signature',
      valid.body,
      { 'fastpix-signature': `${'*'.repeat(43)}=` },
      '401 malformed-signature',
    ],
    [
      'a hex signature',
      valid.body,
      { 'fastpix-signature': Buffer.from(mac, 'base64').toString('hex') },
      '401 malformed-signature',
    ],
  ])('%s → %s', (_, body, headers, expected) => {
    expect(refusal(run(fastpix, config, body, headers))).toBe(expected);
  });
});

describe('Pixop', () => {
  const current = pixopKeys();
  const previous = pixopKeys();
  const config: PixopConfig = {
    keys: new Map([
      [
        'key-current',
        createPublicKey({ key: Buffer.from(current.spkiBase64, 'base64'), format: 'der', type: 'spki' }),
      ],
      ['key-previous', previous.publicKey],
    ]),
  };
  const signed = (event: object, keyId = 'key-current', privateKey = current.privateKey, at = NOW_S) => {
    const body = JSON.stringify(event);
    return { body, headers: signPixop(body, privateKey, keyId, at) };
  };

  it.each([
    ['video_processing.started', false, 'progress'],
    ['video_processing.done', false, 'success'],
    ['clip_processing.done', false, 'success'],
    ['video_processing.failed', false, 'failure'],
    ['video_processing_ingestion.failed', false, 'failure'],
    ['clip_processing.failed', false, 'failure'],
    ['video.deleted', false, 'cancelled'],
    ['video_processing.done', true, 'test'],
  ])('%s (test: %s) is phase %s', (type, test, phase) => {
    const { body, headers } = signed(pixopEvent(type, test));
    expect(run(pixop, config, body, headers)).toMatchObject({
      kind: 'event',
      event: { provider: 'pixop', subject: PIXOP_VIDEO_ID, type, phase, links: { videoId: PIXOP_VIDEO_ID } },
    });
  });

  const valid = signed(pixopEvent('video_processing.done'));
  it.each([
    [
      'the previous key during its grace period',
      signed(pixopEvent('video_processing.done'), 'key-previous', previous.privateKey),
      'event',
    ],
    ['a tampered body', { body: valid.body.replace('done', 'fail'), headers: valid.headers }, '401 mismatch'],
    [
      'another key’s signature',
      signed(pixopEvent('video_processing.done'), 'key-current', previous.privateKey),
      '401 mismatch',
    ],
    ['an unknown key id', signed(pixopEvent('video_processing.done'), 'key-new'), '401 unknown-key'],
    [
      'a timestamp 301 s old',
      signed(pixopEvent('video_processing.done'), 'key-current', current.privateKey, NOW_S - 301),
      '401 stale-timestamp',
    ],
    [
      'a timestamp 301 s ahead',
      signed(pixopEvent('video_processing.done'), 'key-current', current.privateKey, NOW_S + 301),
      '401 future-timestamp',
    ],
    [
      'a timestamp 299 s old',
      signed(pixopEvent('video_processing.done'), 'key-current', current.privateKey, NOW_S - 299),
      'event',
    ],
    [
      'a re-signed timestamp header',
      { body: valid.body, headers: { ...valid.headers, 'x-pixop-timestamp': String(NOW_S - 1) } },
      '401 mismatch',
    ],
    [
      'no signature',
      { body: valid.body, headers: { ...valid.headers, 'x-pixop-signature': undefined } },
      '401 missing-signature',
    ],
    [
      'no timestamp',
      { body: valid.body, headers: { ...valid.headers, 'x-pixop-timestamp': undefined } },
      '401 missing-timestamp',
    ],
    [
      'another algorithm',
      { body: valid.body, headers: { ...valid.headers, 'x-pixop-algorithm': 'SHA1withECDSA' } },
      '401 unsupported-algorithm',
    ],
    [
      'a non-base64 signature',
      { body: valid.body, headers: { ...valid.headers, 'x-pixop-signature': '!!!!' } },
      '401 malformed-signature',
    ],
    [
      'a base64 signature that is not DER',
      { body: valid.body, headers: { ...valid.headers, 'x-pixop-signature': 'AAAA' } },
      '401 mismatch',
    ],
    [
      'a very long signature',
      { body: valid.body, headers: { ...valid.headers, 'x-pixop-signature': 'A'.repeat(400) } },
      '401 malformed-signature',
    ],
  ])('%s → %s', (_, { body, headers }, expected) => {
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    expect(refusal(run(pixop, config, body, clean))).toBe(expected);
  });
});

describe('Standard Webhooks', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const config: StandardWebhooksConfig = {
    secrets: ['whsec_dGhlLW9sZC1zZWNyZXQtdGhlLW9sZC1zZWNyZXQ=', secret],
    successTypes: new Set(['job.succeeded']),
    failureTypes: new Set(['job.failed']),
    subjectPath: DEFAULT_SUBJECT_PATH,
  };

  it('verifies the published known-answer case', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const verification = standardWebhooks.verify(
      { body: Buffer.from('{"test": 2432232314}'), headers },
      config,
      1614265330 * 1000,
    );
    expect(verification).toEqual({ ok: true });
  });

  it.each([
    ['job.started', 'progress'],
    ['job.succeeded', 'success'],
    ['job.failed', 'failure'],
  ])('%s is phase %s, with the subject at data.id and webhook-id as the key', (type, phase) => {
    const body = JSON.stringify(standardEvent(type));
    const result = run(standardWebhooks, config, body, signStandard(body, secret, 'msg_1', NOW_S));
    expect(result).toMatchObject({
      kind: 'event',
      event: { subject: 'job-42', type, phase, dedupeKey: JSON.stringify(['standard-webhooks', 'msg_1']) },
    });
  });

  it('finds the subject at a configured path', () => {
    const body = JSON.stringify({ type: 'job.succeeded', data: { job: { ref: 991 } } });
    const result = run(
      standardWebhooks,
      { ...config, subjectPath: ['data', 'job', 'ref'] },
      body,
      signStandard(body, secret, 'msg_2', NOW_S),
    );
    expect(result).toMatchObject({ event: { subject: '991' } });
  });

  it('is verified by the standardwebhooks package, and verifies what it signs', () => {
    const peer = new PeerStandardWebhook(secret);
    const body = JSON.stringify(standardEvent('job.succeeded'));
    const now = new Date();
    const theirs = peer.sign('msg_peer', now, body);
    const headers = {
      'webhook-id': 'msg_peer',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': theirs,
    };
    expect(refusal(run(standardWebhooks, config, body, headers, now.getTime()))).toBe('event');
    const ours = signStandard(body, secret, 'msg_ours', Math.floor(Date.now() / 1000));
    expect(peer.verify(body, ours)).toMatchObject({ type: 'job.succeeded' });
  });

  const body = JSON.stringify(standardEvent('job.succeeded'));
  const valid = signStandard(body, secret, 'msg_3', NOW_S);
  const mac = valid['webhook-signature'].slice(3);
  it.each([
    ['a rotated (older) secret', signStandard(body, config.secrets[0]!, 'msg_3', NOW_S), 'event'],
    [
      'several entries, one valid',
      {
        ...valid,
        'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} v2,abc ${valid['webhook-signature']}`,
      },
      'event',
    ],
    ['a secret without its prefix', signStandard(body, secret.slice(6), 'msg_3', NOW_S), 'event'],
    ['a tampered id', { ...valid, 'webhook-id': 'msg_4' }, '401 mismatch'],
    [
      'a wrong secret',
      signStandard(body, 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==', 'msg_3', NOW_S),
      '401 mismatch',
    ],
    ['no signature', { 'webhook-id': 'msg_3', 'webhook-timestamp': String(NOW_S) }, '401 missing-signature'],
    [
      'no id',
      { 'webhook-timestamp': String(NOW_S), 'webhook-signature': valid['webhook-signature'] },
      '401 missing-signature',
    ],
    [
      'no timestamp',
      { 'webhook-id': 'msg_3', 'webhook-signature': valid['webhook-signature'] },
      '401 missing-timestamp',
    ],
    ['a non-numeric timestamp', { ...valid, 'webhook-timestamp': 'soon' }, '401 malformed-signature'],
    ['a timestamp 6 min old', signStandard(body, secret, 'msg_3', NOW_S - 360), '401 stale-timestamp'],
    ['a timestamp 6 min ahead', signStandard(body, secret, 'msg_3', NOW_S + 360), '401 future-timestamp'],
    ['only other versions', { ...valid, 'webhook-signature': `v1a,${mac}` }, '401 malformed-signature'],
    ['an empty v1 entry', { ...valid, 'webhook-signature': 'v1,' }, '401 malformed-signature'],
    [
      'a partial signature',
      { ...valid, 'webhook-signature': `v1,${mac.slice(0, 20)}` },
      '401 malformed-signature',
    ],
    [
      'a hex signature',
      { ...valid, 'webhook-signature': `v1,${Buffer.from(mac, 'base64').toString('hex')}` },
      '401 malformed-signature',
    ],
  ])('%s → %s', (_, headers, expected) => {
    const tampered = _ === 'a tampered body' ? body.replace('job-42', 'job-43') : body;
    expect(refusal(run(standardWebhooks, config, tampered, headers as Record<string, string>))).toBe(
      expected,
    );
  });

  it('refuses a tampered body', () => {
    expect(refusal(run(standardWebhooks, config, body.replace('job-42', 'job-43'), valid))).toBe(
      '401 mismatch',
    );
  });
});

describe('intake order', () => {
  const config: BuildPixelConfig = { secrets: ['s'] };
  it('refuses an oversized body with a 413 before checking its signature', () => {
    expect(refusal(run(buildpixel, config, `{"x":"${'a'.repeat(70_000)}"}`, {}))).toBe('413 too-large');
  });
  it('checks the signature before reading the body: an unsigned non-JSON body is a 401, not a 400', () => {
    expect(refusal(run(buildpixel, config, 'not json', {}))).toBe('401 missing-signature');
  });
  it('refuses signed bytes that are not UTF-8, or a lone surrogate, with a 400', () => {
    const bad = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    const headers = {
      'x-buildpixel-signature': `sha256=${createHmac('sha256', 's').update(bad).digest('hex')}`,
    };
    expect(refusal(intake(buildpixel, config, { body: bad, headers }, NOW))).toBe('400 not-utf8');
    const lone = JSON.stringify(buildpixelEvent('build.complete')).replace('"Win64"', '"Win\\ud800"');
    expect(refusal(run(buildpixel, config, lone, signBuildPixel(lone, 's')))).toBe('400 invalid-envelope');
  });
});
