import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { envelopeOf, type UnitOutcome } from '../../src/simulator/providers/envelopes.ts';
import { createProviderSender } from '../../src/simulator/providers/sender.ts';
import type { SigningCredentials } from '../../src/simulator/providers/signers.ts';
import { READ_TOKEN, startTestBridge } from '../support/bridge-world.ts';
import { RECEIVER_PATH, startWorld } from '../support/world.ts';

// `command: wait` for another provider's unit of work through the receiver: real signed deliveries from the
// simulator's senders, verified by the receiver with `webhook-secret`, ending in succeeded / failed /
// cancelled with the provider's useful fields.

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const fastpixSecret = Buffer.from('fastpix-signing-secret').toString('base64');
const spki = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const PROVIDERS: Array<[string, SigningCredentials, string]> = [
  ['buildpixel', { provider: 'buildpixel', secret: 'bp-secret' }, 'old-secret,bp-secret'],
  ['fastpix', { provider: 'fastpix', secret: fastpixSecret }, fastpixSecret],
  ['pixop', { provider: 'pixop', privateKey: keys.privateKey, keyId: 'key-1' }, `key-1=${spki}`],
];

async function waitFor(credentials: SigningCredentials, webhookSecret: string, outcome: UnitOutcome) {
  const world = await startWorld();
  const sender = createProviderSender({
    url: `http://127.0.0.1:${world.port}${RECEIVER_PATH}`,
    credentials,
    timeScale: 0.0001,
  });
  onTestFinished(() => sender.close());
  const waiting = world.release({
    command: 'wait',
    provider: credentials.provider,
    subject: 'unit-7',
    webhookSecret,
    fileUrl: null,
    apiKey: '',
    userId: '',
    projectId: '',
    timeoutMs: 10 * 60_000,
  });
  await listening(world.port);
  const deliveries = await sender.playUnit('unit-7', outcome);
  return { report: await waiting, deliveries };
}

describe.each(PROVIDERS)('wait for a %s unit of work through the receiver', (_, credentials, secret) => {
  it('succeeds, with the provider’s useful fields', async () => {
    const { report } = await waitFor(credentials, secret, 'success');
    expect(report.result.outcome).toBe('succeeded');
    expect(report.result.failure).toBeNull();
    expect(Object.keys(report.result.links ?? {}).length).toBeGreaterThan(0);
    expect(report.events.at(-1)?.event).toMatch(/complete|ready|done/);
  });

  it('fails, saying why', async () => {
    const { report } = await waitFor(credentials, secret, 'failure');
    expect(report.result.outcome).toBe('failed');
    expect(report.result.failure).toMatch(/unit-7 failed: /);
  });

  it('is cancelled', async () => {
    const { report } = await waitFor(credentials, secret, 'cancelled');
    expect(report.result).toMatchObject({
      outcome: 'cancelled',
      failure: expect.stringMatching(/was cancelled/),
    });
  });
});

it('refuses deliveries signed with another secret: the wait times out, nothing counted', async () => {
  const world = await startWorld();
  const sender = createProviderSender({
    url: `http://127.0.0.1:${world.port}${RECEIVER_PATH}`,
    credentials: { provider: 'buildpixel', secret: 'attacker' },
    retryDelaysMs: [],
  });
  onTestFinished(() => sender.close());
  const waiting = world.release({
    command: 'wait',
    provider: 'buildpixel',
    subject: 'unit-7',
    webhookSecret: 'bp-secret',
    fileUrl: null,
    timeoutMs: 60_000,
  });
  await listening(world.port);
  const deliveries = await sender.playUnit('unit-7', 'success');
  expect(deliveries.map((d) => d.status)).toEqual([401, 401, 401]);
  const { result, events } = await waiting;
  expect(result.outcome).toBe('timed-out');
  expect(events).toEqual([]);
});

/** Resolves once the receiver accepts connections (it opens as the wait starts). */
async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nothing listens on port ${port}`);
}

describe('through the bridge', () => {
  it('waits for a BuildPixel build the bridge verified and stored, and hands on its artifact URL', async () => {
    const bridge = await startTestBridge({ BRIDGE_BUILDPIXEL_SECRETS: 'bp-secret' });
    const world = await startWorld();
    const sender = createProviderSender({
      url: bridge.hookUrlOf('buildpixel'),
      credentials: { provider: 'buildpixel', secret: 'bp-secret' },
      timeScale: 0.0001,
    });
    onTestFinished(() => sender.close());
    // Stored before the job starts: wait counts what the bridge already holds.
    await sender.send(envelopeOf('buildpixel', 'build.running', 'b-42'));
    const waiting = world.release({
      command: 'wait',
      provider: 'buildpixel',
      subject: 'b-42',
      waitVia: 'bridge',
      bridgeUrl: bridge.url,
      bridgeToken: READ_TOKEN,
      fileUrl: null,
      timeoutMs: 10 * 60_000,
    });
    await sender.send(envelopeOf('buildpixel', 'build.complete', 'b-42'));
    const { result, events } = await waiting;
    expect(result).toMatchObject({
      outcome: 'succeeded',
      links: { artifactUrl: 'https://artifacts.buildpixel.example/b-42/MyGame-Win64.zip' },
    });
    expect(events.map((e) => e.event)).toEqual(['build.running', 'build.complete']);
  });
});

describe('reordered and duplicated deliveries', () => {
  it('ends on the terminal event even when it arrives first, and a later progress event changes nothing', async () => {
    const world = await startWorld();
    const sender = createProviderSender({
      url: `http://127.0.0.1:${world.port}${RECEIVER_PATH}`,
      credentials: { provider: 'fastpix', secret: fastpixSecret },
      timeScale: 0.0001,
    });
    onTestFinished(() => sender.close());
    const waiting = world.release({
      command: 'wait',
      provider: 'fastpix',
      subject: 'media-3',
      webhookSecret: fastpixSecret,
      fileUrl: null,
      timeoutMs: 10 * 60_000,
    });
    await listening(world.port);
    const ready = envelopeOf('fastpix', 'video.media.ready', 'media-3');
    await sender.send(ready);
    await sender.send(ready); // a re-delivery: the same FastPix event id
    await sender.send(envelopeOf('fastpix', 'video.media.created', 'media-3'));
    const { result, events } = await waiting;
    expect(result.outcome).toBe('succeeded');
    expect(events.map((e) => e.event)).toEqual(['video.media.ready']);
  });
});
