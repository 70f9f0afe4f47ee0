import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it, onTestFinished } from 'vitest';
import { BUNDLE, runAction, visibleLines } from '../../scripts/run-action.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { SIMULATED_SHA, simulatedRunnerEnv } from '../../src/simulator/github/index.ts';
import { startBuiltBridge } from '../support/built-bridge.ts';
import { startFakeGitHub } from '../support/fake-github.ts';
import { API_KEYS, BRIDGE_TOKENS } from '../support/secrets.ts';
import { FAST_STAGES } from '../support/fast-stages.ts';

// The built action with `environment` and `notify-url`, as a runner runs it: the release is recorded as a
// GitHub Deployment (against a loopback GitHub that records the calls), and a notification URL on a private
// address is refused with a warning that never changes the outcome.

const GITHUB_TOKEN = 'ghs_test-installation-token-0123456789';

async function world(scenario = {}) {
  const bridge = await startBuiltBridge(onTestFinished);
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEYS.bundle }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: bridge.hookUrl }],
    stageDelaysMs: FAST_STAGES,
    scenario,
  });
  onTestFinished(() => simulator.close());
  const github = await startFakeGitHub();
  const inputs = (patch: Record<string, string> = {}) => ({
    'file-url': 'https://builds.example/game.zip',
    'api-key': API_KEYS.bundle,
    'user-id': 'user-1',
    'project-id': 'proj-1',
    'api-base-url': simulator.url,
    'bridge-url': bridge.url,
    'bridge-token': BRIDGE_TOKENS.read,
    'timeout-minutes': '1',
    environment: 'production',
    'github-token': GITHUB_TOKEN,
    ...patch,
  });
  const runner = simulatedRunnerEnv(github.url);
  return { github, inputs, runner };
}

it('records an approved release as a Deployment: created for the commit, in_progress, then success', async () => {
  const { github, inputs, runner } = await world();
  const run = await runAction(inputs(), BUNDLE, runner);
  expect(run.exitCode).toBe(0);
  expect(run.outputs.outcome).toBe('approved');
  const routes = github.calls.map((call) => call.route);
  expect(routes).toEqual([
    'POST /repos/{owner}/{repo}/deployments',
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  ]);
  expect(github.calls[0]?.body).toMatchObject({
    ref: SIMULATED_SHA,
    environment: 'production',
    payload: { uploadId: run.outputs['upload-id'], projectId: 'proj-1' },
  });
  expect(github.calls.map((call) => (call.body as { state?: string }).state)).toEqual([
    undefined,
    'in_progress',
    'success',
  ]);
  expect(github.calls[2]?.body).toMatchObject({ environment_url: 'https://share.streampixel.io/proj-1' });
  expect(run.outputs['deployment-id']).toMatch(/^\d+$/);
  // The runner consumes ::add-mask:: lines; nothing it prints holds the token.
  expect(visibleLines(run).join('\n')).not.toContain(GITHUB_TOKEN);
});

it('sets the Deployment to failure with the objection when Streampixel rejects the build', async () => {
  const { github, inputs, runner } = await world({
    rejectAt: { event: 'build.extracting', objection: 'No exe' },
  });
  const run = await runAction(inputs(), BUNDLE, runner);
  expect(run.outputs.outcome).toBe('rejected');
  expect(github.calls.at(-1)?.body).toMatchObject({
    state: 'failure',
    description: expect.stringContaining('No exe'),
  });
});

it('only warns when GitHub answers 500: the release outcome stands', async () => {
  const { github, inputs, runner } = await world();
  github.fail('POST /repos/{owner}/{repo}/deployments', { status: 500 });
  const run = await runAction(inputs(), BUNDLE, runner);
  expect(run.exitCode).toBe(0);
  expect(run.outputs.outcome).toBe('approved');
  expect(run.stdout).toMatch(/^::warning::Could not create a GitHub Deployment/m);
});

it('refuses a notification URL on a private address with a warning, connecting to nothing', async () => {
  let connections = 0;
  const trap = createServer((_req, res) => res.end());
  trap.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => trap.close(() => resolve())));
  const { inputs, runner } = await world({ rejectAt: { event: 'build.saving', objection: 'bad' } });
  const hook = `https://127.0.0.1:${(trap.address() as AddressInfo).port}/services/T000/B000/secret-path`;
  const run = await runAction(inputs({ environment: '', 'notify-url': hook }), BUNDLE, runner);
  expect(run.outputs.outcome).toBe('rejected');
  expect(run.stdout).toMatch(/^::warning::.*(loopback|not public|private)/im);
  expect(visibleLines(run).join('\n')).not.toContain('secret-path');
  expect(connections).toBe(0);
});
