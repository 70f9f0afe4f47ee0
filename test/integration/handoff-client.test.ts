import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/free-port.ts';
import type { Clock } from '../../src/lib/clock.ts';
import {
  checkHandoffAuth,
  registerHandoff,
  type HandoffRegistration,
} from '../../src/release/handoff-client.ts';
import { ReleaseError } from '../../src/streampixel/errors.ts';
import { BRIDGE_TOKENS } from '../support/secrets.ts';
import { listenForTest } from '../support/listen.ts';

// The job's registration of a handoff against a loopback stand-in for the bridge's POST /v1/handoffs: what
// is sent (headers, body), and what each answer becomes. Retries run on a clock that only pretends to sleep.

const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJyZXBvc2l0b3J5IjoiYWNtZS9nYW1lIn0.c2lnbmF0dXJl';

const REGISTRATION: HandoffRegistration = {
  provider: 'streampixel',
  subject: 'up-1',
  projectId: 'proj-1',
  command: 'distribute',
  countFrom: 1_764_600_000_000,
  deadline: 1_764_602_700_000,
  deployment: { id: 1001, environmentUrl: 'https://share.streampixel.io/proj-1' },
  notify: { url: 'https://hooks.slack.com/services/T0/B0/x', on: 'always', format: '' },
  dispatch: true,
};

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset';

/** A loopback bridge that records every request and gives the next answer of `answers` (the last repeats). */
async function startBridge(answers: Answer[]) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : null,
      });
      const answer = answers[Math.min(received.length, answers.length) - 1]!;
      if (answer === 'reset') return req.socket.destroy();
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await listenForTest(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** Sleeps take no real time: the clock moves on by what was asked. */
function pretendClock(start = 1_764_600_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReleaseError);
  return (error as ReleaseError).message;
}

const register = (bridgeUrl: string, clock: Clock = pretendClock()) =>
  registerHandoff({
    bridgeUrl,
    auth: { kind: 'github-oidc', token: async () => OIDC_TOKEN },
    registration: REGISTRATION,
    clock,
  });

describe('registerHandoff', () => {
  it('POSTs the registration with the OIDC token as a bearer, and returns the handoff and its state URL', async () => {
    const bridge = await startBridge([
      { status: 201, body: { id: 'h-42', state: 'following', statusUrl: '/v1/handoffs/h-42' } },
    ]);
    const receipt = await register(`${bridge.url}/`);
    expect(receipt).toEqual({ id: 'h-42', statusUrl: `${bridge.url}/v1/handoffs/h-42` });
    expect(bridge.received).toHaveLength(1);
    const [post] = bridge.received;
    expect(post).toMatchObject({ method: 'POST', url: '/v1/handoffs' });
    expect(post!.headers.authorization).toBe(`Bearer ${OIDC_TOKEN}`);
    expect(post!.headers['content-type']).toBe('application/json');
    // sentAt: the runner's clock at sending, so the bridge can move countFrom and deadline onto its own.
    expect(post!.body).toEqual({ ...REGISTRATION, sentAt: expect.any(Number) });
  });

  it('keeps a base path of bridge-url (a bridge behind a proxy path)', async () => {
    const bridge = await startBridge([{ status: 201, body: { id: 'h-1', state: 'following' } }]);
    const receipt = await register(`${bridge.url}/bridge`);
    expect(bridge.received[0]!.url).toBe('/bridge/v1/handoffs');
    expect(receipt.statusUrl).toBe(`${bridge.url}/bridge/v1/handoffs/h-1`);
  });

  it.each<[string, Answer, RegExp[]]>([
    [
      '400 with the problems',
      {
        status: 400,
        body: { error: 'invalid handoff', problems: ['deadline: must be positive', 'subject: required'] },
      },
      [/refused the registration \(400: invalid handoff\): deadline: must be positive; subject: required/],
    ],
    [
      '401: the OIDC token refused',
      { status: 401, body: { error: 'unauthorized', reason: 'audience does not match' } },
      [
        /refused the job's OIDC token \(401: audience does not match\)/,
        /permissions: id-token: write/,
        /BRIDGE_PUBLIC_URL is http:\/\/127\.0\.0\.1:\d+ /,
        /BRIDGE_GITHUB_REPOS lists this repository/,
      ],
    ],
    [
      '401 as the bridge words it: a code and a message',
      { status: 401, body: { error: 'audience', message: 'the token is for another audience' } },
      [/refused the job's OIDC token \(401: audience: the token is for another audience\)/],
    ],
    [
      '403: a repository outside the list',
      { status: 403, body: { error: 'forbidden', reason: 'repository acme/game is not allowed' } },
      [/\(403: repository acme\/game is not allowed\)/, /BRIDGE_GITHUB_REPOS/],
    ],
    [
      '404: no handoff configured',
      { status: 404, body: { error: 'not found' } },
      [
        /has no handoff configured \(404 from POST \/v1\/handoffs\)/,
        /BRIDGE_PUBLIC_URL, BRIDGE_GITHUB_REPOS/,
      ],
    ],
    [
      '201 with a body that is not a handoff',
      { status: 201, body: '<html>login</html>' },
      [/answered 201 with a body this action does not understand/],
    ],
    [
      'an unexpected status',
      { status: 409, body: { error: 'conflict' } },
      [/answered 409 to the registration: conflict/],
    ],
  ])('fails at once on %s, saying what to fix', async (_name, answer, messages) => {
    const bridge = await startBridge([answer]);
    const message = await refusal(register(bridge.url));
    for (const pattern of messages) expect(message).toMatch(pattern);
    expect(bridge.received).toHaveLength(1);
    expect(message).not.toContain(OIDC_TOKEN);
  });

  it("neutralises the bridge's words: no line break can start a workflow command", async () => {
    const bridge = await startBridge([
      { status: 401, body: { error: 'x', reason: 'bad\n::set-output name=outcome::approved' } },
    ]);
    const message = await refusal(register(bridge.url));
    expect(message).not.toContain('\n');
  });

  it('retries 503 and 429, keeping to Retry-After, and registers once the bridge takes it', async () => {
    const bridge = await startBridge([
      { status: 503, body: { error: 'store unavailable' } },
      { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '3' } },
      { status: 201, body: { id: 'h-7', state: 'following' } },
    ]);
    const clock = pretendClock();
    const receipt = await register(bridge.url, clock);
    expect(receipt.id).toBe('h-7');
    expect(bridge.received).toHaveLength(3);
    expect(clock.slept[1]).toBe(3000);
    // The same registration each time.
    const withoutSentAt = bridge.received.map(({ body }) =>
      JSON.stringify({ ...(body as object), sentAt: 0 }),
    );
    expect(new Set(withoutSentAt).size).toBe(1);
  });

  it('gives up after 30 s of 5xx, saying for how long', async () => {
    const bridge = await startBridge([{ status: 502, body: {} }]);
    const clock = pretendClock();
    const message = await refusal(register(bridge.url, clock));
    expect(message).toBe('the release bridge answered 502 for 30 s');
    expect(clock.slept.reduce((sum, ms) => sum + ms, 0)).toBe(30_000);
    expect(bridge.received.length).toBeGreaterThan(3);
    expect(bridge.received.length).toBeLessThan(15);
  });

  it('retries a bridge that refuses connections, which cannot have registered anything', async () => {
    const port = await freePort();
    const message = await refusal(register(`http://127.0.0.1:${port}`));
    expect(message).toBe('the release bridge was unreachable (ECONNREFUSED) for 30 s');
  });

  it('does not repeat a registration whose answer was lost: the bridge may already follow the build', async () => {
    const bridge = await startBridge(['reset']);
    const message = await refusal(register(bridge.url));
    expect(message).toMatch(/answer was lost \(\w+\); the bridge may have registered it/);
    expect(bridge.received).toHaveLength(1);
  });
});

describe('registerHandoff with the handoff token (other CI: no Deployment, no dispatch)', () => {
  const HANDOFF_TOKEN = BRIDGE_TOKENS.handoff;
  const CLI_REGISTRATION: HandoffRegistration = {
    ...REGISTRATION,
    deployment: null,
    notify: null,
    dispatch: false,
  };
  const registerWithToken = (bridgeUrl: string) =>
    registerHandoff({
      bridgeUrl,
      auth: { kind: 'handoff-token', token: HANDOFF_TOKEN },
      registration: CLI_REGISTRATION,
      clock: pretendClock(),
    });

  it('sends the handoff token as the bearer, through the same client', async () => {
    const bridge = await startBridge([{ status: 201, body: { id: 'h-9', state: 'following' } }]);
    const receipt = await registerWithToken(bridge.url);
    expect(receipt).toEqual({ id: 'h-9', statusUrl: `${bridge.url}/v1/handoffs/h-9` });
    expect(bridge.received[0]!.headers.authorization).toBe(`Bearer ${HANDOFF_TOKEN}`);
    expect(bridge.received[0]!.body).toEqual({ ...CLI_REGISTRATION, sentAt: expect.any(Number) });
  });

  it.each<[string, Answer, RegExp]>([
    [
      '401',
      { status: 401, body: { error: 'unauthorized', message: 'no valid handoff token' } },
      /refused the handoff token \(401: unauthorized: no valid handoff token\): check that it is the BRIDGE_HANDOFF_TOKEN of the bridge at http:\/\/127\.0\.0\.1:\d+$/,
    ],
    [
      '404',
      { status: 404, body: { error: 'not found' } },
      /has no handoff configured \(404 from POST \/v1\/handoffs\): give it a BRIDGE_HANDOFF_TOKEN/,
    ],
  ])('names what to fix on %s, never the token nor GitHub OIDC', async (_name, answer, pattern) => {
    const bridge = await startBridge([answer]);
    const message = await refusal(registerWithToken(bridge.url));
    expect(message).toMatch(pattern);
    expect(message).not.toContain(HANDOFF_TOKEN);
    expect(message).not.toMatch(/OIDC|id-token/);
  });
});

describe('checkHandoffAuth (the CLI’s pre-flight: nothing is sent to Streampixel before it passes)', () => {
  const check = (bridgeUrl: string, token = BRIDGE_TOKENS.handoff) =>
    checkHandoffAuth({ bridgeUrl, auth: { kind: 'handoff-token', token }, clock: pretendClock() });

  it('POSTs an empty registration with the token: 400 (authenticated, nothing registered) passes', async () => {
    const bridge = await startBridge([{ status: 400, body: { error: 'invalid handoff', problems: [] } }]);
    await check(bridge.url);
    expect(bridge.received).toEqual([
      expect.objectContaining({ method: 'POST', url: '/v1/handoffs', body: {} }),
    ]);
    expect(bridge.received[0]!.headers.authorization).toBe(`Bearer ${BRIDGE_TOKENS.handoff}`);
  });

  it.each<[string, Answer, RegExp]>([
    [
      '401',
      { status: 401, body: { error: 'unauthorized' } },
      /refused the handoff token \(401: unauthorized\)/,
    ],
    ['404', { status: 404, body: { error: 'not found' } }, /has no handoff configured/],
  ])('fails on %s, saying what to fix', async (_name, answer, pattern) => {
    const bridge = await startBridge([answer]);
    expect(await refusal(check(bridge.url))).toMatch(pattern);
  });

  it('asks again after a 503 or a lost answer: an empty registration cannot register anything', async () => {
    const bridge = await startBridge([
      'reset',
      { status: 503 },
      { status: 400, body: { error: 'invalid handoff' } },
    ]);
    await check(bridge.url);
    expect(bridge.received).toHaveLength(3);
  });
});
