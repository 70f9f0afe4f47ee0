import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../../scripts/bridge-process.ts';
import { freePort } from '../../scripts/free-port.ts';
import { adminUrl, createTestDatabase } from '../contract/postgres-database.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.ts';
import { startFakeOidcIssuer } from '../support/fake-oidc-issuer.ts';
import { bridgeEnv, INGEST_PATH, readHeaders } from './support/webhooks.ts';

// Issue 9: a bridge killed with kill -9 between a handed-off build's outcome and the Deployment status call
// still sets the status once after its restart. The GitHub stand-in holds the status call, so the bridge
// dies with the call in flight; then either GitHub had applied it (the answer was lost with the process) or
// it had not (the request was lost). The restarted bridge takes the handoff over once the lease runs out,
// reads the Deployment's statuses back, and ends with exactly one final status either way.

const ENTRY = new URL('./support/handoff-bridge.ts', import.meta.url).pathname;
const PUBLIC_URL = 'https://bridge.kill-9.example';
const STATUS_ROUTE = 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses';
const DISPATCH_ROUTE = 'POST /repos/{owner}/{repo}/dispatches';
const appKey = String(
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
);

async function handoffBridge(database: string, issuer: string, github: FakeGitHub): Promise<BridgeProcess> {
  const bridge = await startBridgeProcess(
    {
      ...bridgeEnv(database, await freePort()),
      BRIDGE_LOG_LEVEL: 'info',
      BRIDGE_PUBLIC_URL: PUBLIC_URL,
      BRIDGE_GITHUB_REPOS: 'acme/game',
      BRIDGE_OIDC_ISSUER: issuer,
      BRIDGE_GITHUB_APP_ID: '4242',
      BRIDGE_GITHUB_PRIVATE_KEY: appKey,
      BRIDGE_GITHUB_API_URL: github.url,
    },
    ENTRY,
  );
  onTestFinished(async () => {
    if (bridge.child.exitCode === null && bridge.child.signalCode === null) await bridge.stop();
  });
  return bridge;
}

async function killedMidCall(database: string, githubApplied: boolean) {
  const issuer = await startFakeOidcIssuer();
  const github = await startFakeGitHub();
  const held = github.hold(STATUS_ROUTE);
  const first = await handoffBridge(database, issuer.issuer, github);

  const registered = await fetch(`${first.url}/v1/handoffs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.mint(PUBLIC_URL)}` },
    body: JSON.stringify({
      subject: 'up-kill',
      projectId: 'proj-kill',
      command: 'release',
      deadline: Date.now() + 10 * 60_000,
      deployment: { id: 4711, environmentUrl: null },
      dispatch: true,
    }),
  });
  expect(registered.status).toBe(201);
  const { id } = (await registered.json()) as { id: string };
  const approved = await fetch(`${first.url}${INGEST_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      event: 'build.approved',
      projectId: 'proj-kill',
      uploadId: 'up-kill',
      fileUrl: null,
      status: 'Approved',
      objection: null,
      timestamp: new Date().toISOString(),
    }),
  });
  expect(approved.status).toBe(200);

  // The status call is in flight: kill the bridge there.
  await expect.poll(() => github.callsTo(STATUS_ROUTE).length, { timeout: 10_000 }).toBe(1);
  const killed = new Promise((resolve) => first.child.once('exit', (_, signal) => resolve(signal)));
  first.child.kill('SIGKILL');
  expect(await killed).toBe('SIGKILL');
  // GitHub applies the held call (its answer goes nowhere), or the call is simply lost.
  if (githubApplied) held.release();

  const second = await handoffBridge(database, issuer.issuer, github);
  const state = async () =>
    (await (await fetch(`${second.url}/v1/handoffs/${id}`, { headers: readHeaders })).json()) as {
      state: string;
      outcome: string | null;
    };
  await expect.poll(async () => (await state()).state, { timeout: 20_000 }).toBe('finished');
  expect((await state()).outcome).toBe('approved');
  await second.stop();
  expect(second.log()).toContain(`handoff ${id}: following streampixel`);
  return { github, id };
}

describe.each([
  ['SQLite', true],
  ['PostgreSQL', Boolean(adminUrl)],
])('kill -9 between a handoff’s outcome and its Deployment status, %s', (kind, available) => {
  const database = async () => {
    if (kind === 'PostgreSQL') {
      const db = await createTestDatabase();
      onTestFinished(() => db.drop());
      return db.url;
    }
    const dir = await mkdtemp(join(tmpdir(), 'bridge-handoff-kill-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'events.db');
  };

  test.skipIf(!available)(
    'GitHub had applied the call: the restarted bridge sees the status and does not set it again',
    { timeout: 60_000 },
    async () => {
      const { github, id } = await killedMidCall(await database(), true);
      expect(github.statuses.get('acme/game/4711')?.map((status) => status['state'])).toEqual(['success']);
      expect(github.callsTo(STATUS_ROUTE)).toHaveLength(1);
      expect(github.callsTo(DISPATCH_ROUTE).map((call) => call.body)).toMatchObject([
        { client_payload: { outcome: 'approved', handoffId: id } },
      ]);
    },
  );

  test.skipIf(!available)(
    'the call was lost with the process: the restarted bridge sets the status, once',
    { timeout: 60_000 },
    async () => {
      const { github } = await killedMidCall(await database(), false);
      expect(github.statuses.get('acme/game/4711')?.map((status) => status['state'])).toEqual(['success']);
      expect(github.callsTo(STATUS_ROUTE)).toHaveLength(2);
      expect(github.callsTo(DISPATCH_ROUTE)).toHaveLength(1);
    },
  );
});
