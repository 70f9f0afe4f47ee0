import { Agent, type Dispatcher } from 'undici';
import { describe, expect, test } from 'vitest';
import {
  createOidcVerifier,
  type OidcVerification,
  type OidcVerifierOptions,
} from '../../src/github/oidc.ts';
import { startFakeOidcIssuer, type FakeOidcIssuer } from '../support/fake-oidc-issuer.ts';

// The handoff's registration check against a loopback issuer whose keys are generated at test time: every
// refusal a job or an attacker can cause, the key set's cache across a rotation, and that no refusal repeats
// any part of the token.

const AUDIENCE = 'https://bridge.example.com';
const now = () => Math.floor(Date.now() / 1000);

function verifierFor(issuer: FakeOidcIssuer, options: Partial<OidcVerifierOptions> = {}) {
  return createOidcVerifier({
    issuer: issuer.issuer,
    audience: AUDIENCE,
    repositories: ['acme/game', 'acme/other-game'],
    ...options,
  });
}

function expectRefused(result: OidcVerification, status: number, reason: string, token?: string) {
  expect(result).toMatchObject({ ok: false, status, reason });
  if (token !== undefined && !result.ok) expectNoTokenText(result, token);
}

function expectNoTokenText(result: OidcVerification, token: string) {
  const text = JSON.stringify(result);
  for (const part of [token, ...token.split('.')].filter((part) => part.length >= 8))
    expect(text).not.toContain(part);
}

describe('a GitHub Actions OIDC token', () => {
  test('from the issuer, for this bridge, from an allowed repository: its claims', async () => {
    const issuer = await startFakeOidcIssuer();
    const result = await verifierFor(issuer).verify(await issuer.mint(AUDIENCE));
    expect(result).toEqual({
      ok: true,
      claims: expect.objectContaining({
        repository: 'acme/game',
        repositoryId: '123456789',
        ref: 'refs/heads/main',
        sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        runId: '5550001234',
        workflow: 'Release',
        actor: 'octocat',
        subject: 'repo:acme/game:ref:refs/heads/main',
      }),
    });
    expect(issuer.fetches).toEqual({ discovery: 1, jwks: 1 });
  });

  test('the audience with or without a trailing slash, on either side', async () => {
    const issuer = await startFakeOidcIssuer();
    const withSlash = verifierFor(issuer, { audience: `${AUDIENCE}/` });
    expect((await withSlash.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    expect((await verifierFor(issuer).verify(await issuer.mint(`${AUDIENCE}/`))).ok).toBe(true);
  });

  test('an issuer under a path (GitHub Enterprise Server’s /_services/token)', async () => {
    const issuer = await startFakeOidcIssuer({ basePath: '/_services/token' });
    expect((await verifierFor(issuer).verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
  });

  test('the keys are fetched through the injected dispatcher', async () => {
    const issuer = await startFakeOidcIssuer();
    const seen: string[] = [];
    const dispatcher: Dispatcher = new Agent().compose(
      (dispatch) => (options, handler) => (seen.push(String(options.path)), dispatch(options, handler)),
    );
    const result = await verifierFor(issuer, { dispatcher }).verify(await issuer.mint(AUDIENCE));
    expect(result.ok).toBe(true);
    expect(seen).toEqual(['/.well-known/openid-configuration', '/.well-known/jwks']);
  });
});

describe('refused with 401 and a reason', () => {
  test.each([
    ['no token', undefined],
    ['an empty token', ''],
    ['blank', '   '],
  ])('%s: missing-token, nothing fetched', async (_, token) => {
    const issuer = await startFakeOidcIssuer();
    expectRefused(await verifierFor(issuer).verify(token), 401, 'missing-token');
    expect(issuer.fetches).toEqual({ discovery: 0, jwks: 0 });
  });

  test.each([
    ['not a JWT', 'not-a-jwt'],
    ['three parts of garbage', 'aaaaaaaaaa.bbbbbbbbbb.cccccccccc'],
    ['a header that is not JSON', `${Buffer.from('{nope').toString('base64url')}.e30.c2lnbmF0dXJl`],
  ])('%s: malformed, nothing fetched', async (_, token) => {
    const issuer = await startFakeOidcIssuer();
    expectRefused(await verifierFor(issuer).verify(token), 401, 'malformed', token);
    expect(issuer.fetches).toEqual({ discovery: 0, jwks: 0 });
  });

  test('a genuine token of more than 16 KiB: malformed, nothing fetched', async () => {
    const issuer = await startFakeOidcIssuer();
    const token = await issuer.mint(AUDIENCE, { padding: 'x'.repeat(13 * 1024) });
    expect(token.length).toBeGreaterThan(16 * 1024);
    expectRefused(await verifierFor(issuer).verify(token), 401, 'malformed', token);
    expect(issuer.fetches).toEqual({ discovery: 0, jwks: 0 });
  });

  test('signed by another key under the published kid: bad-signature, keys not refetched', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 0 });
    expect((await verifier.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    const forged = await issuer.mint(AUDIENCE, {}, { signer: 'foreign' });
    expectRefused(await verifier.verify(forged), 401, 'bad-signature', forged);
    expect(issuer.fetches.jwks).toBe(1);
  });

  test('a genuine token with a claim changed: bad-signature', async () => {
    const issuer = await startFakeOidcIssuer();
    const [header, payload, signature] = (await issuer.mint(AUDIENCE)).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [
      header,
      Buffer.from(JSON.stringify({ ...claims, repository: 'acme/other-game' })).toString('base64url'),
      signature,
    ].join('.');
    expectRefused(await verifierFor(issuer).verify(tampered), 401, 'bad-signature', tampered);
  });

  test('alg none: wrong-algorithm, nothing fetched', async () => {
    const issuer = await startFakeOidcIssuer();
    const token = issuer.mintUnsigned({ kid: issuer.kid }, { iss: issuer.issuer, aud: AUDIENCE });
    expectRefused(await verifierFor(issuer).verify(token), 401, 'wrong-algorithm', token);
    expect(issuer.fetches).toEqual({ discovery: 0, jwks: 0 });
  });

  test('HS256 keyed with the issuer’s public key: wrong-algorithm', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer);
    expect((await verifier.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    const publicKeyBytes = Buffer.from(JSON.stringify(issuer.publicJwk()));
    const claims = { iss: issuer.issuer, aud: AUDIENCE, exp: now() + 300, repository: 'acme/game' };
    const token = await issuer.mintHs256(publicKeyBytes, claims);
    expectRefused(await verifier.verify(token), 401, 'wrong-algorithm', token);
  });

  test('an RS256 header on an HMAC signature: bad-signature', async () => {
    const issuer = await startFakeOidcIssuer();
    const hs = await issuer.mintHs256(new Uint8Array(32), { iss: issuer.issuer, aud: AUDIENCE });
    const [, payload, signature] = hs.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: issuer.kid })).toString('base64url');
    const token = `${header}.${payload}.${signature}`;
    expectRefused(await verifierFor(issuer).verify(token), 401, 'bad-signature', token);
  });

  test.each([
    ['another issuer', { iss: 'https://token.actions.githubusercontent.com' }, 'wrong-issuer'],
    ['another audience', { aud: 'https://other-bridge.example.com' }, 'wrong-audience'],
    [
      'an audience list without this bridge',
      { aud: ['sigstore', 'https://evil.example.com'] },
      'wrong-audience',
    ],
    ['no audience', { aud: undefined }, 'wrong-audience'],
    ['expired 2 minutes ago', { exp: now() - 120 }, 'expired'],
    ['no expiry', { exp: undefined }, 'missing-claims'],
    ['not valid for 5 minutes', { nbf: now() + 300 }, 'not-yet-valid'],
    ['no repository claim', { repository: undefined }, 'missing-claims'],
    ['a repository claim that is no owner/name', { repository: 'acme' }, 'missing-claims'],
    ['no run_id', { run_id: undefined }, 'missing-claims'],
  ])('%s: %s', async (_, claims, reason) => {
    const issuer = await startFakeOidcIssuer();
    const token = await issuer.mint(AUDIENCE, claims);
    expectRefused(await verifierFor(issuer).verify(token), 401, reason, token);
  });

  test('within the clock tolerance (60 s): accepted', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer);
    expect((await verifier.verify(await issuer.mint(AUDIENCE, { exp: now() - 30 }))).ok).toBe(true);
    expect((await verifier.verify(await issuer.mint(AUDIENCE, { nbf: now() + 30 }))).ok).toBe(true);
  });

  test('times are read on the injected clock', async () => {
    const issuer = await startFakeOidcIssuer();
    const token = await issuer.mint(AUDIENCE);
    const inTenMinutes = verifierFor(issuer, { now: () => Date.now() + 600_000 });
    expectRefused(await inTenMinutes.verify(token), 401, 'expired', token);
    const tenMinutesAgo = verifierFor(issuer, { now: () => Date.now() - 600_000 });
    expectRefused(await tenMinutesAgo.verify(token), 401, 'not-yet-valid', token);
  });

  test('a kid the issuer does not publish: unknown-key, and forged kids cost one fetch per cool-down', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer);
    expect((await verifier.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      const token = await issuer.mint(AUDIENCE, {}, { header: { kid: `forged-${i}` } });
      expectRefused(await verifier.verify(token), 401, 'unknown-key', token);
    }
    expect(issuer.fetches).toEqual({ discovery: 1, jwks: 1 });
  });
});

describe('repositories', () => {
  test('one outside BRIDGE_GITHUB_REPOS: 403, named in the message', async () => {
    const issuer = await startFakeOidcIssuer();
    const token = await issuer.mint(AUDIENCE, { repository: 'mallory/game' });
    const result = await verifierFor(issuer).verify(token);
    expectRefused(result, 403, 'repository-not-allowed', token);
    expect(!result.ok && result.message).toBe('the repository mallory/game is not in BRIDGE_GITHUB_REPOS');
  });

  test('compared without case, the claim kept as GitHub wrote it', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer, { repositories: ['ACME/Game'] });
    const result = await verifier.verify(await issuer.mint(AUDIENCE, { repository: 'acme/GAME' }));
    expect(result).toMatchObject({ ok: true, claims: { repository: 'acme/GAME' } });
    const prefix = await issuer.mint(AUDIENCE, { repository: 'acme/game-fork' });
    expectRefused(await verifier.verify(prefix), 403, 'repository-not-allowed', prefix);
  });
});

describe('the issuer’s keys', () => {
  test('a rotation: the new kid is fetched once, then served from the cache', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 0 });
    expect((await verifier.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    const oldToken = await issuer.mint(AUDIENCE);
    await issuer.rotate();
    expect((await verifier.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    expect(issuer.fetches.jwks).toBe(2);
    expect((await verifier.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    expect((await verifier.verify(oldToken)).ok).toBe(true);
    expect(issuer.fetches).toEqual({ discovery: 1, jwks: 2 });
  });

  test('a key withdrawn by the issuer: its tokens are refused once the set is refetched', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer, { jwksCooldownMs: 0 });
    const oldToken = await issuer.mint(AUDIENCE);
    await issuer.rotate({ dropOld: true });
    expect((await verifier.verify(await issuer.mint(AUDIENCE))).ok).toBe(true);
    expectRefused(await verifier.verify(oldToken), 401, 'unknown-key', oldToken);
  });

  test('discovery failing: 503 issuer-unavailable, tried again on the next token', async () => {
    const issuer = await startFakeOidcIssuer();
    const verifier = verifierFor(issuer);
    issuer.fail('discovery', 500);
    const token = await issuer.mint(AUDIENCE);
    expectRefused(await verifier.verify(token), 503, 'issuer-unavailable', token);
    expect((await verifier.verify(token)).ok).toBe(true);
    expect(issuer.fetches.discovery).toBe(2);
  });

  test('the key set failing: 503 issuer-unavailable', async () => {
    const issuer = await startFakeOidcIssuer();
    issuer.fail('jwks', 502);
    const token = await issuer.mint(AUDIENCE);
    expectRefused(await verifierFor(issuer).verify(token), 503, 'issuer-unavailable', token);
  });

  test('a discovery document pointing at another origin: nothing fetched there, 503', async () => {
    const issuer = await startFakeOidcIssuer();
    const elsewhere = await startFakeOidcIssuer();
    issuer.setDiscovery({ jwks_uri: `${elsewhere.issuer}/.well-known/jwks` });
    const token = await issuer.mint(AUDIENCE);
    expectRefused(await verifierFor(issuer).verify(token), 503, 'issuer-unavailable', token);
    expect(elsewhere.fetches).toEqual({ discovery: 0, jwks: 0 });
  });

  test('a discovery document naming another issuer: 503, its keys never used', async () => {
    const issuer = await startFakeOidcIssuer();
    issuer.setDiscovery({ issuer: 'https://token.actions.githubusercontent.com' });
    const token = await issuer.mint(AUDIENCE);
    expectRefused(await verifierFor(issuer).verify(token), 503, 'issuer-unavailable', token);
    expect(issuer.fetches.jwks).toBe(0);
  });

  test('an unreachable issuer: 503', async () => {
    const issuer = await startFakeOidcIssuer();
    const token = await issuer.mint(AUDIENCE);
    await issuer.close();
    expectRefused(await verifierFor(issuer).verify(token), 503, 'issuer-unavailable', token);
  });
});
