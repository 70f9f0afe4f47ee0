import { PIPELINE_EVENTS } from '../../src/streampixel/schemas.ts';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ERROR_CODE, ReleaseError } from '../../src/streampixel/errors.ts';
import { READ_TOKEN, startTestBridge } from '../support/bridge-world.ts';
import { startWorld } from '../support/world.ts';

// The orchestrator waiting through a real release bridge (SQLite) that the simulator posts to, with both
// the simulator and the action on a clock where two minutes last 120 ms.

const PIPELINE = [...PIPELINE_EVENTS];

async function bridgeWorld(options: Parameters<typeof startWorld>[0] = {}) {
  const bridge = await startTestBridge();
  const world = await startWorld({ ...options, webhookUrl: bridge.hookUrl });
  const viaBridge = { waitVia: 'bridge' as const, bridgeUrl: bridge.url, bridgeToken: READ_TOKEN };
  return { bridge, world, viaBridge };
}

describe('release through the bridge', () => {
  it('uploads, distributes and finishes approved', async () => {
    const { world, viaBridge } = await bridgeWorld();
    const { result, events } = await world.release(viaBridge);
    expect(result.outcome).toBe('approved');
    expect(events.map((e) => e.event)).toEqual(PIPELINE);
    expect(world.simulator.calls.map((c) => `${c.endpoint} ${c.status}`)).toEqual([
      'upload-file 200',
      'distribute-file 200',
    ]);
  });

  it('fails a rejected build with its objection', async () => {
    const { world, viaBridge } = await bridgeWorld({
      scenario: { rejectAt: { event: 'build.saving', objection: 'Malware signature found' } },
    });
    const { result } = await world.release(viaBridge);
    expect(result).toMatchObject({ outcome: 'rejected', objection: 'Malware signature found' });
  });

  it('keeps waiting while the bridge restarts, and resumes from its cursor', async () => {
    const { bridge, world, viaBridge } = await bridgeWorld({
      // A long distribution stage leaves room to restart the bridge between two webhooks.
      stageDelaysMs: { 'build.distributing': 1_500_000 },
    });
    let restartedAt = 0;
    const restarted = world.simulator
      .waitFor('call', (call) => call.endpoint === 'distribute-file', { timeoutMs: 10_000 })
      .then(async () => {
        await bridge.stop();
        // The outage itself: long enough for the waiter's polls to hit a closed port.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await bridge.start();
        restartedAt = Date.now();
      });
    const { result, events, logger } = await world.release({ ...viaBridge, timeoutMs: 120 * 60_000 });
    await restarted;
    expect(result.outcome).toBe('approved');
    // No gap and no duplicate across the restart.
    expect(events.map((e) => e.event)).toEqual(PIPELINE);
    const distributing = world.simulator.deliveries.find((d) => d.envelope.event === 'build.distributing')!;
    expect(distributing.at).toBeGreaterThan(restartedAt);
    expect(logger.lines.join('\n')).toMatch(
      /Waiting for the release bridge: (refused connections|was unreachable)/,
    );
    expect(logger.lines.join('\n')).toContain('The release bridge answers again');
  });

  it('distribute counts only events after the call, though an old build.approved is stored', async () => {
    const { world, viaBridge } = await bridgeWorld();
    const first = await world.release({ ...viaBridge, autoRelease: true });
    expect(first.result.outcome).toBe('approved');

    const rollback = await world.release({
      ...viaBridge,
      command: 'distribute',
      uploadId: first.uploadIds[0]!,
      fileUrl: null,
    });
    expect(rollback.result.outcome).toBe('approved');
    expect(rollback.events.map((e) => e.event)).toEqual(['build.distributing', 'build.approved']);
    expect(world.simulator.calls.map((c) => c.endpoint)).toEqual(['upload-file', 'distribute-file']);
  });

  it('wait counts the events the bridge stored before the step started', async () => {
    const { world, viaBridge } = await bridgeWorld();
    const first = await world.release({ ...viaBridge, waitVia: 'none', autoRelease: true });
    await world.simulator.waitFor('delivery', (d) => d.envelope.event === 'build.approved', {
      timeoutMs: 10_000,
    });

    const waited = await world.release({
      ...viaBridge,
      command: 'wait',
      uploadId: first.uploadIds[0]!,
      fileUrl: null,
    });
    expect(waited.result.outcome).toBe('approved');
    expect(waited.events.map((e) => e.event)).toEqual(PIPELINE);
  });

  it('confirms the test webhook reached the bridge', async () => {
    const { world, viaBridge } = await bridgeWorld();
    const { result } = await world.release({ ...viaBridge, command: 'test-webhook', fileUrl: null });
    expect(result.outcome).toBe('test-delivered');
  });

  it('fails at once on a wrong bridge token, before any Streampixel call', async () => {
    const { world, viaBridge } = await bridgeWorld();
    const error = await world
      .release({
        ...viaBridge,
        command: 'wait',
        uploadId: 'up-1',
        fileUrl: null,
        bridgeToken: 'wrong-token-0123456789',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    expect((error as ReleaseError).code).toBe(ERROR_CODE.bridge);
    expect((error as ReleaseError).message).toMatch(/^401 from the release bridge: check bridge-token/);
  });

  it('fails at once when bridge-url answers with something that is not the bridge', async () => {
    const { world, viaBridge } = await bridgeWorld();
    const page = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>'),
    );
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => page.close(() => resolve())));
    const { port } = page.address() as AddressInfo;
    const error = await world
      .release({
        ...viaBridge,
        bridgeUrl: `http://127.0.0.1:${port}`,
        command: 'wait',
        uploadId: 'up-1',
        fileUrl: null,
      })
      .catch((e: unknown) => e);
    expect((error as ReleaseError).message).toMatch(
      /^The release bridge sent an answer this action does not understand/,
    );
  });

  it('fails before anything is sent when the bridge stays unreachable through pre-flight', async () => {
    const { bridge, world, viaBridge } = await bridgeWorld();
    await bridge.stop();
    const error = await world
      .release({ ...viaBridge, command: 'distribute', uploadId: 'up-1', fileUrl: null, timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    expect((error as ReleaseError).code).toBe(ERROR_CODE.bridge);
    expect((error as ReleaseError).message).toBe(
      `The release bridge at ${bridge.url} refused connections (ECONNREFUSED) for 30 s, so nothing was sent to ` +
        'Streampixel: check bridge-url and that the bridge is running, then re-run the job',
    );
    expect(world.simulator.calls).toEqual([]);
  });

  it('says nothing was sent, with no outcome to tolerate, when the deadline ends pre-flight', async () => {
    const { world, viaBridge } = await bridgeWorld();
    // A bridge-url that takes the connection and never answers: pre-flight is still waiting (its request
    // gives up after 45 s of real time) when the 10 s deadline, 10 ms on this clock, passes.
    const openSockets = new Set<Socket>();
    const silent = createNetServer((socket) => void openSockets.add(socket.on('error', () => {})));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          silent.close(() => resolve());
          for (const socket of openSockets) socket.destroy();
        }),
    );
    const bridgeUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const { result } = await world.release({
      ...viaBridge,
      bridgeUrl,
      timeoutMs: 10_000,
      failOnTimeout: false,
    });
    expect(result.outcome).toBeNull();
    expect(result.failure).toBe(
      'Nothing was sent to Streampixel: the wait path was not ready within 10 s (the release bridge did not ' +
        'answer); check bridge-url and that the bridge is running',
    );
    expect(world.simulator.calls).toEqual([]);
  });

  it.each([
    ['a wrong bridge-token', { bridgeToken: 'wrong-token-0123456789' }, /^401 from the release bridge/],
    ['a bridge-url that is not the bridge', { bridgeUrl: 'http://127.0.0.1:9/' }, /refused connections/],
  ])('release with %s fails before the upload: no build is left behind', async (_, patch, message) => {
    const { world, viaBridge } = await bridgeWorld();
    const error = await world.release({ ...viaBridge, ...patch, autoRelease: true }).catch((e: unknown) => e);
    expect((error as ReleaseError).message).toMatch(message);
    expect(world.simulator.calls).toEqual([]);
  });

  it('names the unreachable bridge, not the webhook setup, when wait times out', async () => {
    const { bridge, world, viaBridge } = await bridgeWorld();
    await bridge.stop();
    const { result } = await world.release({
      ...viaBridge,
      command: 'wait',
      uploadId: 'up-1',
      fileUrl: null,
      timeoutMs: 60_000,
    });
    expect(result.outcome).toBe('timed-out');
    expect(result.failure).toMatch(
      /^No outcome for build up-1 after 1 min; the release bridge at http:\/\/127\.0\.0\.1:\d+ refused connections \(ECONNREFUSED\) since \d\d:\d\d:\d\dZ: events may have been sent/,
    );
    expect(result.failure).not.toContain('check the webhook URL');
  });
});
