import { PIPELINE_EVENTS } from '../../src/streampixel/schemas.ts';
import { onTestFinished, describe, expect, it } from 'vitest';
import { startSimulator, type Scenario } from '../../src/simulator/index.ts';
import { freePort } from '../../scripts/free-port.ts';
import { runAction, visibleLines } from '../../scripts/run-action.ts';
import { API_KEYS, PRESIGNED_FILE_URLS, RECEIVER_PATHS } from '../support/secrets.ts';
import { FAST_STAGES } from '../support/fast-stages.ts';

// The committed dist/action/index.js, run as a runner runs it, against the simulator in real time
// (stage delays of a few milliseconds).

const API_KEY = API_KEYS.bundle;
const PRESIGNED = PRESIGNED_FILE_URLS.bundle;

async function world(scenario: Scenario = {}) {
  const port = await freePort();
  const path = RECEIVER_PATHS.bundle;
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEY }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: `http://127.0.0.1:${port}${path}` }],
    stageDelaysMs: FAST_STAGES,
    scenario,
  });
  onTestFinished(() => simulator.close());
  const inputs = (patch: Record<string, string> = {}) => ({
    'api-key': API_KEY,
    'user-id': 'user-1',
    'project-id': 'proj-1',
    'file-url': PRESIGNED,
    'wait-via': 'receiver',
    'receiver-port': String(port),
    'receiver-path': path,
    'api-base-url': simulator.url,
    'timeout-minutes': '1',
    ...patch,
  });
  return { simulator, inputs };
}

const eventsOf = (outputs: Record<string, string>) =>
  (JSON.parse(outputs.events ?? '[]') as Array<{ event: string }>).map((e) => e.event);

describe('dist/action/index.js', () => {
  it('releases an approved build: exit 0, every output, a summary with the timeline', async () => {
    const { simulator, inputs } = await world();
    const run = await runAction(inputs());

    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      'upload-id': expect.stringMatching(/.+/),
      outcome: 'approved',
      status: 'Approved',
      'share-url': 'https://share.streampixel.io/proj-1',
      'duration-seconds': expect.stringMatching(/^\d+(\.\d)?$/),
    });
    expect(eventsOf(run.outputs)).toEqual([...PIPELINE_EVENTS]);
    expect(JSON.parse(run.outputs.events!)[0]).toEqual({
      event: 'build.uploaded',
      status: 'pending',
      timestamp: expect.any(String),
      receivedAt: expect.any(String),
    });
    // Outside text is written as character references, which render as the characters themselves.
    const summary = run.summary.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    expect(summary).toContain(`## Streampixel release: build <code>${run.outputs['upload-id']}</code>`);
    expect(summary).toContain('| Stage | Status | Time (UTC) | Time in stage |');
    expect(summary).toContain('| build.approved | Approved |');
    expect(summary).toContain('[share link](https://share.streampixel.io/');
    expect(run.stdout).toContain('::group::Streampixel release');
    expect(simulator.calls.map((c) => `${c.endpoint} ${c.status}`)).toEqual([
      'upload-file 200',
      'distribute-file 200',
    ]);
  });

  it('fails a rejected build and still sets the outputs', async () => {
    const { inputs } = await world({
      rejectAt: { event: 'build.saving', objection: 'Archive is not a Windows build' },
    });
    const run = await runAction(inputs());
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      outcome: 'rejected',
      objection: 'Archive is not a Windows build',
      status: 'Reject',
    });
    expect(run.stdout).toContain(
      `::error::Streampixel rejected build ${run.outputs['upload-id']}: Archive is not a Windows build`,
    );
    expect(run.summary).toContain('**Objection:** Archive is not a Windows build');
  });

  it('with fail-on-rejected false, a rejection is a warning', async () => {
    const { inputs } = await world({ rejectAt: { event: 'build.extracting', objection: 'bad' } });
    const run = await runAction(inputs({ 'fail-on-rejected': 'false' }));
    expect(run.exitCode).toBe(0);
    expect(run.outputs.outcome).toBe('rejected');
    expect(run.stdout).toContain('::warning::Streampixel rejected build');
  });

  it('with auto-release true, only waits', async () => {
    const { simulator, inputs } = await world();
    const run = await runAction(inputs({ 'auto-release': 'true' }));
    expect(run.exitCode).toBe(0);
    expect(simulator.calls.map((c) => c.endpoint)).toEqual(['upload-file']);
  });

  it('waits out a 429 for its Retry-After, then uploads', async () => {
    const { simulator, inputs } = await world({
      apiFailures: [{ endpoint: 'upload-file', status: 429, retryAfterSeconds: 1 }],
    });
    const run = await runAction(inputs());
    expect(run.exitCode, run.stdout).toBe(0);
    const [refused, accepted] = simulator.calls;
    expect([refused!.status, accepted!.status]).toEqual([429, 200]);
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(950);
  });

  it('ignores duplicates and noise, and matches build.uploaded sent before the upload answer', async () => {
    const { inputs } = await world({ duplicate: 'all', extraEvents: 'noise', uploadedBeforeResponse: true });
    const run = await runAction(inputs());
    expect(run.exitCode).toBe(0);
    expect(eventsOf(run.outputs)).toHaveLength(6);
  });

  it('times out naming the last stage when the terminal event is dropped', async () => {
    const { inputs } = await world({ drop: ['build.approved'] });
    const run = await runAction(inputs({ 'timeout-minutes': '0.02' }));
    expect(run.exitCode).toBe(1);
    expect(run.outputs.outcome).toBe('timed-out');
    expect(run.stdout).toMatch(
      /::error::No outcome for build \S+ after 1 s; last stage: build\.distributing at \d\d:\d\d:\d\dZ/,
    );
  });

  it('with fail-on-timeout false, a timeout succeeds with outcome timed-out', async () => {
    const { inputs } = await world({ drop: ['build.approved'] });
    const run = await runAction(inputs({ 'timeout-minutes': '0.02', 'fail-on-timeout': 'false' }));
    expect(run.exitCode).toBe(0);
    expect(run.outputs.outcome).toBe('timed-out');
    expect(run.stdout).toContain('::warning::No outcome for build');
  });

  it('stops at submitted with wait-via none', async () => {
    const { inputs } = await world();
    const run = await runAction(inputs({ 'wait-via': 'none' }));
    expect(run.exitCode).toBe(0);
    expect(run.outputs.outcome).toBe('submitted');
    expect(run.outputs['upload-id']).toMatch(/.+/);
  });

  it('on a 401, says what to check and logs no secret', async () => {
    const { inputs } = await world();
    const run = await runAction(inputs({ 'api-key': API_KEYS.wrong }));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::401 from Streampixel: check api-key and user-id/);
    const leaks = visibleLines(run).filter((line) =>
      /sk-wrong-SECRET|presigned-bundle-secret|X-Amz-Signature/.test(line),
    );
    expect(leaks).toEqual([]);
    expect(run.stdout).toContain('::add-mask::sk-wrong-SECRET');
    expect(run.stdout).toContain('file-url: https://bucket.example/game.zip?…');
  });

  it('refuses bad inputs with one message listing every problem', async () => {
    const run = await runAction({
      'api-key': 'k',
      'user-id': 'u',
      command: 'deploy',
      'file-url': 'not a url',
    });
    expect(run.exitCode).toBe(1);
    const error = run.stdout.split('\n').find((line) => line.startsWith('::error::'));
    // wait-via defaults to bridge: its missing inputs are listed too, whatever else is wrong.
    expect(error).toContain("The action's inputs have 5 problems:");
    expect(error).toContain('bridge-url: is required with wait-via: bridge');
    expect(error).toContain('command: must be one of release, upload, distribute, wait, test-webhook');
    expect(error).toContain('project-id: is required');
    expect(error).toContain('file-url: must be an http(s) URL');
  });
});
