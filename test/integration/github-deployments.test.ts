import { getOctokit } from '@actions/github';
import { describe, expect, test } from 'vitest';
import { gitHubFailureOf } from '../../src/github/api-error.ts';
import { createDeployment, createDeploymentStatus } from '../../src/github/deployment-api.ts';
import { createGitHubRestClient } from '../../src/github/rest-client.ts';
import {
  createDeploymentTracker,
  workflowRunUrl,
  type DeploymentTrackerOptions,
} from '../../src/github/deployments.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.ts';

// The Deployments side feature against a loopback GitHub that records every REST call (DESIGN §8.1).

const TOKEN = 'ghs_DEPLOYMENTS-TEST-TOKEN-5f2c9a';
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const DEPLOYMENTS = 'POST /repos/{owner}/{repo}/deployments';
const STATUSES = 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses';
const RUN_URL = workflowRunUrl({ serverUrl: 'https://github.com', owner: 'acme', repo: 'game', runId: 9876 });
const SHARE_URL = 'https://share.streampixel.io/proj-7';

function trackerFor(github: FakeGitHub, overrides: Partial<DeploymentTrackerOptions> = {}) {
  const warnings: string[] = [];
  const tracker = createDeploymentTracker({
    token: TOKEN,
    baseUrl: github.url,
    owner: 'acme',
    repo: 'game',
    ref: SHA,
    environment: 'streampixel',
    logUrl: RUN_URL,
    build: { projectId: 'proj-7', uploadId: 'upl-42', command: 'release' },
    warn: (message) => warnings.push(message),
    ...overrides,
  });
  return { tracker, warnings };
}

const statusBodies = (github: FakeGitHub) =>
  github.callsTo(STATUSES).map((call) => call.body as Record<string, unknown>);

describe('a release as a GitHub Deployment', () => {
  test('creates the deployment for the commit with the build in its payload, never blocked by statuses', async () => {
    const github = await startFakeGitHub();
    const { tracker, warnings } = trackerFor(github);

    const id = await tracker.start();

    expect(id).toBe(1001);
    const [create] = github.callsTo(DEPLOYMENTS);
    expect(create).toMatchObject({ path: '/repos/acme/game/deployments', authorization: 'Bearer' });
    expect(create?.headers).toMatchObject({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
    });
    expect(create?.headers['user-agent']).toBeTruthy();
    expect(create?.body).toEqual({
      ref: SHA,
      environment: 'streampixel',
      description: 'Streampixel build upl-42 of project proj-7',
      payload: { tool: 'streampixel-release', projectId: 'proj-7', uploadId: 'upl-42', command: 'release' },
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
    });
    expect(warnings).toEqual([]);
  });

  test('sets in_progress with a link to the run, right after creating it', async () => {
    const github = await startFakeGitHub();
    const { tracker } = trackerFor(github);

    await tracker.start();

    expect(github.calls.map((call) => call.route)).toEqual([DEPLOYMENTS, STATUSES]);
    expect(github.callsTo(STATUSES)[0]).toMatchObject({ path: '/repos/acme/game/deployments/1001/statuses' });
    expect(statusBodies(github)).toEqual([
      {
        state: 'in_progress',
        log_url: 'https://github.com/acme/game/actions/runs/9876',
        description: 'Releasing build upl-42',
        auto_inactive: false,
      },
    ]);
  });

  test('a live build: success with the share link as the environment URL', async () => {
    const github = await startFakeGitHub();
    const { tracker, warnings } = trackerFor(github);
    await tracker.start();

    expect(await tracker.finish({ state: 'success', shareUrl: SHARE_URL })).toBe(true);

    expect(statusBodies(github)[1]).toEqual({
      state: 'success',
      environment_url: SHARE_URL,
      log_url: RUN_URL,
      description: 'Build upl-42 is live',
      // Only a live build retires the previous one.
      auto_inactive: true,
    });
    expect(warnings).toEqual([]);
  });

  test('environment-url, when given, is the environment URL instead of the share link', async () => {
    const github = await startFakeGitHub();
    const { tracker } = trackerFor(github, { environmentUrl: 'https://play.acme.example/' });
    await tracker.start();
    await tracker.finish({ state: 'success', shareUrl: SHARE_URL });

    expect(statusBodies(github)[1]?.environment_url).toBe('https://play.acme.example/');
  });

  test('a rejection: failure with the objection on one line, cut to GitHub’s 140 characters', async () => {
    const github = await startFakeGitHub();
    const { tracker } = trackerFor(github);
    await tracker.start();
    const objection = `Executable missing\n::error::forged\r\n\u202ereversed ${'x'.repeat(300)}`;

    await tracker.finish({ state: 'failure', objection });

    const failure = statusBodies(github)[1];
    expect(failure).toMatchObject({ state: 'failure', log_url: RUN_URL, auto_inactive: false });
    const description = failure?.description as string;
    expect(description.startsWith('Executable missing ::error::forged reversed xxx')).toBe(true);
    expect(description).not.toMatch(/[\r\n\u202e]/);
    expect(description).toHaveLength(140);
    expect(description.endsWith('…')).toBe(true);
    expect(failure).not.toHaveProperty('environment_url');
  });

  test('a rejection without an objection still says what happened', async () => {
    const github = await startFakeGitHub();
    const { tracker } = trackerFor(github);
    await tracker.start();
    await tracker.finish({ state: 'failure', objection: null });

    expect(statusBodies(github)[1]).toMatchObject({
      state: 'failure',
      description: 'Build upl-42 was rejected',
    });
  });

  test('a timeout: error with the reason', async () => {
    const github = await startFakeGitHub();
    const { tracker } = trackerFor(github);
    await tracker.start();

    await tracker.finish({
      state: 'error',
      reason: 'No outcome for build upl-42 after 45 min; last stage: build.distributing',
    });

    expect(statusBodies(github)[1]).toEqual({
      state: 'error',
      log_url: RUN_URL,
      description: 'No outcome for build upl-42 after 45 min; last stage: build.distributing',
      auto_inactive: false,
    });
  });

  test('the final status is set once, and never inactive', async () => {
    const github = await startFakeGitHub();
    const { tracker } = trackerFor(github);
    await tracker.start();
    await tracker.start();
    await tracker.finish({ state: 'success', shareUrl: SHARE_URL });
    expect(await tracker.finish({ state: 'error', reason: 'late' })).toBe(false);

    expect(github.callsTo(DEPLOYMENTS)).toHaveLength(1);
    expect(statusBodies(github).map((body) => body.state)).toEqual(['in_progress', 'success']);
  });

  test('a finish that arrives while the deployment is still being created waits for it', async () => {
    const github = await startFakeGitHub();
    const { tracker } = trackerFor(github);
    const slow = github.hold(DEPLOYMENTS);
    const started = tracker.start();
    const finished = tracker.finish({ state: 'failure', objection: 'Bad archive' });
    await expect.poll(() => github.callsTo(DEPLOYMENTS).length).toBe(1);
    slow.release();

    expect(await started).toBe(1001);
    expect(await finished).toBe(true);
    expect(statusBodies(github).map((body) => body.state)).toEqual(['in_progress', 'failure']);
  });
});

describe('GitHub failures only warn', () => {
  test('a 500 on creation warns once, and finish() then calls GitHub no more', async () => {
    const github = await startFakeGitHub();
    const { tracker, warnings } = trackerFor(github);
    github.fail(DEPLOYMENTS, { status: 500 });

    expect(await tracker.start()).toBeNull();
    expect(await tracker.finish({ state: 'success', shareUrl: SHARE_URL })).toBe(false);

    expect(github.calls).toHaveLength(1);
    expect(warnings).toEqual([
      'Could not create a GitHub Deployment (500: Server Error): GitHub had a server error; it usually passes, re-run the job to record the deployment. The release goes on without a deployment.',
    ]);
  });

  test('a 500 on a status warns, and the next status is still sent', async () => {
    const github = await startFakeGitHub();
    const { tracker, warnings } = trackerFor(github);
    github.fail(STATUSES, { status: 502, message: 'Bad Gateway' });

    expect(await tracker.start()).toBe(1001);
    expect(await tracker.finish({ state: 'success', shareUrl: SHARE_URL })).toBe(true);

    expect(statusBodies(github).map((body) => body.state)).toEqual(['in_progress', 'success']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^Could not set GitHub Deployment 1001 to in_progress \(502: Bad Gateway\): GitHub had a server error.*The release is not affected/,
    );
  });

  test('a 403 names the permission the job lacks', async () => {
    const github = await startFakeGitHub();
    const { tracker, warnings } = trackerFor(github);
    github.fail(DEPLOYMENTS, { status: 403 });

    expect(await tracker.start()).toBeNull();

    expect(warnings).toEqual([
      'Could not create a GitHub Deployment (403: Resource not accessible by integration): give the job `permissions: deployments: write`, or pass a github-token that may write deployments. The release goes on without a deployment.',
    ]);
  });

  test.each([
    [401, { status: 401 }, /\(401: Bad credentials\): GitHub refused github-token/],
    [404, { status: 404 }, /\(404: Not Found\): this token cannot see acme\/game/],
    [409, { status: 409 }, /\(409: Conflict\): GitHub reported a conflict/],
    [
      422,
      {
        status: 422,
        message: 'Branch "main" is not allowed to deploy to streampixel due to environment protection rules.',
      },
      new RegExp(
        `\\(422: Branch "main" is not allowed.*check that commit ${SHA} is pushed to acme/game and that environment "streampixel" allows`,
      ),
    ],
    [
      '403 rate limit',
      { status: 403, message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0' } },
      /rate-limiting this token/,
    ],
  ] as const)('a %s on creation says what to do', async (_name, answer, expected) => {
    const github = await startFakeGitHub();
    const { tracker, warnings } = trackerFor(github);
    github.fail(DEPLOYMENTS, answer);

    expect(await tracker.start()).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Could not create a GitHub Deployment /);
    expect(warnings[0]).toMatch(expected);
  });

  test('a 202 (GitHub merged instead of deploying) is no deployment, and says so', async () => {
    const github = await startFakeGitHub();
    github.on(DEPLOYMENTS, () => ({
      status: 202,
      body: { message: 'Auto-merged main into topic on deployment.' },
    }));
    const { tracker, warnings } = trackerFor(github);

    expect(await tracker.start()).toBeNull();
    expect(warnings[0]).toMatch(
      /^Could not create a GitHub Deployment \(GitHub answered 202 without a deployment id\)/,
    );
  });

  test('GitHub unreachable: a warning naming the address, no throw', async () => {
    const github = await startFakeGitHub();
    const url = github.url;
    await github.close();
    const { tracker, warnings } = trackerFor(github, { baseUrl: url });

    expect(await tracker.start()).toBeNull();
    expect(await tracker.finish({ state: 'error', reason: 'deadline' })).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `Could not create a GitHub Deployment (could not reach ${url} (ECONNREFUSED))`,
    );
  });

  test('a GitHub that does not answer in time: a warning, and the release goes on', async () => {
    const github = await startFakeGitHub();
    github.hold(STATUSES);
    const { tracker, warnings } = trackerFor(github, { timeoutMs: 100 });

    expect(await tracker.start()).toBe(1001);

    expect(warnings).toEqual([
      `Could not set GitHub Deployment 1001 to in_progress (${github.url} did not answer within 0.1 s): check the runner's network and GITHUB_API_URL. The release is not affected; the deployment shows its previous state.`,
    ]);
  });

  test('the token never appears in a warning, even when GitHub echoes it', async () => {
    const github = await startFakeGitHub();
    github.on(DEPLOYMENTS, () => ({
      status: 401,
      body: { message: `token ${TOKEN} is not valid\nfor this` },
    }));
    const { tracker, warnings } = trackerFor(github);

    await tracker.start();

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain(TOKEN);
    expect(warnings[0]).toContain('(401: token *** is not valid\\nfor this)');
    expect(JSON.stringify(github.calls)).not.toContain(TOKEN);
  });

  test('a logger that throws does not end the release', async () => {
    const github = await startFakeGitHub();
    github.fail(DEPLOYMENTS, { status: 500 });
    const { tracker } = trackerFor(github, {
      environmentUrl: 'not a URL',
      warn: () => {
        throw new Error('logger broke');
      },
    });

    await expect(tracker.start()).resolves.toBeNull();
    await expect(tracker.finish({ state: 'success', shareUrl: SHARE_URL })).resolves.toBe(false);
  });

  test('an environment-url that is not an http(s) URL is left out, with a warning, and the status still lands', async () => {
    const github = await startFakeGitHub();
    const { tracker, warnings } = trackerFor(github, { environmentUrl: 'javascript:alert(1)' });
    await tracker.start();

    expect(await tracker.finish({ state: 'success', shareUrl: SHARE_URL })).toBe(true);
    // A bad environment-url counts as none: the share link stands in.
    expect(statusBodies(github)[1]?.environment_url).toBe(SHARE_URL);
    expect(warnings).toEqual([
      'The GitHub Deployment gets no link to environment-url: it is not an http(s) URL.',
    ]);
  });
});

describe('GitHub Enterprise Server', () => {
  test('every call goes to the configured API base, path included', async () => {
    const github = await startFakeGitHub({ basePath: '/api/v3' });
    const { tracker, warnings } = trackerFor(github, { baseUrl: `${github.url}/` });

    expect(await tracker.start()).toBe(1001);
    await tracker.finish({ state: 'success', shareUrl: SHARE_URL });

    expect(warnings).toEqual([]);
    expect(github.calls.map((call) => call.route)).toEqual([DEPLOYMENTS, STATUSES, STATUSES]);
    expect(github.url).toMatch(/\/api\/v3$/);
  });
});

describe('the calls run on Octokit too (the handoff may act through an App-authenticated Octokit)', () => {
  test('createDeployment and createDeploymentStatus through @actions/github’s Octokit', async () => {
    const github = await startFakeGitHub();
    const octokit = getOctokit(TOKEN, { baseUrl: github.url });
    const repository = { owner: 'acme', repo: 'game' };

    const id = await createDeployment(octokit, {
      ...repository,
      ref: SHA,
      environment: 'streampixel',
      description: 'Streampixel build upl-42',
      payload: { uploadId: 'upl-42' },
    });
    await createDeploymentStatus(octokit, {
      ...repository,
      deploymentId: id,
      state: 'success',
      description: 'live',
    });

    expect(id).toBe(1001);
    expect(github.calls.map((call) => [call.route, call.authorization])).toEqual([
      [DEPLOYMENTS, 'token'],
      [STATUSES, 'token'],
    ]);
    expect(github.callsTo(STATUSES)[0]?.body).toEqual({
      state: 'success',
      description: 'live',
      auto_inactive: true,
    });
  });

  test('Octokit’s RequestError reads as the same warning', async () => {
    const github = await startFakeGitHub();
    github.fail(DEPLOYMENTS, { status: 403 });
    const octokit = getOctokit(TOKEN, { baseUrl: github.url });
    const error = await createDeployment(octokit, {
      owner: 'acme',
      repo: 'game',
      ref: SHA,
      environment: 'streampixel',
      description: 'd',
      payload: {},
    }).catch((thrown: unknown) => thrown);

    expect(gitHubFailureOf(error)).toEqual({
      kind: 'status',
      status: 403,
      serverMessage: 'Resource not accessible by integration',
      rateLimited: false,
    });
  });
});

describe('the fake GitHub, for the calls the handoff will add', () => {
  test('repository_dispatch, App installation tokens, and 404 for a route it does not know', async () => {
    const github = await startFakeGitHub();
    const client = createGitHubRestClient({ token: async () => TOKEN, baseUrl: github.url });

    const dispatch = await client.request('POST /repos/{owner}/{repo}/dispatches', {
      owner: 'acme',
      repo: 'game',
      event_type: 'streampixel-release',
      client_payload: { outcome: 'approved' },
    });
    const installation = await client.request('GET /repos/{owner}/{repo}/installation', {
      owner: 'acme',
      repo: 'game',
    });
    const token = await client.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: 1002,
    });
    const missing = await client
      .request('GET /repos/{owner}/{repo}/nothing-here', { owner: 'acme', repo: 'game' })
      .catch((error: unknown) => error);

    expect(dispatch).toMatchObject({ status: 204, data: null });
    expect(installation).toMatchObject({ status: 200, data: { id: 1001 } });
    expect(token).toMatchObject({ status: 201, data: { token: expect.stringMatching(/^ghs_/) } });
    expect(gitHubFailureOf(missing)).toMatchObject({
      kind: 'status',
      status: 404,
      serverMessage: 'Not Found',
    });
    expect(github.calls.map((call) => [call.method, call.route, call.body])).toEqual([
      [
        'POST',
        'POST /repos/{owner}/{repo}/dispatches',
        { event_type: 'streampixel-release', client_payload: { outcome: 'approved' } },
      ],
      ['GET', 'GET /repos/{owner}/{repo}/installation', null],
      ['POST', 'POST /app/installations/{installation_id}/access_tokens', null],
      ['GET', null, null],
    ]);
    expect(github.calls[2]?.params).toEqual({ installation_id: '1002' });
  });
});
