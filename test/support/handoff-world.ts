import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { onTestFinished } from 'vitest';
import { parseBridgeConfig } from '../../src/bridge/config.ts';
import { startBridge } from '../../src/bridge/main.ts';
import type { SendOptions } from '../../src/release/notify/send.ts';
import { envelope, INGEST_TOKEN, READ_TOKEN } from '../unit/bridge/harness.ts';
import { startFakeGitHub, type FakeGitHub } from './fake-github.ts';
import { startFakeOidcIssuer, type FakeOidcIssuer } from './fake-oidc-issuer.ts';

// A bridge with handoff on, in this process, beside a loopback OIDC issuer and a loopback GitHub API, and the
// calls a handoff test makes on it: register (with a token), read a handoff's state, post a webhook, read
// the metrics and the handoff lines of its log. Closed after the test.

/** The audience a job's OIDC token must carry. */
export const PUBLIC_URL = 'https://bridge.studio.example';
const appKey = String(
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
);

export interface HandoffWorldOptions {
  /** OIDC registrations and the GitHub App (default true). */
  oidc?: boolean;
  /** BRIDGE_HANDOFF_TOKEN, for handoffs from other CI. */
  handoffToken?: string;
  /** More BRIDGE_* settings. */
  env?: Record<string, string>;
  /** How often the worker looks for due handoffs (default 50 ms). */
  intervalMs?: number;
  /** Where the bridge's notifications may go (a loopback HTTPS endpoint). */
  notify?: SendOptions;
  /** Replicas: the same database, issuer and GitHub for a second bridge. */
  shared?: { database: string; issuer: FakeOidcIssuer; github: FakeGitHub };
}

export async function startHandoffWorld(options: HandoffWorldOptions = {}) {
  const issuer = options.shared?.issuer ?? (await startFakeOidcIssuer());
  const github = options.shared?.github ?? (await startFakeGitHub());
  const dir = await mkdtemp(join(tmpdir(), 'bridge-handoff-'));
  const logs: string[] = [];
  const bridge = await startBridge({
    config: parseBridgeConfig({
      BRIDGE_PORT: '0',
      BRIDGE_HOST: '127.0.0.1',
      BRIDGE_DATABASE: options.shared?.database ?? join(dir, 'events.db'),
      BRIDGE_INGEST_TOKEN: INGEST_TOKEN,
      BRIDGE_READ_TOKEN: READ_TOKEN,
      ...(options.handoffToken === undefined ? {} : { BRIDGE_HANDOFF_TOKEN: options.handoffToken }),
      ...(options.oidc === false
        ? {}
        : {
            BRIDGE_PUBLIC_URL: PUBLIC_URL,
            BRIDGE_GITHUB_REPOS: 'acme/game',
            BRIDGE_OIDC_ISSUER: issuer.issuer,
            BRIDGE_GITHUB_APP_ID: '12345',
            BRIDGE_GITHUB_PRIVATE_KEY: appKey,
            BRIDGE_GITHUB_API_URL: github.url,
          }),
      ...options.env,
    }),
    logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
    handoffWorker: { intervalMs: options.intervalMs ?? 50 },
    ...(options.notify ? { handoffNotify: options.notify } : {}),
  });
  onTestFinished(async () => {
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  });
  const register = async (body: unknown, token?: string) => {
    const res = await request(`${bridge.url}/v1/handoffs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: (await res.body.json()) as Record<string, unknown>,
    };
  };
  const status = async (id: string) => {
    const res = await request(`${bridge.url}/v1/handoffs/${id}`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    return (await res.body.json()) as Record<string, unknown>;
  };
  const post = (body: object) =>
    request(`${bridge.url}/hooks/streampixel/${INGEST_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((res) => res.body.dump());
  const metrics = async () => (await request(`${bridge.url}/metrics`)).body.text();
  /** The log lines about handoffs, as written. */
  const handoffLog = () =>
    logs
      .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg))
      .filter((msg) => msg.includes('handoff'));
  return { issuer, github, bridge, register, status, post, metrics, handoffLog };
}

/** up-9's approval, stamped now. */
export const approved = () =>
  envelope({
    event: 'build.approved',
    uploadId: 'up-9',
    status: 'Approved',
    timestamp: new Date().toISOString(),
  });
