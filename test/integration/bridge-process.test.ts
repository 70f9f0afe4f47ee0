import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseBridgeConfig } from '../../src/bridge/config.ts';
import { startBridge } from '../../src/bridge/main.ts';
import { AUTH, envelope, INGEST_PATH, INGEST_TOKEN, READ_TOKEN } from '../unit/bridge/harness.ts';
import { createMemoryStore } from '../unit/bridge/memory-store.ts';

// The bridge as a process: configuration errors, listening, graceful shutdown and a restart on the same
// SQLite file. Runs src/bridge/index.ts with the Node that runs the tests (Node 24 strips the types).

const ENTRY = join(import.meta.dirname, '../../src/bridge/index.ts');

function spawnBridge(env: Record<string, string>) {
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'release bridge ready' && entry.url) resolve(entry.url);
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  ready.catch(() => {});
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

async function tempDatabase() {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-process-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'bridge.db');
}

const baseEnv = (database: string) => ({
  BRIDGE_PORT: '0',
  BRIDGE_HOST: '127.0.0.1',
  BRIDGE_DATABASE: database,
  BRIDGE_INGEST_TOKEN: INGEST_TOKEN,
  BRIDGE_READ_TOKEN: READ_TOKEN,
});

describe('the bridge process', () => {
  it('exits 1 listing every configuration problem, without echoing a token', async () => {
    const bridge = spawnBridge({ BRIDGE_READ_TOKEN: 'too short secret', BRIDGE_PORT: 'http' });
    expect(await bridge.exited).toBe(1);
    const { stderr } = bridge.output();
    expect(stderr).toContain('BRIDGE_PORT');
    expect(stderr).toContain('BRIDGE_INGEST_TOKEN is required');
    expect(stderr).toContain('BRIDGE_READ_TOKEN');
    expect(stderr).not.toContain('too short secret');
  });

  it('serves, shuts down gracefully on SIGTERM, and keeps its events across a restart', async () => {
    const database = await tempDatabase();
    const first = spawnBridge(baseEnv(database));
    const url = await first.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const body = JSON.stringify(envelope());
    const ack = await request(`${url}${INGEST_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(ack.statusCode).toBe(200);
    const { cursor } = (await ack.body.json()) as { cursor: number };

    // A long-poll still open at shutdown is answered (empty), not cut.
    const held = request(`${url}/v1/events?subject=up-2&after=0&wait=60`, { headers: AUTH });
    await expect
      .poll(async () =>
        (await (await request(`${url}/metrics`)).body.text()).includes('\nbridge_waiters 1\n'),
      )
      .toBe(true);
    first.child.kill('SIGTERM');
    const answer = await held;
    expect(answer.statusCode).toBe(200);
    expect(await answer.body.json()).toEqual({ events: [], cursor: 0 });
    expect(await first.exited).toBe(0);
    const { stdout, stderr } = first.output();
    for (const secret of [INGEST_TOKEN, READ_TOKEN]) expect(stdout + stderr).not.toContain(secret);

    const second = spawnBridge(baseEnv(database));
    const again = await second.ready;
    const read = await request(`${again}/v1/events?subject=up-1`, { headers: AUTH });
    expect(await read.body.json()).toEqual({
      events: [expect.objectContaining({ cursor, type: 'build.uploaded', payload: envelope() })],
      cursor,
    });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});

describe('startBridge', () => {
  it('finishes an in-flight append before closing the store', async () => {
    const store = createMemoryStore();
    const config = parseBridgeConfig({ ...baseEnv('unused.db'), BRIDGE_RETENTION_DAYS: '30' });
    const bridge = await startBridge({ config, openStore: async () => store });
    onTestFinished(() => bridge.close());
    const release = store.holdAppends();
    const ingest = request(`${bridge.url}${INGEST_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope()),
    });
    await expect.poll(() => store.appendCalls).toBe(1);

    let closed = false;
    const closing = bridge.close().then(() => (closed = true));
    // Once the bridge refuses new requests, close() is only waiting for the held append.
    await expect
      .poll(
        async () =>
          (await fetch(`${bridge.url}/healthz`).then(
            (r) => r.status,
            () => 'refused',
          )) !== 200,
      )
      .toBe(true);
    expect(closed).toBe(false);
    expect(store.closed).toBe(false);

    release();
    const res = await ingest;
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ ok: true, duplicate: false });
    await closing;
    expect(store.closed).toBe(true);
    expect(store.events).toHaveLength(1);
  });

  it('closes the store when it cannot listen', async () => {
    const store = createMemoryStore();
    const taken = await startBridge({
      config: parseBridgeConfig(baseEnv('x.db')),
      openStore: async () => createMemoryStore(),
    });
    onTestFinished(() => taken.close());
    const port = new URL(taken.url).port;
    const config = parseBridgeConfig({ ...baseEnv('x.db'), BRIDGE_PORT: port });
    await expect(startBridge({ config, openStore: async () => store })).rejects.toThrow(
      /EADDRINUSE|address/i,
    );
    expect(store.closed).toBe(true);
  });
});
