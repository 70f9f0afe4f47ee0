import { describe, expect, it } from 'vitest';
import { NOTIFY_TEST_OPTIONS, startNotifyEndpoint } from '../support/notify-endpoint.ts';
import { BRIDGE_TOKENS } from '../support/secrets.ts';
import { approved, PUBLIC_URL, startHandoffWorld } from '../support/handoff-world.ts';

// Handoffs from other CI (issue 9, item 1): registered with BRIDGE_HANDOFF_TOKEN instead of a GitHub OIDC
// token. Such a handoff has no repository: the bridge follows the build as for the action, then sends the
// notification only, never calling GitHub, even when it has a GitHub App for OIDC handoffs.

const HANDOFF_TOKEN = BRIDGE_TOKENS.handoff;

type Mode = 'token only' | 'token and OIDC';

async function tokenWorld(mode: Mode, env: Record<string, string> = {}) {
  const world = await startHandoffWorld({
    oidc: mode === 'token and OIDC',
    handoffToken: HANDOFF_TOKEN,
    env,
    notify: NOTIFY_TEST_OPTIONS,
  });
  return {
    ...world,
    approve: () => world.post(approved()),
    openHandoffs: () => world.bridge.store.handoffs.countOpen(),
  };
}

/** What the CLI registers: no Deployment, no dispatch. */
const cliHandoff = (patch: Record<string, unknown> = {}) => ({
  subject: 'up-9',
  projectId: 'proj-1',
  command: 'release',
  deadline: Date.now() + 10 * 60_000,
  deployment: null,
  dispatch: false,
  ...patch,
});

describe.each<Mode>(['token and OIDC', 'token only'])('handoff by the handoff token (%s)', (mode) => {
  it('is registered without a repository and finished with the notification only, nothing on GitHub', async () => {
    const w = await tokenWorld(mode);
    const endpoint = await startNotifyEndpoint();
    const registered = await w.register(
      cliHandoff({ notify: { url: endpoint.url, on: 'always', format: 'json' } }),
      HANDOFF_TOKEN,
    );
    expect(registered.status).toBe(201);
    const id = String(registered.body['id']);
    expect(await w.status(id)).toMatchObject({ state: 'following', repository: null, outcome: null });

    await w.approve();
    await expect.poll(async () => (await w.status(id))['state'], { timeout: 10_000 }).toBe('finished');
    expect(await w.status(id)).toMatchObject({ outcome: 'approved', repository: null, detail: null });
    expect(endpoint.received).toEqual([
      expect.objectContaining({
        type: 'streampixel-release.outcome',
        outcome: 'approved',
        subject: 'up-9',
        projectId: 'proj-1',
        repository: null,
      }),
    ]);
    expect(w.github.calls).toEqual([]);
  });

  it.each([
    ['a Deployment', { deployment: { id: 777, environmentUrl: null } }, /^deployment: must be null/],
    ['a dispatch', { dispatch: true }, /^dispatch: must be false/],
  ])('refuses one asking for %s (400), registering nothing', async (_, patch, problem) => {
    const w = await tokenWorld(mode);
    const answer = await w.register(cliHandoff(patch), HANDOFF_TOKEN);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid handoff', problems: [expect.stringMatching(problem)] });
    expect(await w.openHandoffs()).toBe(0);
    expect(w.github.calls).toEqual([]);
  });
});

describe('an empty registration (the CLI’s pre-flight)', () => {
  it('is authenticated first: 400 with the right token, 401 with a wrong one; nothing registered', async () => {
    const w = await tokenWorld('token only');
    expect((await w.register({}, HANDOFF_TOKEN)).status).toBe(400);
    expect((await w.register({}, BRIDGE_TOKENS.wrongHandoff)).status).toBe(401);
    expect(await w.openHandoffs()).toBe(0);
  });
});

describe('a wrong handoff token', () => {
  it('gets the 401 a bad OIDC token gets: same status, body keys and headers; nothing registered', async () => {
    const w = await tokenWorld('token and OIDC');
    const refusals = [
      await w.register(cliHandoff(), BRIDGE_TOKENS.wrongHandoff),
      await w.register(cliHandoff(), await w.issuer.mint('https://someone-else.example')),
      await w.register(cliHandoff(), await w.issuer.mint(PUBLIC_URL, {}, { signer: 'foreign' })),
      await w.register(cliHandoff()),
    ];
    const shapes = refusals.map(({ status, headers, body }) => ({
      status,
      contentType: headers['content-type'],
      challenge: headers['www-authenticate'],
      keys: Object.keys(body).sort(),
    }));
    expect(new Set(shapes.map((shape) => JSON.stringify(shape))).size).toBe(1);
    expect(shapes[0]).toEqual({
      status: 401,
      contentType: 'application/json; charset=utf-8',
      challenge: undefined,
      keys: ['error', 'message'],
    });
    for (const { body } of refusals) expect(JSON.stringify(body)).not.toContain(HANDOFF_TOKEN);
    expect(await w.openHandoffs()).toBe(0);
  });

  it('counts towards the address’s failed authentications (429 past the limit); the right token still passes', async () => {
    const w = await tokenWorld('token only', { BRIDGE_AUTH_FAILURES_PER_MINUTE: '2' });
    expect((await w.register(cliHandoff(), BRIDGE_TOKENS.wrongHandoff)).status).toBe(401);
    expect((await w.register(cliHandoff(), BRIDGE_TOKENS.wrongHandoff)).status).toBe(401);
    const limited = await w.register(cliHandoff(), BRIDGE_TOKENS.wrongHandoff);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect((await w.register(cliHandoff(), HANDOFF_TOKEN)).status).toBe(201);
  });
});

describe('a bridge with BRIDGE_HANDOFF_TOKEN only (no OIDC, no GitHub App)', () => {
  it('refuses an OIDC registration with the same 401 as a wrong token: it has no OIDC to check it against', async () => {
    const w = await tokenWorld('token only');
    const oidc = await w.register(
      cliHandoff({ deployment: { id: 777, environmentUrl: null }, dispatch: true }),
      await w.issuer.mint(PUBLIC_URL),
    );
    const wrong = await w.register(cliHandoff(), BRIDGE_TOKENS.wrongHandoff);
    expect(oidc.status).toBe(401);
    expect(oidc.body).toEqual(wrong.body);
    expect(oidc.body).toEqual({
      error: 'unauthorized',
      message: expect.stringContaining('BRIDGE_HANDOFF_TOKEN'),
    });
    expect(w.issuer.fetches).toEqual({ discovery: 0, jwks: 0 });
    expect(await w.openHandoffs()).toBe(0);
  });

  it('finishes a handoff with no notify settings too: its state holds the outcome', async () => {
    const w = await tokenWorld('token only');
    const { body } = await w.register(cliHandoff({ deadline: Date.now() + 300 }), HANDOFF_TOKEN);
    await expect
      .poll(async () => (await w.status(String(body['id'])))['outcome'], { timeout: 10_000 })
      .toBe('timed-out');
    expect(w.github.calls).toEqual([]);
  });
});
