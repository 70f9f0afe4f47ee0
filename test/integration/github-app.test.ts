import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { Agent, type Dispatcher } from 'undici';
import { describe, expect, test } from 'vitest';
import { gitHubFailureOf, isRetryableGitHubFailure } from '../../src/github/api-error.ts';
import { createInstallationTokens, type InstallationTokensOptions } from '../../src/github/app-auth.ts';
import { createDeploymentStatus } from '../../src/github/deployment-api.ts';
import { createRepositoryDispatch } from '../../src/github/dispatch-api.ts';
import { createGitHubRestClient } from '../../src/github/rest-client.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.ts';

// The bridge acting as a GitHub App against a loopback GitHub that records every call: the App's JWT as
// GitHub would check it, the installation token fetched once per repository and again near its expiry, the
// failures an operator must be able to act on, and repository_dispatch. Keys are generated here, never
// checked in; the Authorization values are read from the wire through an injected dispatcher.

const APP_ID = '123456';
const INSTALLATION = 'GET /repos/{owner}/{repo}/installation';
const ACCESS_TOKENS = 'POST /app/installations/{installation_id}/access_tokens';
const DISPATCHES = 'POST /repos/{owner}/{repo}/dispatches';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** The PEM GitHub hands out when an App's key is generated: PKCS#1. */
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;

/** Every Authorization value sent, in order, read from the wire. */
function recordingDispatcher(): { dispatcher: Dispatcher; authorizations: string[] } {
  const authorizations: string[] = [];
  const dispatcher = new Agent().compose((dispatch) => (options, handler) => {
    const value = (options.headers as Record<string, string> | undefined)?.authorization;
    if (value !== undefined) authorizations.push(value);
    return dispatch(options, handler);
  });
  return { dispatcher, authorizations };
}

function tokensFor(github: FakeGitHub, options: Partial<InstallationTokensOptions> = {}) {
  const recorded = recordingDispatcher();
  const tokens = createInstallationTokens({
    appId: APP_ID,
    privateKey: PEM,
    baseUrl: github.url,
    dispatcher: recorded.dispatcher,
    ...options,
  });
  return { tokens, authorizations: recorded.authorizations };
}

/** An access-token route whose tokens are numbered and expire `lifetimeMs` after `clock()`. */
function numberedTokens(github: FakeGitHub, clock: () => number, lifetimeMs = 3_600_000) {
  let count = 0;
  github.on(ACCESS_TOKENS, () => ({
    status: 201,
    body: { token: `ghs_token${++count}`, expires_at: new Date(clock() + lifetimeMs).toISOString() },
  }));
}

function expectNoSecret(error: unknown, secrets: string[]) {
  const text = [String(error), JSON.stringify(error), String((error as Error).cause)].join('\n');
  const keyLines = PEM.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
  for (const secret of [...secrets, ...keyLines]) expect(text).not.toContain(secret);
}

describe('the App’s JWT', () => {
  test('RS256, iss the App, iat a minute back, exp at most 10 minutes ahead, verified with the App’s public key', async () => {
    const github = await startFakeGitHub();
    const now = Date.now();
    const { tokens, authorizations } = tokensFor(github, { now: () => now });
    await tokens.tokenFor('acme/game');

    const jwt = authorizations[0]!.replace(/^Bearer /, '');
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const { payload } = await jwtVerify(jwt, publicKey as KeyObject, {
      algorithms: ['RS256'],
      issuer: APP_ID,
      currentDate: new Date(now),
    });
    const seconds = Math.floor(now / 1000);
    expect(payload).toEqual({ iss: APP_ID, iat: seconds - 60, exp: seconds + 540 });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(600);
    // The same JWT finds the installation and asks for its token.
    expect(authorizations.slice(0, 2)).toEqual([`Bearer ${jwt}`, `Bearer ${jwt}`]);
    expect(github.calls.map((call) => call.route)).toEqual([INSTALLATION, ACCESS_TOKENS]);
    expect(github.calls.map((call) => call.authorization)).toEqual(['Bearer', 'Bearer']);
  });

  test('a key whose newlines are written as \\n, as environment variables carry it', async () => {
    const github = await startFakeGitHub();
    const { tokens } = tokensFor(github, { privateKey: PEM.replace(/\n/g, '\\n') });
    await expect(tokens.tokenFor('acme/game')).resolves.toMatch(/^ghs_/);
  });

  test('a key that is not one: refused at creation, without repeating it', () => {
    const broken = PEM.slice(0, 200);
    let error: unknown;
    try {
      createInstallationTokens({ appId: APP_ID, privateKey: broken, baseUrl: 'http://127.0.0.1:9' });
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).toMatch(/the GitHub App's private key could not be read/);
    expectNoSecret(error, [broken.split('\n')[1]!]);
  });
});

describe('installation tokens', () => {
  test('the installation of the repository, then a token limited to it', async () => {
    const github = await startFakeGitHub();
    github.on(INSTALLATION, () => ({ status: 200, body: { id: 4242, account: { login: 'acme' } } }));
    const { tokens } = tokensFor(github);
    await tokens.tokenFor('acme/game');
    expect(github.callsTo(INSTALLATION)[0]).toMatchObject({ params: { owner: 'acme', repo: 'game' } });
    expect(github.callsTo(ACCESS_TOKENS)[0]).toMatchObject({
      params: { installation_id: '4242' },
      body: { repositories: ['game'] },
    });
  });

  test('or one for the whole installation when asked', async () => {
    const github = await startFakeGitHub();
    const { tokens } = tokensFor(github, { limitToRepository: false });
    await tokens.tokenFor('acme/game');
    expect(github.callsTo(ACCESS_TOKENS)[0]!.body).toBeNull();
  });

  test('fetched once per repository and served from the cache, concurrent callers sharing one fetch', async () => {
    const github = await startFakeGitHub();
    numberedTokens(github, Date.now);
    const { tokens } = tokensFor(github);
    const first = await Promise.all([tokens.tokenFor('acme/game'), tokens.tokenFor('Acme/Game')]);
    expect(first).toEqual(['ghs_token1', 'ghs_token1']);
    expect(await tokens.tokenFor('acme/game')).toBe('ghs_token1');
    expect(await tokens.tokenFor('acme/other-game')).toBe('ghs_token2');
    expect(github.callsTo(ACCESS_TOKENS)).toHaveLength(2);
    expect(github.callsTo(INSTALLATION)).toHaveLength(2);
  });

  test('fetched again from 5 minutes before its expiry (on the injected clock)', async () => {
    const github = await startFakeGitHub();
    let clock = Date.parse('2026-12-01T12:00:00Z');
    numberedTokens(github, () => clock);
    const { tokens } = tokensFor(github, { now: () => clock });
    expect(await tokens.tokenFor('acme/game')).toBe('ghs_token1');
    const expiresAt = clock + 3_600_000;
    clock = expiresAt - 5 * 60_000 - 1;
    expect(await tokens.tokenFor('acme/game')).toBe('ghs_token1');
    clock = expiresAt - 5 * 60_000;
    expect(await tokens.tokenFor('acme/game')).toBe('ghs_token2');
    expect(github.callsTo(ACCESS_TOKENS)).toHaveLength(2);
  });

  test('a failure is not cached: the next call tries again', async () => {
    const github = await startFakeGitHub();
    github.fail(ACCESS_TOKENS, { status: 500 });
    const { tokens } = tokensFor(github);
    const error = await tokens.tokenFor('acme/game').catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/GitHub refused an installation token for acme\/game: GitHub answered 500/);
    expect(isRetryableGitHubFailure(gitHubFailureOf(error))).toBe(true);
    await expect(tokens.tokenFor('acme/game')).resolves.toMatch(/^ghs_/);
  });

  test('used by the REST client as a token function, for a deployment status and a dispatch', async () => {
    const github = await startFakeGitHub();
    numberedTokens(github, Date.now);
    const { tokens, authorizations } = tokensFor(github);
    const recorded = recordingDispatcher();
    const client = createGitHubRestClient({
      token: () => tokens.tokenFor('acme/game'),
      baseUrl: github.url,
      dispatcher: recorded.dispatcher,
    });
    await createDeploymentStatus(client, {
      owner: 'acme',
      repo: 'game',
      deploymentId: 7,
      state: 'success',
      description: 'live',
    });
    await createRepositoryDispatch(client, {
      owner: 'acme',
      repo: 'game',
      eventType: 'streampixel-release',
      clientPayload: { outcome: 'approved' },
    });
    expect(recorded.authorizations).toEqual(['Bearer ghs_token1', 'Bearer ghs_token1']);
    expect(authorizations).toHaveLength(2); // the JWT, twice: one token for both calls
    expect(github.callsTo(ACCESS_TOKENS)).toHaveLength(1);
  });
});

describe('failures an operator can act on, without a key or a token in them', () => {
  test('the App not installed on the repository (404): says so, not worth a retry, no token asked for', async () => {
    const github = await startFakeGitHub();
    github.fail(INSTALLATION, { status: 404 });
    const { tokens, authorizations } = tokensFor(github);
    const error = await tokens.tokenFor('acme/game').catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/the GitHub App is not installed on acme\/game: install it there/);
    expect(gitHubFailureOf(error)).toMatchObject({ kind: 'status', status: 404, serverMessage: 'Not Found' });
    expect(isRetryableGitHubFailure(gitHubFailureOf(error))).toBe(false);
    expect(github.callsTo(ACCESS_TOKENS)).toHaveLength(0);
    expectNoSecret(
      error,
      authorizations.map((value) => value.replace(/^Bearer /, '')),
    );
  });

  test('the JWT refused (401): points at the App ID, the key and the clock', async () => {
    const github = await startFakeGitHub();
    github.fail(INSTALLATION, { status: 401, message: 'A JSON web token could not be decoded' });
    const { tokens, authorizations } = tokensFor(github);
    const error = await tokens.tokenFor('acme/game').catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/BRIDGE_GITHUB_APP_ID, BRIDGE_GITHUB_PRIVATE_KEY and this machine’s clock/);
    expectNoSecret(
      error,
      authorizations.map((value) => value.replace(/^Bearer /, '')),
    );
  });

  test('the token refused for the repository (422): names it', async () => {
    const github = await startFakeGitHub();
    github.fail(ACCESS_TOKENS, {
      status: 422,
      message: 'There is at least one repository that does not exist',
    });
    const { tokens } = tokensFor(github);
    const error = await tokens.tokenFor('acme/game').catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/installation token for acme\/game: GitHub answered 422/);
    expect(gitHubFailureOf(error)).toMatchObject({ status: 422 });
  });

  test('an answer without a token: unexpected, the answer not repeated', async () => {
    const github = await startFakeGitHub();
    github.on(ACCESS_TOKENS, () => ({ status: 201, body: { token: 'ghs_half', expires_at: 'soon' } }));
    const { tokens } = tokensFor(github);
    const error = await tokens.tokenFor('acme/game').catch((caught: unknown) => caught);
    expect(gitHubFailureOf(error)).toMatchObject({ kind: 'unexpected' });
    expectNoSecret(error, ['ghs_half']);
  });

  test('GitHub unreachable: no answer, worth a retry', async () => {
    const github = await startFakeGitHub();
    await github.close();
    const { tokens } = tokensFor(github);
    const error = await tokens.tokenFor('acme/game').catch((caught: unknown) => caught);
    expect(gitHubFailureOf(error)).toMatchObject({ kind: 'no-answer' });
    expect(isRetryableGitHubFailure(gitHubFailureOf(error))).toBe(true);
  });
});

test('GitHub Enterprise Server: the calls go under its /api/v3 base path', async () => {
  const github = await startFakeGitHub({ basePath: '/api/v3' });
  const { tokens } = tokensFor(github);
  await expect(tokens.tokenFor('acme/game')).resolves.toMatch(/^ghs_/);
  expect(github.url).toMatch(/\/api\/v3$/);
  expect(github.calls.map((call) => [call.route, call.path])).toEqual([
    [INSTALLATION, '/repos/acme/game/installation'],
    [ACCESS_TOKENS, expect.stringMatching(/^\/app\/installations\/\d+\/access_tokens$/)],
  ]);
});

describe('repository_dispatch', () => {
  test('the event type and the client payload as GitHub takes them', async () => {
    const github = await startFakeGitHub();
    const client = createGitHubRestClient({ token: 'ghs_test', baseUrl: github.url });
    const clientPayload = {
      outcome: 'approved',
      build_id: 'b-1',
      deployment_id: 7,
      links: { live: 'https://x' },
    };
    await createRepositoryDispatch(client, {
      owner: 'acme',
      repo: 'game',
      eventType: 'streampixel-release',
      clientPayload,
    });
    expect(github.callsTo(DISPATCHES)).toEqual([
      expect.objectContaining({
        params: { owner: 'acme', repo: 'game' },
        body: { event_type: 'streampixel-release', client_payload: clientPayload },
      }),
    ]);
  });

  test.each([
    [
      '11 top-level keys',
      'streampixel-release',
      Object.fromEntries([...Array(11).keys()].map((i) => [`k${i}`, i])),
    ],
    ['an empty event type', '', {}],
    ['an event type of 101 characters', 'x'.repeat(101), {}],
  ])('%s: refused before any call, not worth a retry', async (_, eventType, clientPayload) => {
    const github = await startFakeGitHub();
    const client = createGitHubRestClient({ token: 'ghs_test', baseUrl: github.url });
    const error = await createRepositoryDispatch(client, {
      owner: 'acme',
      repo: 'game',
      eventType,
      clientPayload,
    }).catch((caught: unknown) => caught);
    expect(isRetryableGitHubFailure(gitHubFailureOf(error))).toBe(false);
    expect(github.calls).toHaveLength(0);
  });

  test('10 top-level keys: sent', async () => {
    const github = await startFakeGitHub();
    const client = createGitHubRestClient({ token: 'ghs_test', baseUrl: github.url });
    const clientPayload = Object.fromEntries([...Array(10).keys()].map((i) => [`k${i}`, i]));
    await createRepositoryDispatch(client, {
      owner: 'acme',
      repo: 'game',
      eventType: 'streampixel-release',
      clientPayload,
    });
    expect(github.callsTo(DISPATCHES)).toHaveLength(1);
  });
});
