import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startFakeGitHub } from '../support/fake-github.ts';
import { startFakeOidcIssuer } from '../support/fake-oidc-issuer.ts';
import { adminUrl, createTestDatabase } from '../contract/postgres-database.ts';
import { envelope } from '../unit/bridge/harness.ts';
import {
  approved,
  PUBLIC_URL,
  startHandoffWorld,
  type HandoffWorldOptions,
} from '../support/handoff-world.ts';

// Handoff on the bridge (DESIGN §10): a job registers its build with its OIDC token and ends; the bridge
// follows the build's webhooks with the job's own state machine and, at the outcome, sets the Deployment's
// status and sends repository_dispatch as the GitHub App, on the token's repository only.

const handoffWorld = (intervalMs = 50, shared?: HandoffWorldOptions['shared']) =>
  startHandoffWorld({ intervalMs, ...(shared ? { shared } : {}) });

const handoff = (patch: Record<string, unknown> = {}) => ({
  subject: 'up-9',
  projectId: 'proj-1',
  command: 'release',
  deadline: Date.now() + 10 * 60_000,
  deployment: { id: 777, environmentUrl: null },
  dispatch: true,
  ...patch,
});

describe('handoff', () => {
  it('finishes a release after the job has ended: Deployment success and repository_dispatch, as the App', async () => {
    const w = await handoffWorld();
    const token = await w.issuer.mint(PUBLIC_URL);
    const registered = await w.register(handoff(), token);
    expect(registered.status).toBe(201);
    const id = String(registered.body['id']);
    expect(await w.status(id)).toMatchObject({ state: 'following', repository: 'acme/game', outcome: null });
    await expect.poll(w.metrics).toMatch(/^bridge_handoffs_open 1$/m);

    await w.post(
      envelope({
        event: 'build.distributing',
        uploadId: 'up-9',
        status: 'Distribute',
        timestamp: new Date().toISOString(),
      }),
    );
    await w.post(approved());
    await expect.poll(async () => (await w.status(id))['state'], { timeout: 10_000 }).toBe('finished');
    expect(await w.status(id)).toMatchObject({ outcome: 'approved' });

    const routes = w.github.calls.map((call) => call.route);
    expect(routes).toContain('POST /app/installations/{installation_id}/access_tokens');
    const statusCall = w.github.callsTo('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses')[0];
    expect(statusCall).toMatchObject({
      params: { owner: 'acme', repo: 'game', deployment_id: '777' },
      body: { state: 'success', environment_url: 'https://share.streampixel.io/proj-1' },
    });
    expect(w.github.callsTo('POST /repos/{owner}/{repo}/dispatches')[0]?.body).toMatchObject({
      event_type: 'streampixel-release',
      client_payload: { outcome: 'approved', subject: 'up-9', deploymentId: 777, handoffId: id },
    });
    const metrics = await w.metrics();
    expect(metrics).toMatch(/^bridge_handoffs_open 0$/m);
    expect(metrics).toMatch(/^bridge_handoffs_finished_total\{outcome="approved"\} 1$/m);
    expect(metrics).toMatch(/^bridge_handoff_github_failures_total\{result="retrying"\} 0$/m);
    // Every transition, in order.
    const log = w.handoffLog();
    const at = (pattern: RegExp) => log.findIndex((line) => pattern.test(line));
    const steps = [
      /^handoff registered$/,
      new RegExp(`^handoff ${id}: following streampixel "up-9" for acme/game, deadline in`),
      new RegExp(`^handoff ${id}: outcome approved; finishing$`),
      new RegExp(`^handoff ${id} finished: approved$`),
    ].map(at);
    expect(
      steps.every((index) => index >= 0),
      log.join('\n'),
    ).toBe(true);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it('sets the Deployment status once: a final status already there (a replica died after setting it) stays', async () => {
    const w = await handoffWorld();
    const { body } = await w.register(handoff(), await w.issuer.mint(PUBLIC_URL));
    // What a replica killed between its status call and recording the handoff finished leaves behind.
    await request(`${w.github.url}/repos/acme/game/deployments/777/statuses`, {
      method: 'POST',
      body: JSON.stringify({ state: 'success' }),
    }).then((res) => res.body.dump());
    await w.post(approved());
    await expect
      .poll(async () => (await w.status(String(body['id'])))['state'], { timeout: 10_000 })
      .toBe('finished');
    expect(
      w.github.callsTo('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses')[0],
    ).toMatchObject({ params: { deployment_id: '777' }, query: { per_page: '1' }, authorization: 'Bearer' });
    expect(w.github.statuses.get('acme/game/777')?.map((status) => status['state'])).toEqual(['success']);
    expect(w.github.callsTo('POST /repos/{owner}/{repo}/dispatches')).toHaveLength(1);
  });

  it('sets the Deployment to failure with the objection when the build is rejected', async () => {
    const w = await handoffWorld();
    const { body } = await w.register(handoff({ dispatch: false }), await w.issuer.mint(PUBLIC_URL));
    await w.post(
      envelope({
        event: 'build.rejected',
        uploadId: 'up-9',
        status: 'Reject',
        objection: 'No exe',
        timestamp: new Date().toISOString(),
      }),
    );
    await expect
      .poll(async () => (await w.status(String(body['id'])))['outcome'], { timeout: 10_000 })
      .toBe('rejected');
    expect(
      w.github.callsTo('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses')[0]?.body,
    ).toMatchObject({
      state: 'failure',
      description: expect.stringContaining('No exe'),
    });
    expect(w.github.callsTo('POST /repos/{owner}/{repo}/dispatches')).toEqual([]);
  });

  it('ends at the job’s deadline with the Deployment in error', async () => {
    const w = await handoffWorld();
    const { body } = await w.register(
      handoff({ deadline: Date.now() + 300, dispatch: false }),
      await w.issuer.mint(PUBLIC_URL),
    );
    await expect
      .poll(async () => (await w.status(String(body['id'])))['outcome'], { timeout: 10_000 })
      .toBe('timed-out');
    expect(
      w.github.callsTo('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses')[0]?.body,
    ).toMatchObject({ state: 'error' });
  });

  it('retries GitHub with backoff when it answers 500, then 201, and finishes', async () => {
    const w = await handoffWorld();
    w.github.fail('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { status: 500 });
    const { body } = await w.register(handoff({ dispatch: false }), await w.issuer.mint(PUBLIC_URL));
    await w.post(approved());
    await expect
      .poll(async () => (await w.status(String(body['id'])))['attempts'], { timeout: 10_000 })
      .toBe(1);
    // The backoff starts at 5 s: the retry comes then, and succeeds.
    await expect
      .poll(async () => (await w.status(String(body['id'])))['state'], { timeout: 15_000 })
      .toBe('finished');
    expect(w.github.callsTo('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses')).toHaveLength(
      2,
    );
    expect(await w.metrics()).toMatch(/^bridge_handoff_github_failures_total\{result="retrying"\} 1$/m);
    expect(w.handoffLog().join('\n')).toMatch(
      /GitHub call failed \(attempt 1 of 10\): .*500.*; tried again in 5 s/,
    );
  }, 30_000);

  it.each([
    ['no token', undefined, 401],
    ['a token for another audience', 'wrong-audience', 401],
    ['a repository outside BRIDGE_GITHUB_REPOS', 'other-repo', 403],
  ])('refuses %s, registering nothing', async (_, kind, status) => {
    const w = await handoffWorld();
    const token =
      kind === undefined
        ? undefined
        : kind === 'wrong-audience'
          ? await w.issuer.mint('https://someone-else.example')
          : await w.issuer.mint(PUBLIC_URL, { repository: 'mallory/game' });
    const answer = await w.register(handoff(), token);
    expect(answer.status).toBe(status);
    expect(JSON.stringify(answer.body)).not.toContain(token ?? '@@');
    expect(w.github.calls).toEqual([]);
  });

  it('refuses a request that is not a handoff, and never shows the notification URL', async () => {
    const w = await handoffWorld();
    const token = await w.issuer.mint(PUBLIC_URL);
    expect((await w.register({ subject: 'x' }, token)).status).toBe(400);
    const { body } = await w.register(
      handoff({ notify: { url: 'https://hooks.slack.com/services/T0/B0/secret', on: 'always', format: '' } }),
      token,
    );
    expect(JSON.stringify(await w.status(String(body['id'])))).not.toContain('secret');
  });
});

describe('handoff across clocks', () => {
  it('moves the job’s times onto the bridge’s clock: a runner 5 min ahead loses no prompt event', async () => {
    const w = await handoffWorld();
    const ahead = Date.now() + 5 * 60_000;
    const { status, body } = await w.register(
      handoff({
        command: 'distribute',
        countFrom: ahead - 1000,
        deadline: ahead + 10 * 60_000,
        sentAt: ahead,
        dispatch: false,
      }),
      await w.issuer.mint(PUBLIC_URL),
    );
    expect(status).toBe(201);
    await w.post(approved());
    await expect
      .poll(async () => (await w.status(String(body['id'])))['outcome'], { timeout: 10_000 })
      .toBe('approved');
  });
});

describe('handoff wake-ups', () => {
  it('is woken by the append of its outcome, not only by the worker’s tick', async () => {
    // A tick a minute apart: only the append can end this within the poll's timeout.
    const w = await handoffWorld(60_000);
    const { body } = await w.register(handoff({ dispatch: false }), await w.issuer.mint(PUBLIC_URL));
    await w.post(approved());
    await expect
      .poll(async () => (await w.status(String(body['id'])))['outcome'], { timeout: 5_000 })
      .toBe('approved');
  });
});

describe('handoff on several replicas', () => {
  it.skipIf(!adminUrl)(
    'two bridges on one PostgreSQL finish a handoff exactly once (needs TEST_POSTGRES_URL)',
    async () => {
      const database = await createTestDatabase();
      onTestFinished(() => database.drop());
      const first = await handoffWorld(50, {
        database: database.url,
        issuer: await startFakeOidcIssuer(),
        github: await startFakeGitHub(),
      });
      const second = await handoffWorld(50, {
        database: database.url,
        issuer: first.issuer,
        github: first.github,
      });
      await first.bridge.store.migrate();
      await second.bridge.store.migrate();
      const { body } = await first.register(handoff(), await first.issuer.mint(PUBLIC_URL));
      // The outcome reaches the other replica: both are looking, one finishes.
      await second.post(
        envelope({
          event: 'build.approved',
          uploadId: 'up-9',
          status: 'Approved',
          timestamp: new Date().toISOString(),
        }),
      );
      await expect
        .poll(async () => (await first.status(String(body['id'])))['state'], { timeout: 10_000 })
        .toBe('finished');
      // Let the other replica make its passes too: it must find nothing left to do.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        first.github.callsTo('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses'),
      ).toHaveLength(1);
      expect(first.github.callsTo('POST /repos/{owner}/{repo}/dispatches')).toHaveLength(1);
    },
  );
});
