import { spawn, spawnSync } from 'node:child_process';
import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { shareCapturedOutput } from '../../scripts/captured-output.ts';
import { freePort } from '../../scripts/free-port.ts';
import { startSimulator, type Scenario } from '../../src/simulator/index.ts';
import { PIPELINE_EVENTS } from '../../src/streampixel/schemas.ts';
import { INPUT } from '../../src/release/inputs.ts';
import { OUTPUT } from '../../src/release/outputs.ts';
import { ACTION_ONLY_INPUTS } from '../../src/cli/flags.ts';
import { READ_TOKEN, startTestBridge } from '../support/bridge-world.ts';
import { findSecrets } from '../support/secret-scan.ts';
import { NOTIFY_TEST_OPTIONS, startNotifyEndpoint } from '../support/notify-endpoint.ts';
import { API_KEYS, BRIDGE_TOKENS, PRESIGNED_FILE_URLS, RECEIVER_PATHS } from '../support/secrets.ts';
import { FAST_STAGES } from '../support/fast-stages.ts';

// The committed dist/cli/index.js as a CI job runs it: a child process with flags and STREAMPIXEL_*
// variables only, against the simulator in real time (stage delays of a few milliseconds), waiting through
// its own receiver or a release bridge, or handing the build off to a bridge. Everything it prints goes
// through the suite's secret scan.

const BUNDLE = new URL('../../dist/cli/index.js', import.meta.url).pathname;
const API_KEY = API_KEYS.bundle;
const PRESIGNED = PRESIGNED_FILE_URLS.bundle;
const HANDOFF_TOKEN = BRIDGE_TOKENS.handoff;

interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs the built CLI with these arguments and variables, and nothing else from this process's environment. */
async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [BUNDLE, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  shareCapturedOutput('cli', () => `${stdout}\n${stderr}`);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { exitCode, stdout, stderr, elapsedMs: performance.now() - started };
}

/** util-linux `script` gives the CLI a pseudo-terminal, as a person's shell would. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

/** Runs the built CLI on a pseudo-terminal (stdout and stderr both reach it); flags come from `env`. */
async function runCliOnTerminal(command: string, env: Record<string, string>): Promise<CliRun> {
  const started = performance.now();
  // A pseudo-terminal with no terminal behind `script` starts with odd modes (CR shown as NL): set sane ones.
  const line = `stty sane columns 100; exec ${process.execPath} ${BUNDLE} ${command}`;
  const child = spawn('script', ['--quiet', '--return', '--command', line, '/dev/null'], {
    env: { PATH: process.env.PATH, TERM: 'xterm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  shareCapturedOutput('cli on a terminal', () => stdout);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { exitCode, stdout, stderr: '', elapsedMs: performance.now() - started };
}

/** The one JSON object --json prints: stdout must hold it and nothing else. */
function jsonOf(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.split('\n').filter(Boolean);
  expect(lines, run.stderr).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

const eventsOf = (json: Record<string, unknown>) =>
  (json[OUTPUT.events] as Array<{ event: string }>).map((entry) => entry.event);

/** The simulator posting to this run's receiver; `env` holds the secrets as a CI would pass them. */
async function receiverWorld(scenario: Scenario = {}, stageDelaysMs: Record<string, number> = FAST_STAGES) {
  const port = await freePort();
  const path = RECEIVER_PATHS.bundle;
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEY }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: `http://127.0.0.1:${port}${path}` }],
    stageDelaysMs,
    scenario,
  });
  onTestFinished(() => simulator.close());
  const env = { STREAMPIXEL_API_KEY: API_KEY, STREAMPIXEL_FILE_URL: PRESIGNED };
  const flags = [
    '--user-id',
    'user-1',
    '--project-id',
    'proj-1',
    '--wait-via',
    'receiver',
    '--receiver-port',
    String(port),
    '--receiver-path',
    path,
    '--api-base-url',
    simulator.url,
    '--timeout-minutes',
    '1',
  ];
  return { simulator, env, flags };
}

/** The simulator posting to a release bridge (SQLite, in this process) that the CLI reads. */
async function bridgeWorld(scenario: Scenario = {}) {
  const bridge = await startTestBridge();
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEY }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: bridge.hookUrl }],
    stageDelaysMs: FAST_STAGES,
    scenario,
  });
  onTestFinished(() => simulator.close());
  const env = {
    STREAMPIXEL_API_KEY: API_KEY,
    STREAMPIXEL_USER_ID: 'user-1',
    STREAMPIXEL_PROJECT_ID: 'proj-1',
    STREAMPIXEL_BRIDGE_URL: bridge.url,
    STREAMPIXEL_BRIDGE_TOKEN: READ_TOKEN,
    STREAMPIXEL_API_BASE_URL: simulator.url,
    STREAMPIXEL_TIMEOUT_MINUTES: '1',
  };
  return { simulator, bridge, env };
}

describe('dist/cli/index.js', () => {
  it('releases an approved build through its receiver: exit 0, the outputs as one JSON object', async () => {
    const { simulator, env, flags } = await receiverWorld();
    const run = await runCli(['release', ...flags, '--json'], env);

    expect(run.exitCode, run.stderr).toBe(0);
    const json = jsonOf(run);
    expect(json).toMatchObject({
      [OUTPUT.uploadId]: expect.stringMatching(/.+/),
      [OUTPUT.outcome]: 'approved',
      [OUTPUT.status]: 'Approved',
      [OUTPUT.shareUrl]: 'https://share.streampixel.io/proj-1',
      [OUTPUT.durationSeconds]: expect.any(Number),
    });
    expect(json).not.toHaveProperty('failure');
    expect(eventsOf(json)).toEqual([...PIPELINE_EVENTS]);
    expect(simulator.calls.map((call) => `${call.endpoint} ${call.status}`)).toEqual([
      'upload-file 200',
      'distribute-file 200',
    ]);
    // Logs on stderr: the settings (the presigned query hidden), each event as a line, the outcome.
    expect(run.stderr).toContain('file-url: https://bucket.example/game.zip?…');
    expect(run.stderr).toMatch(/^build\.uploaded \(pending\) at \S+$/m);
    expect(run.stderr).toMatch(/^Outcome: approved \(\d+ s\)$/m);
    expect(run.stderr).toContain('Live: https://share.streampixel.io/proj-1');
  });

  it('exits 1 for a rejection through the bridge, with the objection in the JSON', async () => {
    const { env } = await bridgeWorld({
      rejectAt: { event: 'build.saving', objection: 'Archive is not a Windows build' },
    });
    const run = await runCli(['release', '--file-url', PRESIGNED, '--json'], env);

    expect(run.exitCode, run.stderr).toBe(1);
    const json = jsonOf(run);
    expect(json).toMatchObject({
      outcome: 'rejected',
      objection: 'Archive is not a Windows build',
      status: 'Reject',
      failure: expect.stringContaining('Streampixel rejected build'),
    });
    expect(run.stderr).toMatch(/^error: Streampixel rejected build \S+: Archive is not a Windows build$/m);
  });

  it('with --fail-on-rejected false, a rejection exits 0 with a warning', async () => {
    const { env } = await bridgeWorld({ rejectAt: { event: 'build.extracting', objection: 'bad' } });
    const run = await runCli(
      ['release', '--file-url', PRESIGNED, '--fail-on-rejected', 'false', '--json'],
      env,
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(jsonOf(run).outcome).toBe('rejected');
    expect(run.stderr).toMatch(/^warning: Streampixel rejected build/m);
  });

  it('upload, then distribute and wait with its upload-id, through the bridge', async () => {
    const { simulator, env } = await bridgeWorld();
    const upload = await runCli(['upload', '--file-url', PRESIGNED, '--json'], env);
    expect(upload.exitCode, upload.stderr).toBe(0);
    const { outcome, 'upload-id': uploadId } = jsonOf(upload);
    expect(outcome).toBe('processed');

    const distribute = await runCli(['distribute', '--upload-id', String(uploadId), '--json'], env);
    expect(distribute.exitCode, distribute.stderr).toBe(0);
    expect(jsonOf(distribute)).toMatchObject({ outcome: 'approved', 'upload-id': uploadId });

    const wait = await runCli(['wait', '--upload-id', String(uploadId), '--json'], env);
    expect(wait.exitCode, wait.stderr).toBe(0);
    expect(jsonOf(wait).outcome).toBe('approved');
    expect(simulator.calls.map((call) => call.endpoint)).toEqual(['upload-file', 'distribute-file']);
  });

  it('test-webhook through the bridge exits 0 with outcome test-delivered', async () => {
    const { env } = await bridgeWorld();
    const run = await runCli(['test-webhook', '--json'], env);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(jsonOf(run).outcome).toBe('test-delivered');
  });

  it('exits 2 when no outcome comes before --timeout-minutes, and says how to keep waiting', async () => {
    const { env, flags } = await receiverWorld({ drop: ['build.approved'] });
    const run = await runCli(['release', ...flags, '--timeout-minutes', '0.02', '--json'], env);

    expect(run.exitCode, run.stderr).toBe(2);
    const json = jsonOf(run);
    expect(json.outcome).toBe('timed-out');
    expect(run.stderr).toMatch(
      /^error: No outcome for build \S+ after 1 s; last stage: build\.distributing/m,
    );
    expect(run.stderr).toContain(
      `To keep waiting: streampixel-release wait --upload-id ${json['upload-id']}`,
    );
  });

  it('with --fail-on-timeout false (bare flag rewritten false), a timeout exits 0', async () => {
    const { env, flags } = await receiverWorld({ drop: ['build.approved'] });
    const run = await runCli(
      ['release', ...flags, '--timeout-minutes', '0.02', '--fail-on-timeout=false'],
      env,
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^warning: No outcome for build/m);
    expect(run.stdout).toBe('');
  });

  it('exits 3 when Streampixel refuses the key: no outcome, nothing secret printed', async () => {
    const { env, flags } = await receiverWorld();
    const run = await runCli(['release', ...flags, '--api-key', API_KEYS.wrong, '--json'], env);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/^error: 401 from Streampixel: check api-key and user-id/m);
    expect(jsonOf(run)).toMatchObject({ failure: expect.stringContaining('401 from Streampixel') });
    expect(run.stderr).not.toContain(API_KEYS.wrong);
  });

  it('exits 64 listing every problem of the flags and variables at once, and sends nothing', async () => {
    const run = await runCli(
      [
        'deploy',
        'extra',
        '--bogus',
        '--apikey=sk-typo',
        '--file-url',
        'not a url',
        '--timeout-minutes',
        'abc',
        '--environment',
        'production',
        '--json',
      ],
      { STREAMPIXEL_API_KEY: API_KEY, STREAMPIXEL_WAIT_VIA: 'carrier-pigeon' },
    );
    expect(run.exitCode).toBe(64);
    const problems = run.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(run.stderr).toContain(`error: ${problems.length} problems with the flags and variables:`);
    expect(problems).toEqual([
      '  - --bogus: is not a flag of streampixel-release',
      '  - --apikey: is not a flag of streampixel-release (did you mean --api-key?)',
      '  - argument 2: only one command is taken (flags are written --name <value>)',
      '  - --environment (STREAMPIXEL_ENVIRONMENT): GitHub Deployments are made by the action only; remove it',
      '  - <command> (first argument, or STREAMPIXEL_COMMAND): must be one of release, upload, distribute, wait, test-webhook',
      '  - --file-url (STREAMPIXEL_FILE_URL): must be an http(s) URL',
      '  - --wait-via (STREAMPIXEL_WAIT_VIA): must be one of bridge, receiver, handoff, none',
      '  - --timeout-minutes (STREAMPIXEL_TIMEOUT_MINUTES): must be a number of minutes, written as a plain decimal number',
      '  - --user-id (STREAMPIXEL_USER_ID): is required (your Streampixel user id)',
      '  - --project-id (STREAMPIXEL_PROJECT_ID): is required (the Streampixel project to publish to)',
    ]);
    expect(run.stderr).not.toContain('sk-typo');
    expect(jsonOf(run).failure).toMatch(/^10 problems with the flags and variables: --bogus/);
  });

  it('without a command, says so instead of checking the rules of a command never chosen', async () => {
    const run = await runCli([
      '--api-key',
      API_KEY,
      '--user-id',
      'u',
      '--project-id',
      'p',
      '--wait-via',
      'none',
    ]);
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toContain(
      '  - <command> (first argument, or STREAMPIXEL_COMMAND): is required: one of release, upload, distribute, wait, test-webhook',
    );
    expect(run.stderr).not.toContain('file-url');
  });

  it('flags win over STREAMPIXEL_* variables; a variable alone is used', async () => {
    const { simulator, env, flags } = await receiverWorld();
    const run = await runCli(['release', ...flags, '--wait-via', 'none', '--json'], {
      ...env,
      // Both overridden by flags: the world names proj-1, and the last --wait-via (none) wins over the
      // world's receiver and this bridge.
      STREAMPIXEL_PROJECT_ID: 'proj-other',
      STREAMPIXEL_WAIT_VIA: 'bridge',
      // Only from the environment (no flag): the command's --user-id flag is in `flags`, the key is not.
      STREAMPIXEL_AUTO_RELEASE: 'true',
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(jsonOf(run)).toMatchObject({
      outcome: 'submitted',
      'share-url': 'https://share.streampixel.io/proj-1',
    });
    expect(simulator.calls).toHaveLength(1);
    expect(simulator.calls[0]!.body).toMatchObject({ projectId: 'proj-1', autoRelease: true });
  });

  it('--help prints every flag with its variable on stdout and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    for (const name of Object.values(INPUT)) {
      if (name === INPUT.command || ACTION_ONLY_INPUTS.includes(name)) continue;
      const variable = `STREAMPIXEL_${name.toUpperCase().replaceAll('-', '_')}`;
      expect(run.stdout).toMatch(new RegExp(`^  --${name} <\\w+>\\s+${variable}\\b`, 'm'));
    }
    expect(run.stdout).toMatch(/^ {2}64 {3}flags or variables with problems/m);
  });

  it('off a terminal: heartbeat lines and one line per event, no live line', async () => {
    // A slow last stage leaves room for heartbeats one second apart.
    const { env, flags } = await receiverWorld({}, { ...FAST_STAGES, 'build.approved': 2_600 });
    const run = await runCli(['release', ...flags, '--heartbeat-seconds', '1'], env);

    expect(run.exitCode, run.stderr).toBe(0);
    const beats = run.stderr.match(/^Waiting: build\.distributing for \d+ (ms|s); \d+ s left$/gm) ?? [];
    expect(beats.length, run.stderr).toBeGreaterThanOrEqual(2);
    for (const event of PIPELINE_EVENTS)
      expect(run.stderr).toMatch(new RegExp(`^${event.replace('.', '\\.')} \\([^)]*\\) at `, 'm'));
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).not.toContain('elapsed');
  });

  it('prints no test secret on stdout or stderr, given by flags or by variables', async () => {
    // One world each: the simulator's rate limit would hold a second upload back for two minutes.
    const byFlagsWorld = await receiverWorld();
    const byEnvWorld = await receiverWorld();
    const byFlags = await runCli([
      'release',
      ...byFlagsWorld.flags,
      '--api-key',
      API_KEY,
      '--file-url',
      PRESIGNED,
      '--verbose',
      '--json',
    ]);
    const byEnv = await runCli(['release', ...byEnvWorld.flags, '--verbose', '--json'], byEnvWorld.env);
    for (const run of [byFlags, byEnv]) {
      expect(run.exitCode, run.stderr).toBe(0);
      expect(findSecrets('cli', `${run.stdout}\n${run.stderr}`)).toEqual([]);
    }
  });

  it.skipIf(!HAS_SCRIPT)(
    'on a terminal: a live line with the stage and elapsed time, rewritten in place and cleared',
    async () => {
      const { env, flags } = await receiverWorld({}, { ...FAST_STAGES, 'build.approved': 2_600 });
      const variables: Record<string, string> = { ...env };
      for (let index = 0; index < flags.length; index += 2) {
        variables[`STREAMPIXEL_${flags[index]!.slice(2).toUpperCase().replaceAll('-', '_')}`] =
          flags[index + 1]!;
      }
      const run = await runCliOnTerminal('release', variables);

      expect(run.exitCode, run.stdout).toBe(0);
      const CLEAR = '\r\x1b[2K';
      const redraws = run.stdout.split(CLEAR).filter((part) => /elapsed/.test(part));
      // Twice a second over the 2.6 s stage: each one the stage, the time elapsed, in stage, and left.
      expect(redraws.length, run.stdout).toBeGreaterThanOrEqual(4);
      expect(
        redraws.some((part) =>
          /^\S build\.distributing · 0:0[12] elapsed · 0:0\d in stage · 0:5\d left/.test(part),
        ),
      ).toBe(true);
      // Cleared at the end: the outcome comes after the last redraw, on a line of its own, and no live line is left.
      const afterLast = run.stdout.slice(run.stdout.lastIndexOf('elapsed'));
      expect(afterLast).toMatch(/^elapsed[^\n]*\r\x1b\[2KOutcome: approved \(\d+ s\)\r?\n/);
      expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Live: /);
      // Events are still printed as lines above it.
      expect(run.stdout).toMatch(/build\.approved \(Approved\) at /);
    },
  );

  it('on SIGTERM, exits 143 naming the build to wait for', async () => {
    const { env, flags } = await receiverWorld({}, { ...FAST_STAGES, 'build.approved': 60_000 });
    const child = spawn(process.execPath, [BUNDLE, 'release', ...flags, '--json'], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // Once: a second signal ends the process at once, as a second Ctrl-C would.
      if (/^build\.distributing /m.test(stderr) && !child.killed) child.kill('SIGTERM');
    });
    shareCapturedOutput('cli', () => `${stdout}\n${stderr}`);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(exitCode, stderr).toBe(143);
    const json = jsonOf({ exitCode, stdout, stderr, elapsedMs: 0 });
    expect(json.failure).toBe(
      `Interrupted (SIGTERM) while build ${json['upload-id']} was on its way; follow it with: ` +
        `streampixel-release wait --upload-id ${json['upload-id']}`,
    );
  });
});

/**
 * wait-via handoff from other CI: the simulator posts to a release bridge that has BRIDGE_HANDOFF_TOKEN, and
 * notifies a loopback endpoint once it has the outcome. `approvedAfterMs` holds the approval back so the CLI
 * can be seen ending before it.
 */
async function handoffWorld(approvedAfterMs = 5) {
  const notify = await startNotifyEndpoint();
  const bridge = await startTestBridge(
    { BRIDGE_HANDOFF_TOKEN: HANDOFF_TOKEN },
    { handoffWorker: { intervalMs: 50 }, handoffNotify: NOTIFY_TEST_OPTIONS },
  );
  const simulator = await startSimulator({
    users: [{ userId: 'user-1', apiKey: API_KEY }],
    projects: [{ projectId: 'proj-1', userId: 'user-1', webhookUrl: bridge.hookUrl }],
    stageDelaysMs: { ...FAST_STAGES, 'build.approved': approvedAfterMs },
  });
  onTestFinished(() => simulator.close());
  const env = {
    STREAMPIXEL_API_KEY: API_KEY,
    STREAMPIXEL_USER_ID: 'user-1',
    STREAMPIXEL_PROJECT_ID: 'proj-1',
    STREAMPIXEL_WAIT_VIA: 'handoff',
    STREAMPIXEL_BRIDGE_URL: bridge.url,
    STREAMPIXEL_BRIDGE_TOKEN: READ_TOKEN,
    STREAMPIXEL_API_BASE_URL: simulator.url,
    STREAMPIXEL_TIMEOUT_MINUTES: '1',
  };
  const status = async (id: string) => {
    const response = await request(`${bridge.url}/v1/handoffs/${id}`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    return (await response.body.json()) as Record<string, unknown>;
  };
  return { simulator, bridge, notify, env, status };
}

describe('dist/cli/index.js --wait-via handoff (other CI: the bridge notifies, nothing on GitHub)', () => {
  it('exits 0 at once with handed-off, its handoff-id and upload-id; the bridge finishes with the notification', async () => {
    const { simulator, notify, env, status } = await handoffWorld(3_000);
    // The token as a flag, with --verbose: the worst case for a leak.
    const run = await runCli(
      [
        'release',
        '--file-url',
        PRESIGNED,
        '--handoff-token',
        HANDOFF_TOKEN,
        '--notify-url',
        notify.url,
        '--notify-on',
        'approved,rejected',
        '--notify-format',
        'json',
        '--verbose',
        '--json',
      ],
      env,
    );

    expect(run.exitCode, run.stderr).toBe(0);
    const json = jsonOf(run);
    const handoffId = String(json[OUTPUT.handoffId]);
    expect(json).toMatchObject({
      [OUTPUT.outcome]: 'handed-off',
      [OUTPUT.handoffId]: expect.stringMatching(/^[0-9a-f-]{36}$/),
      [OUTPUT.uploadId]: expect.any(String),
    });
    expect(json.failure).toBeUndefined();
    expect(run.stderr).toMatch(/^Outcome: handed-off \(\d+ s\)$/m);
    expect(run.stderr).toContain(`Handed off to the release bridge: handoff ${handoffId}`);
    expect(run.stderr).toContain(
      `State (with the read token): ${env.STREAMPIXEL_BRIDGE_URL}/v1/handoffs/${handoffId}`,
    );
    expect(findSecrets('cli', `${run.stdout}\n${run.stderr}`)).toEqual([]);
    // Handed off while Streampixel still works: the approval comes later, and reaches only the bridge.
    expect(simulator.calls.map((call) => call.endpoint)).toEqual(['upload-file']);
    expect(await status(handoffId)).toMatchObject({ state: 'following', repository: null });

    await expect.poll(async () => (await status(handoffId))['outcome'], { timeout: 15_000 }).toBe('approved');
    expect(notify.received).toEqual([
      expect.objectContaining({
        outcome: 'approved',
        subject: json[OUTPUT.uploadId],
        shareUrl: 'https://share.streampixel.io/proj-1',
      }),
    ]);
  });

  it('distribute hands off too, with the token from STREAMPIXEL_HANDOFF_TOKEN', async () => {
    const { simulator, env, status } = await handoffWorld();
    const upload = await runCli(['upload', '--file-url', PRESIGNED, '--wait-via', 'bridge', '--json'], env);
    expect(upload.exitCode, upload.stderr).toBe(0);
    const uploadId = String(jsonOf(upload)[OUTPUT.uploadId]);

    const run = await runCli(['distribute', '--upload-id', uploadId, '--json'], {
      ...env,
      STREAMPIXEL_HANDOFF_TOKEN: HANDOFF_TOKEN,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const json = jsonOf(run);
    expect(json).toMatchObject({ outcome: 'handed-off', 'upload-id': uploadId });
    expect(simulator.calls.map((call) => call.endpoint)).toEqual(['upload-file', 'distribute-file']);
    await expect
      .poll(async () => (await status(String(json[OUTPUT.handoffId])))['outcome'], { timeout: 15_000 })
      .toBe('approved');
  });

  it('a wrong handoff token is found before anything is sent: exit 3, nothing uploaded, the token never printed', async () => {
    const { simulator, env } = await handoffWorld();
    const run = await runCli(['release', '--file-url', PRESIGNED, '--json'], {
      ...env,
      STREAMPIXEL_HANDOFF_TOKEN: BRIDGE_TOKENS.wrongHandoff,
    });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(jsonOf(run).failure).toMatch(
      /^the release bridge refused the handoff token \(401: unauthorized: .*BRIDGE_HANDOFF_TOKEN.*\. Nothing was sent to Streampixel\.$/,
    );
    expect(simulator.calls).toEqual([]);
    expect(findSecrets('cli', `${run.stdout}\n${run.stderr}`)).toEqual([]);
  });

  it.each<[string, string[], Record<string, string>, string]>([
    [
      'without a handoff token',
      ['release'],
      {},
      "  - --handoff-token (STREAMPIXEL_HANDOFF_TOKEN): is required with wait-via handoff (the bridge's BRIDGE_HANDOFF_TOKEN, from a secret)",
    ],
    [
      'with a GitHub Deployment',
      ['release', '--environment', 'production'],
      { STREAMPIXEL_HANDOFF_TOKEN: HANDOFF_TOKEN },
      '  - --environment (STREAMPIXEL_ENVIRONMENT): GitHub Deployments are made by the action only; remove it',
    ],
    [
      'with a dispatch',
      ['release', '--dispatch-on-outcome', 'true'],
      { STREAMPIXEL_HANDOFF_TOKEN: HANDOFF_TOKEN },
      "  - --dispatch-on-outcome (STREAMPIXEL_DISPATCH_ON_OUTCOME): the CLI's handoff has no GitHub repository: the bridge only notifies (the action dispatches); remove it",
    ],
    [
      'for command wait',
      ['wait', '--upload-id', 'up-1'],
      { STREAMPIXEL_HANDOFF_TOKEN: HANDOFF_TOKEN },
      '  - --wait-via (STREAMPIXEL_WAIT_VIA): cannot be handoff for command wait: waiting is all it does: use wait-via bridge',
    ],
  ])('is refused %s: exit 64, nothing sent', async (_name, args, extraEnv, problem) => {
    const port = await freePort();
    const run = await runCli([...args, '--json'], {
      STREAMPIXEL_API_KEY: API_KEY,
      STREAMPIXEL_USER_ID: 'user-1',
      STREAMPIXEL_PROJECT_ID: 'proj-1',
      STREAMPIXEL_FILE_URL: args[0] === 'release' ? PRESIGNED : '',
      STREAMPIXEL_WAIT_VIA: 'handoff',
      // Nothing listens there: a run that sent anything would fail otherwise than with 64.
      STREAMPIXEL_BRIDGE_URL: `http://127.0.0.1:${port}`,
      STREAMPIXEL_BRIDGE_TOKEN: READ_TOKEN,
      STREAMPIXEL_API_BASE_URL: `http://127.0.0.1:${port}`,
      ...extraEnv,
    });
    expect(run.exitCode, run.stderr).toBe(64);
    expect(run.stderr.split('\n')).toContain(problem);
    expect(run.stderr).toContain('Nothing was sent.');
    expect(findSecrets('cli', `${run.stdout}\n${run.stderr}`)).toEqual([]);
  });
});
