import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../scripts/free-port.ts';
import { BUNDLE, runAction, visibleLines } from '../../scripts/run-action.ts';
import { parseBridgeConfig } from '../../src/bridge/config.ts';
import { startBridge } from '../../src/bridge/main.ts';
import { simulatedRunnerEnv, startRunnerTokenService } from '../../src/simulator/github/index.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { createStreampixelClient } from '../../src/streampixel/client.ts';
import { startBuiltBridge } from '../support/built-bridge.ts';
import { startFakeGitHub } from '../support/fake-github.ts';
import { startFakeOidcIssuer } from '../support/fake-oidc-issuer.ts';
import { API_KEYS, BRIDGE_TOKENS } from '../support/secrets.ts';
import { listenForTest } from '../support/listen.ts';

// The built action with `wait-via: handoff`, as a runner runs it (DESIGN §10): the bridge is pre-flighted, the
// build sent, the Deployment made and left in_progress, and the build registered with the bridge's POST
// /v1/handoffs (a loopback stand-in in front of the built bridge), authenticated by the job's OIDC token
// from a loopback stand-in for the runner's token service. The step ends without waiting for any webhook.

const GITHUB_TOKEN = 'ghs_test-installation-token-0123456789';
/** Every stage but the last is quick; approval comes long after the step has ended. */
const STAGES = {
  'build.uploaded': 5,
  'build.downloading': 5,
  'build.extracting': 5,
  'build.saving': 5,
  'build.distributing': 5,
  'build.approved': 60_000,
};

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await listenForTest(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The bridge as the action sees it: POST /v1/handoffs answered here (recorded), everything else (the
 * pre-flight read) passed on to the built bridge.
 */
async function startHandoffFront(bridgeUrl: string, answer: { status: number; body: unknown }) {
  const handoffs: Recorded[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/handoffs') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        handoffs.push({ method: 'POST', url: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
      return;
    }
    const upstream = httpRequest(
      new URL(req.url ?? '/', bridgeUrl),
      { method: req.method, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return { url: await listen(server), handoffs };
}

/** The runner's ID-token endpoint, minting tokens of a loopback issuer; closed after the test. */
async function startTokenService() {
  const tokens = await startRunnerTokenService({ issuer: await startFakeOidcIssuer() });
  onTestFinished(() => tokens.close());
  return tokens;
}

async function world(
  answer: { status: number; body: unknown } = { status: 201, body: { id: 'h-42', state: 'following' } },
) {
  const bridge = await startBuiltBridge(onTestFinished);
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEYS.bundle }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: bridge.hookUrl }],
    stageDelaysMs: STAGES,
  });
  onTestFinished(() => simulator.close());
  const front = await startHandoffFront(bridge.url, answer);
  const github = await startFakeGitHub();
  const tokens = await startTokenService();
  const inputs = (patch: Record<string, string> = {}) => ({
    'file-url': 'https://builds.example/game.zip',
    'api-key': API_KEYS.bundle,
    'user-id': 'user-1',
    'project-id': 'proj-1',
    'api-base-url': simulator.url,
    'wait-via': 'handoff',
    // A trailing slash, as users write it: the audience is the URL without it.
    'bridge-url': `${front.url}/`,
    'bridge-token': BRIDGE_TOKENS.read,
    'timeout-minutes': '30',
    environment: 'production',
    'github-token': GITHUB_TOKEN,
    ...patch,
  });
  const runner = simulatedRunnerEnv(github.url, tokens);
  return { simulator, front, github, tokens, inputs, runner };
}

const statesOf = (github: Awaited<ReturnType<typeof startFakeGitHub>>) =>
  github.calls.map((call) => (call.body as { state?: string }).state ?? call.route);

it('hands a release off: uploads with autoRelease true, registers the build, leaves the Deployment in_progress', async () => {
  const { simulator, front, github, tokens, inputs, runner } = await world();
  const before = Date.now();
  const run = await runAction(inputs(), BUNDLE, runner);
  const after = Date.now();

  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs).toMatchObject({ outcome: 'handed-off', 'handoff-id': 'h-42', events: '[]' });
  const uploadId = run.outputs['upload-id']!;
  expect(uploadId).toBeTruthy();
  // Forced: the job will not be there to call Distribute.
  const uploads = simulator.calls.filter((call) => call.endpoint === 'upload-file');
  expect(uploads.map((call) => call.body)).toEqual([expect.objectContaining({ autoRelease: true })]);
  expect(simulator.calls.filter((call) => call.endpoint === 'distribute-file')).toEqual([]);

  expect(tokens.requests).toEqual([{ audience: front.url, authorized: true }]);
  expect(front.handoffs).toHaveLength(1);
  const [post] = front.handoffs;
  const idToken = /^Bearer (eyJ[\w-]+\.[\w-]+\.[\w-]+)$/.exec(post!.headers.authorization ?? '')?.[1];
  expect(idToken).toBeDefined();
  expect(post!.headers['content-type']).toBe('application/json');
  const deploymentId = Number(run.outputs['deployment-id']);
  expect(post!.body).toEqual({
    provider: 'streampixel',
    subject: uploadId,
    projectId: 'proj-1',
    command: 'release',
    countFrom: null,
    deadline: expect.any(Number),
    deployment: { id: deploymentId, environmentUrl: 'https://share.streampixel.io/proj-1' },
    notify: null,
    dispatch: false,
    // The runner's clock at sending, for the bridge to move countFrom and the deadline onto its own.
    sentAt: expect.any(Number),
  });
  const { deadline } = post!.body as { deadline: number };
  expect(deadline).toBeGreaterThanOrEqual(before + 30 * 60_000);
  expect(deadline).toBeLessThanOrEqual(after + 30 * 60_000);

  // Created and in_progress, then left for the bridge to finish.
  expect(statesOf(github)).toEqual(['POST /repos/{owner}/{repo}/deployments', 'in_progress']);
  // The step did not wait: Streampixel is still working on the build.
  expect(simulator.builds.get(uploadId)?.state).not.toBe('approved');
  const summary = run.summary.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  expect(summary).toContain('**Outcome:** 🤝 Handed off');
  expect(summary).toContain(`<code>GET ${front.url}/v1/handoffs/h-42</code>`);
  expect(summary).toContain(`\`command: wait\` with \`upload-id: ${uploadId}\``);
  expect(visibleLines(run).join('\n')).not.toContain(idToken);
});

it('hands a Distribute off with the moment before its call, the notify inputs and the dispatch switch', async () => {
  const { simulator, front, github, inputs, runner } = await world();
  // A build staged earlier (as command upload would), processed and waiting for its Distribute.
  const client = createStreampixelClient({
    baseUrl: simulator.url,
    apiKey: API_KEYS.bundle,
    userId: 'user-1',
  });
  const { uploadId } = await client.uploadFile({
    projectId: 'proj-1',
    fileUrl: 'https://builds.example/game.zip',
    autoRelease: false,
  });
  await simulator.waitFor('delivery', (delivery) => delivery.envelope.event === 'build.saving');

  const before = Date.now();
  const run = await runAction(
    inputs({
      command: 'distribute',
      'file-url': '',
      'upload-id': uploadId,
      'notify-url': 'https://hooks.slack.com/services/T000/B000/XXXX',
      'notify-on': 'approved, rejected',
      'dispatch-on-outcome': 'true',
    }),
    BUNDLE,
    runner,
  );
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs.outcome).toBe('handed-off');
  const distribute = simulator.calls.find((call) => call.endpoint === 'distribute-file');
  expect(distribute).toBeDefined();
  const body = front.handoffs[0]!.body as Record<string, unknown>;
  expect(body).toMatchObject({
    subject: uploadId,
    command: 'distribute',
    notify: { url: 'https://hooks.slack.com/services/T000/B000/XXXX', on: 'approved, rejected', format: '' },
    dispatch: true,
  });
  expect(body.countFrom).toBeGreaterThanOrEqual(before);
  expect(body.countFrom).toBeLessThanOrEqual(distribute!.at);
  expect(statesOf(github)).toEqual(['POST /repos/{owner}/{repo}/deployments', 'in_progress']);
});

it('sends nothing when the job may not ask for an OIDC token (no id-token: write)', async () => {
  const { simulator, front, github, inputs, runner } = await world();
  const { ACTIONS_ID_TOKEN_REQUEST_URL: _url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _token, ...noIdToken } = runner;
  const run = await runAction(inputs(), BUNDLE, noIdToken);
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toMatch(
    /^::error::wait-via handoff needs the job's GitHub OIDC token: add `permissions: id-token: write`/m,
  );
  expect(simulator.calls).toEqual([]);
  expect(front.handoffs).toEqual([]);
  expect(github.calls).toEqual([]);
  expect(run.summary).toContain('add `permissions: id-token: write` to the job');
});

it('fails naming the build and how to follow it when the bridge refuses the token, and ends the Deployment', async () => {
  const { front, github, inputs, runner } = await world({
    status: 403,
    body: { error: 'forbidden', reason: 'repository acme/game is not in BRIDGE_GITHUB_REPOS' },
  });
  const run = await runAction(inputs(), BUNDLE, runner);
  expect(run.exitCode).toBe(1);
  const uploadId = run.outputs['upload-id']!;
  expect(uploadId).toBeTruthy();
  expect(run.outputs.outcome).toBeUndefined();
  expect(front.handoffs).toHaveLength(1);
  const error = run.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? '';
  expect(error).toContain(`Streampixel accepted the upload of build ${uploadId}, but it was not handed off`);
  expect(error).toContain('permissions: id-token: write');
  expect(error).toContain(`\`command: wait\` and \`upload-id: ${uploadId}\``);
  // Nobody else will finish it: the job does.
  expect(statesOf(github)).toEqual(['POST /repos/{owner}/{repo}/deployments', 'in_progress', 'error']);
});

it('is finished by the bridge after the job has ended: the Deployment turns success once the build is live', async () => {
  const issuer = await startFakeOidcIssuer();
  const github = await startFakeGitHub();
  const dir = await mkdtemp(join(tmpdir(), 'action-handoff-'));
  // The bridge's public URL is the audience: known before it listens, so its port is chosen first.
  const port = await freePort();
  const bridge = await startBridge({
    config: parseBridgeConfig({
      BRIDGE_PORT: String(port),
      BRIDGE_HOST: '127.0.0.1',
      BRIDGE_DATABASE: join(dir, 'events.db'),
      BRIDGE_INGEST_TOKEN: BRIDGE_TOKENS.ingest,
      BRIDGE_READ_TOKEN: BRIDGE_TOKENS.read,
      BRIDGE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BRIDGE_GITHUB_REPOS: 'acme/game',
      BRIDGE_OIDC_ISSUER: issuer.issuer,
      BRIDGE_GITHUB_APP_ID: '12345',
      BRIDGE_GITHUB_PRIVATE_KEY: String(
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }),
      ),
      BRIDGE_GITHUB_API_URL: github.url,
    }),
    logger: false,
    handoffWorker: { intervalMs: 50 },
  });
  onTestFinished(async () => {
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  });
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEYS.bundle }],
    projects: [
      {
        projectId: 'proj-1',
        userId: 'user-1',
        webhookUrl: `${bridge.url}/hooks/streampixel/${BRIDGE_TOKENS.ingest}`,
      },
    ],
    stageDelaysMs: { ...STAGES, 'build.approved': 1500 },
  });
  onTestFinished(() => simulator.close());
  // The runner's token service, minting what GitHub would: a token of the issuer for the audience asked.
  const tokens = await startRunnerTokenService({ issuer });
  onTestFinished(() => tokens.close());

  const run = await runAction(
    {
      'file-url': 'https://builds.example/game.zip',
      'api-key': API_KEYS.bundle,
      'user-id': 'user-1',
      'project-id': 'proj-1',
      'api-base-url': simulator.url,
      'wait-via': 'handoff',
      'bridge-url': bridge.url,
      'bridge-token': BRIDGE_TOKENS.read,
      'timeout-minutes': '5',
      environment: 'production',
      'github-token': GITHUB_TOKEN,
    },
    BUNDLE,
    simulatedRunnerEnv(github.url, tokens),
  );
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs.outcome).toBe('handed-off');
  const uploadId = run.outputs['upload-id']!;
  const handoffId = run.outputs['handoff-id']!;
  // The job ended while Streampixel was still working on the build.
  expect(simulator.builds.get(uploadId)?.state).not.toBe('approved');
  expect(statesOf(github)).toEqual(['POST /repos/{owner}/{repo}/deployments', 'in_progress']);

  const readHandoff = async () => {
    const response = await fetch(`${bridge.url}/v1/handoffs/${handoffId}`, {
      headers: { authorization: `Bearer ${BRIDGE_TOKENS.read}` },
    });
    return (await response.json()) as { state: string; outcome: string | null };
  };
  await expect
    .poll(readHandoff, { timeout: 15_000 })
    .toMatchObject({ state: 'finished', outcome: 'approved' });
  const success = github
    .callsTo('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses')
    .find((call) => (call.body as { state?: string }).state === 'success');
  expect(success?.params.deployment_id).toBe(run.outputs['deployment-id']);
  expect(success?.body).toMatchObject({ environment_url: 'https://share.streampixel.io/proj-1' });
});
