import { expect, it, onTestFinished } from 'vitest';
import { BUNDLE, runAction } from '../../scripts/run-action.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { startBuiltBridge } from '../support/built-bridge.ts';
import { API_KEYS, BRIDGE_TOKENS } from '../support/secrets.ts';
import { FAST_STAGES } from '../support/fast-stages.ts';

// Every command through the built action and the built bridge, against the simulator, as a gated release
// runs them: upload (staged), distribute (promote), wait (a later job follows it), test-webhook.

it('upload, distribute, wait and test-webhook, each as its own step', async () => {
  const bridge = await startBuiltBridge(onTestFinished);
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEYS.bundle }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: bridge.hookUrl }],
    stageDelaysMs: FAST_STAGES,
    // Distribute is rate-limited per user; the steps here follow each other at once.
    rateLimitWindowMs: 0,
  });
  onTestFinished(() => simulator.close());
  const step = (inputs: Record<string, string>) =>
    runAction(
      {
        'api-key': API_KEYS.bundle,
        'user-id': 'user-1',
        'project-id': 'proj-1',
        'api-base-url': simulator.url,
        'bridge-url': bridge.url,
        'bridge-token': BRIDGE_TOKENS.read,
        'timeout-minutes': '1',
        ...inputs,
      },
      BUNDLE,
    );

  const staged = await step({ command: 'upload', 'file-url': 'https://builds.example/game.zip' });
  expect([staged.exitCode, staged.outputs.outcome]).toEqual([0, 'processed']);
  const uploadId = staged.outputs['upload-id']!;
  expect(simulator.calls.map((call) => call.endpoint)).toEqual(['upload-file']);

  const promoted = await step({ command: 'distribute', 'upload-id': uploadId });
  expect([promoted.exitCode, promoted.outputs.outcome]).toEqual([0, 'approved']);
  expect(JSON.parse(promoted.outputs.events ?? '[]').map((e: { event: string }) => e.event)).toEqual([
    'build.distributing',
    'build.approved',
  ]);

  const followed = await step({ command: 'wait', 'upload-id': uploadId });
  expect([followed.exitCode, followed.outputs.outcome]).toEqual([0, 'approved']);

  const checked = await step({ command: 'test-webhook' });
  expect([checked.exitCode, checked.outputs.outcome]).toEqual([0, 'test-delivered']);
  expect(checked.summary).toContain('## Streampixel webhook check');
});
