import { readFileSync } from 'node:fs';
import { expect, it, onTestFinished } from 'vitest';
import { runAction } from '../../scripts/run-action.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { createProviderSender } from '../../src/simulator/providers/sender.ts';
import { startBuiltBridge } from '../support/built-bridge.ts';
import { API_KEYS, BRIDGE_TOKENS } from '../support/secrets.ts';
import { FAST_STAGES } from '../support/fast-stages.ts';

// examples/buildpixel-to-streampixel.yml, step by step, through the built action and the built bridge: wait
// for a BuildPixel build (signed webhooks, verified by the bridge), release its artifact URL to Streampixel
// (the simulator), wait until it is live.

const EXAMPLE = readFileSync(
  new URL('../../examples/buildpixel-to-streampixel.yml', import.meta.url),
  'utf8',
);
const BUILDPIXEL_SECRET = 'buildpixel-signing-secret';
const BUILD_ID = '65f2a1b3c4d5e6f708192a3b';

it('the example workflow names the inputs this test drives', () => {
  for (const line of ['command: wait', 'provider: buildpixel', 'subject: ${{ inputs.build-id }}'])
    expect(EXAMPLE).toContain(line);
  expect(EXAMPLE).toContain('file-url: ${{ steps.build.outputs.artifact-url }}');
});

it('waits for a BuildPixel build, releases its artifact to Streampixel and waits until it is live', async () => {
  const bridge = await startBuiltBridge(onTestFinished, { BRIDGE_BUILDPIXEL_SECRETS: BUILDPIXEL_SECRET });
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEYS.bundle }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: bridge.hookUrl }],
    stageDelaysMs: FAST_STAGES,
  });
  onTestFinished(() => simulator.close());
  const buildpixel = createProviderSender({
    url: bridge.hookUrl.replace('/hooks/streampixel/', '/hooks/buildpixel/'),
    credentials: { provider: 'buildpixel', secret: BUILDPIXEL_SECRET },
    timeScale: 0.001,
  });
  onTestFinished(() => buildpixel.close());
  const viaBridge = { 'bridge-url': bridge.url, 'bridge-token': BRIDGE_TOKENS.read };

  // Step 1: the build finishes while the job waits.
  const waiting = runAction({
    command: 'wait',
    provider: 'buildpixel',
    subject: BUILD_ID,
    'timeout-minutes': '1',
    ...viaBridge,
  });
  const deliveries = await buildpixel.playUnit(BUILD_ID, 'success');
  expect(deliveries.every((delivery) => delivery.status === 200)).toBe(true);
  const build = await waiting;
  expect(build.exitCode).toBe(0);
  expect(build.outputs).toMatchObject({
    outcome: 'succeeded',
    'artifact-url': `https://artifacts.buildpixel.example/${BUILD_ID}/MyGame-Win64.zip`,
  });

  // Step 2: its artifact goes to Streampixel.
  const release = await runAction({
    'file-url': build.outputs['artifact-url']!,
    'api-key': API_KEYS.bundle,
    'user-id': 'user-1',
    'project-id': 'proj-1',
    'api-base-url': simulator.url,
    'timeout-minutes': '1',
    ...viaBridge,
  });
  expect(release.exitCode).toBe(0);
  expect(release.outputs.outcome).toBe('approved');
  expect(simulator.calls[0]?.body).toMatchObject({ fileUrl: build.outputs['artifact-url'] });
});
