import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseProvidersConfig, type ProvidersConfig } from '../../src/bridge/provider-config.ts';
import { envelopeOf, type SignedProviderId } from '../../src/simulator/providers/envelopes.ts';
import { signWebhook, type SigningCredentials } from '../../src/simulator/providers/signers.ts';
import { createHarness, INGEST_TOKEN, metric, openTestStore } from '../unit/bridge/harness.ts';

// POST /hooks/<provider>/<token> for the four signed providers: verified on the raw bytes, stored normalised,
// 401 (never 500) and nothing stored for a bad signature, counted by reason; 404 for a provider that is off.

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const FASTPIX_SECRET = Buffer.from('fastpix-secret').toString('base64');
const STANDARD_SECRET = `whsec_${Buffer.from('a-standard-webhooks-secret-32-bytes!').toString('base64')}`;
const PIXOP_KEY_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';

function providers(env: Record<string, string>): ProvidersConfig {
  const parsed = parseProvidersConfig(env);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.value;
}
const ALL = () =>
  providers({
    BRIDGE_BUILDPIXEL_SECRETS: 'old-secret,bp-secret',
    BRIDGE_FASTPIX_SECRETS: FASTPIX_SECRET,
    BRIDGE_PIXOP_PUBLIC_KEYS: `${PIXOP_KEY_ID}=${spki}`,
    BRIDGE_STANDARD_SECRETS: STANDARD_SECRET,
    BRIDGE_STANDARD_SUCCESS_TYPES: 'job.succeeded',
    BRIDGE_STANDARD_FAILURE_TYPES: 'job.failed',
  });
const CREDENTIALS: Record<SignedProviderId, SigningCredentials> = {
  buildpixel: { provider: 'buildpixel', secret: 'bp-secret' },
  fastpix: { provider: 'fastpix', secret: FASTPIX_SECRET },
  pixop: { provider: 'pixop', privateKey: keys.privateKey, keyId: PIXOP_KEY_ID },
  'standard-webhooks': { provider: 'standard-webhooks', secret: STANDARD_SECRET },
};
const TERMINAL: Record<SignedProviderId, [string, string]> = {
  buildpixel: ['build.complete', 'success'],
  fastpix: ['video.media.failed', 'failure'],
  pixop: ['video.deleted', 'cancelled'],
  'standard-webhooks': ['job.succeeded', 'success'],
};

const signed = (provider: SignedProviderId, type: string, subject = 'unit-1') => {
  const body = JSON.stringify(envelopeOf(provider, type, subject));
  return {
    body,
    headers: signWebhook(CREDENTIALS[provider], body, `msg_${randomUUID()}`, Math.floor(Date.now() / 1000)),
  };
};
const path = (provider: string) => `/hooks/${provider}/${INGEST_TOKEN}`;

describe.each(Object.keys(CREDENTIALS) as SignedProviderId[])('%s ingest', (provider) => {
  it('stores a verified webhook with its normalised fields, readable by subject', async () => {
    const h = await createHarness({ store: await openTestStore('sqlite'), providers: ALL(), now: Date.now });
    const [type, phase] = TERMINAL[provider];
    const { body, headers } = signed(provider, type);
    const res = await h.ingest(body, headers, path(provider));
    expect(res.statusCode).toBe(200);
    const read = await h.poll({ provider, subject: 'unit-1', after: 0 });
    expect(read.json().events).toEqual([
      expect.objectContaining({ provider, subject: 'unit-1', type, phase, payload: JSON.parse(body) }),
    ]);
  });

  it('refuses a tampered body with a 401, stores nothing, and counts why', async () => {
    const h = await createHarness({ providers: ALL(), now: Date.now });
    const { body, headers } = signed(provider, TERMINAL[provider][0]);
    const res = await h.ingest(body.replace('unit-1', 'unit-2'), headers, path(provider));
    expect([res.statusCode, res.json()]).toEqual([401, { error: 'the signature does not verify' }]);
    expect(h.store.events).toEqual([]);
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metric(metrics, `bridge_signature_failures_total{provider="${provider}",reason="mismatch"}`)).toBe(
      1,
    );
  });

  it('refuses a missing signature with a 401, never a 500', async () => {
    const h = await createHarness({ providers: ALL(), now: Date.now });
    const { body } = signed(provider, TERMINAL[provider][0]);
    expect((await h.ingest(body, {}, path(provider))).statusCode).toBe(401);
  });

  it('answers 404 while the provider is not configured', async () => {
    const h = await createHarness({ now: Date.now });
    const { body, headers } = signed(provider, TERMINAL[provider][0]);
    expect((await h.ingest(body, headers, path(provider))).statusCode).toBe(404);
  });

  it('stores a re-delivery once', async () => {
    const h = await createHarness({ providers: ALL(), now: Date.now });
    const first = signed(provider, TERMINAL[provider][0]);
    const again = { ...first, headers: { ...first.headers } };
    const answers = [
      await h.ingest(first.body, first.headers, path(provider)),
      await h.ingest(again.body, again.headers, path(provider)),
    ];
    expect(answers.map((a) => a.json().duplicate)).toEqual([false, true]);
    expect(h.store.events).toHaveLength(1);
  });
});

describe('provider specifics', () => {
  it('answers FastPix’s unsigned {} endpoint check 200 and stores nothing', async () => {
    const h = await createHarness({ providers: ALL() });
    const res = await h.ingest('{}', {}, path('fastpix'));
    expect([res.statusCode, res.json()]).toEqual([200, { ok: true, stored: false }]);
    expect(h.store.events).toEqual([]);
  });

  it('answers an unknown provider 404, like a wrong token', async () => {
    const h = await createHarness({ providers: ALL() });
    expect((await h.ingest('{}', {}, path('vimeo'))).statusCode).toBe(404);
  });

  it('fetches a Pixop key it has not seen from the public-key API, once, and verifies with it', async () => {
    const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const newId = randomUUID();
    const asked: string[] = [];
    const api = createServer((req, res) => {
      asked.push(`${req.url} ${req.headers['x-api-key']}`);
      const publicKey = rotated.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: newId, publicKey }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => api.close(() => resolve())));
    const h = await createHarness({
      providers: providers({
        BRIDGE_PIXOP_API_KEY: 'pixop-api-key',
        BRIDGE_PIXOP_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}/api`,
      }),
      now: Date.now,
    });
    const send = () => {
      const body = JSON.stringify(envelopeOf('pixop', 'video_processing.done', 'unit-9'));
      const headers = signWebhook(
        { provider: 'pixop', privateKey: rotated.privateKey, keyId: newId },
        body,
        'unused',
        Math.floor(Date.now() / 1000),
      );
      return h.ingest(body, headers, path('pixop'));
    };
    expect((await send()).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(200);
    expect(asked).toEqual([`/api/v1/webhooks/public-keys/${newId} pixop-api-key`]);
  });

  it('refuses a Pixop key id it cannot fetch with a 401, without asking for ids that are not Pixop’s', async () => {
    const h = await createHarness({
      providers: providers({ BRIDGE_PIXOP_API_KEY: 'k', BRIDGE_PIXOP_API_URL: 'http://127.0.0.1:9/api' }),
      now: Date.now,
    });
    const body = JSON.stringify(envelopeOf('pixop', 'video_processing.done', 'unit-9'));
    const headers = signWebhook(
      { provider: 'pixop', privateKey: keys.privateKey, keyId: '../../admin' },
      body,
      'x',
      Math.floor(Date.now() / 1000),
    );
    expect((await h.ingest(body, headers, path('pixop'))).statusCode).toBe(401);
  });

  it('applies the project allowlist to Streampixel only', async () => {
    const h = await createHarness({ providers: ALL(), projectIds: ['proj-allowed'], now: Date.now });
    const { body, headers } = signed('buildpixel', 'build.complete');
    expect((await h.ingest(body, headers, path('buildpixel'))).statusCode).toBe(200);
  });
});

describe('provider configuration', () => {
  it('lists every problem, naming variables and never values', () => {
    const parsed = parseProvidersConfig({
      BRIDGE_FASTPIX_SECRETS: 'not base64 !!',
      BRIDGE_PIXOP_PUBLIC_KEYS: 'k1=AAAA,nopair',
      BRIDGE_STANDARD_SECRETS: 'whsec_c2hvcnQ=',
      BRIDGE_PIXOP_API_URL: 'ftp://x',
    });
    expect(parsed).toEqual({
      ok: false,
      problems: [
        'BRIDGE_FASTPIX_SECRETS entry 1 is not a base64 signing secret',
        'BRIDGE_PIXOP_PUBLIC_KEYS entry 1 is not a <key-id>=<base64 DER public key> pair',
        'BRIDGE_PIXOP_PUBLIC_KEYS entry 2 is not a <key-id>=<base64 DER public key> pair',
        'BRIDGE_PIXOP_API_URL must be an http(s) URL',
        'BRIDGE_STANDARD_SECRETS entry 1 is not a whsec_ secret of 24 to 64 bytes',
        'BRIDGE_STANDARD_SUCCESS_TYPES is required with BRIDGE_STANDARD_SECRETS: without it no event ends the work',
      ],
    });
  });

  it('turns on only what is configured', () => {
    const config = providers({ BRIDGE_BUILDPIXEL_SECRETS: 's' });
    expect(config).toMatchObject({
      buildpixel: { secrets: ['s'] },
      fastpix: null,
      pixop: null,
      'standard-webhooks': null,
    });
  });
});
