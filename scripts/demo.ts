// `npm run demo`: the whole story on one machine. The simulator stands in for Streampixel and posts its
// webhooks to the release bridge (the built bundle, as its own process, on an embedded SQLite file); the
// built action runs exactly as a runner runs it: `node dist/action/index.js` with INPUT_* variables and
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Three releases: approved and rejected through the bridge, then
// one through the short-lived receiver that self-hosted runners can use instead; then the chained pipeline:
// a BuildPixel cloud build (signed webhooks, verified by the bridge) whose artifact is released to Streampixel;
// last, a release handed off to the bridge (DESIGN §10): the step ends while Streampixel is still working,
// and the bridge, acting as a GitHub App on the loopback GitHub simulator, records the Deployment's status
// later. Each job summary is saved under .demo/ for a person to open.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timelineRows } from '../src/action/summary.ts';
import {
  startGitHubSimulator,
  SIMULATED_REPOSITORY,
  type GitHubSimulator,
} from '../src/simulator/github/index.ts';
import type { RecordedCall } from '../src/simulator/github/fake-github.ts';
import {
  DEFAULT_STAGE_DELAYS_MS,
  DEMO_API_KEY,
  DEMO_PROJECT_ID,
  DEMO_USER_ID,
  startSimulator,
  type Scenario,
} from '../src/simulator/index.ts';
import { createProviderSender } from '../src/simulator/providers/sender.ts';
import type { TimelineEntry } from '../src/wait/types.ts';
import { BRIDGE_BUNDLE, startBridgeProcess, type BridgeProcess } from './bridge-process.ts';
import { BUNDLE, runAction, type ActionRun } from './run-action.ts';
import { freePort } from './free-port.ts';

const root = new URL('..', import.meta.url).pathname;

/** Newest modification time under a folder. */
function newest(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    }),
  );
}

/** Whether src/ matches the last commit, whose dist/ CI has checked against a fresh build. */
function sourcesCommitted(): boolean {
  try {
    execFileSync('git', ['diff', '--quiet', 'HEAD', '--', 'src'], { cwd: root, stdio: 'ignore' });
    return (
      execFileSync('git', ['ls-files', '--others', '--exclude-standard', 'src'], { cwd: root }).length === 0
    );
  } catch {
    return false;
  }
}

function buildIfNeeded(): void {
  const bundles = [BUNDLE, BRIDGE_BUNDLE];
  if (bundles.every((file) => existsSync(file))) {
    if (sourcesCommitted()) return;
    const sources = newest(join(root, 'src'));
    if (bundles.every((file) => statSync(file).mtimeMs >= sources)) return;
  }
  console.log('Building dist/ (the sources changed since the bundles were built)…');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}

/** The runner's workflow commands, shown the way the Actions log renders them (masked values as ***). */
function render(stdout: string): string {
  const lines = stdout.split('\n');
  const masked = lines
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length))
    .filter(Boolean);
  return lines
    .filter((line) => line && !line.startsWith('::add-mask::') && !line.startsWith('::endgroup::'))
    .map((line) => masked.reduce((text, secret) => text.replaceAll(secret, '***'), line))
    .map((line) =>
      line
        .replace(/^::group::(.*)$/, '▸ $1')
        .replace(/^::error::(.*)$/, '✖ Error: $1')
        .replace(/^::warning::(.*)$/, '⚠ Warning: $1')
        .replace(/^::debug::.*$/, ''),
    )
    .filter(Boolean)
    .map((line) => `    ${line}`)
    .join('\n');
}

function printResult(run: ActionRun): void {
  const events = JSON.parse(run.outputs.events ?? '[]') as TimelineEntry[];
  // A handed-off step waits for no event: its timeline is the bridge's, printed by the story itself.
  if (events.length > 0) console.log('\n  Timeline');
  for (const [event, status, time, spent] of timelineRows(events)) {
    console.log(`    ${time}  ${event!.padEnd(20)} ${status!.padEnd(24)} ${spent}`);
  }
  console.log(`\n  Exit code: ${run.exitCode}   Outcome: ${run.outputs.outcome ?? '(none)'}`);
  console.log('  Outputs');
  for (const [name, value] of Object.entries(run.outputs)) {
    if (name !== 'events') console.log(`    ${name.padEnd(17)} ${value}`);
  }
  console.log(`    ${'events'.padEnd(17)} ${events.length} entries (JSON)`);
}

// Streampixel's pipeline takes minutes; the demo runs it 30 times faster, with the same stage delays in every
// story, so the runner times of a waited and a handed-off release compare.
const TIME_SCALE = 1 / 30;
const INGEST_TOKEN = 'demo-ingest-token-9f2c1e7a';
const READ_TOKEN = 'demo-read-token-4b8d0c3e';
const BUILDPIXEL_SECRET = 'demo-buildpixel-signing-secret';
const SUMMARIES = join(root, '.demo', 'summaries');

/** Keeps a run's job summary as a file a person can open; prints where. */
function saveSummary(name: string, run: ActionRun): void {
  mkdirSync(SUMMARIES, { recursive: true });
  const file = join(SUMMARIES, `${name}.md`);
  writeFileSync(file, run.summary);
  console.log(`  Job summary saved: ${file}`);
}

type Via = { kind: 'bridge'; bridge: BridgeProcess } | { kind: 'receiver' };

async function scenario(
  title: string,
  scene: Scenario,
  via: Via,
  fileUrl = 'https://builds.example.com/MyGame-Win64.zip?X-Amz-Signature=not-shown-in-logs',
): Promise<ActionRun> {
  const port = await freePort();
  const path = '/hooks/demo-receiver-secret';
  const webhookUrl =
    via.kind === 'bridge'
      ? `${via.bridge.url}/hooks/streampixel/${INGEST_TOKEN}`
      : `http://127.0.0.1:${port}${path}`;
  const simulator = await startSimulator({
    users: [{ userId: DEMO_USER_ID, apiKey: DEMO_API_KEY }],
    projects: [{ projectId: DEMO_PROJECT_ID, userId: DEMO_USER_ID, webhookUrl }],
    timeScale: TIME_SCALE,
    scenario: scene,
  });
  try {
    console.log(`\n━━ ${title} ━━`);
    console.log(
      via.kind === 'bridge'
        ? `  Simulator at ${simulator.url} posts to the release bridge at ${via.bridge.url} (SQLite); the action long-polls it\n`
        : `  Simulator at ${simulator.url} posts to the action's own receiver on port ${port}\n`,
    );
    const waitInputs: Record<string, string> =
      via.kind === 'bridge'
        ? { 'wait-via': 'bridge', 'bridge-url': via.bridge.url, 'bridge-token': READ_TOKEN }
        : { 'wait-via': 'receiver', 'receiver-port': String(port), 'receiver-path': path };
    const run = await runAction({
      command: 'release',
      'api-key': DEMO_API_KEY,
      'user-id': DEMO_USER_ID,
      'project-id': DEMO_PROJECT_ID,
      'file-url': fileUrl,
      'api-base-url': simulator.url,
      'timeout-minutes': '5',
      ...waitInputs,
    });
    console.log(render(run.stdout));
    printResult(run);
    saveSummary(title.split('.')[0] ?? 'run', run);
    return run;
  } finally {
    await simulator.close();
  }
}

/**
 * examples/buildpixel-to-streampixel.yml: a job waits for a BuildPixel build whose signed webhooks reach the
 * bridge, then releases the artifact URL it hands on. Returns both steps' exit codes.
 */
async function buildThenRelease(bridge: BridgeProcess): Promise<Array<number | null>> {
  const buildId = '65f2a1b3c4d5e6f708192a3b';
  console.log(
    '\n━━ 4. A BuildPixel build, then its artifact released to Streampixel (through the bridge) ━━',
  );
  console.log(`  BuildPixel posts signed webhooks to the bridge; the action waits for build ${buildId}\n`);
  const buildpixel = createProviderSender({
    url: `${bridge.url}/hooks/buildpixel/${INGEST_TOKEN}`,
    credentials: { provider: 'buildpixel', secret: BUILDPIXEL_SECRET },
    timeScale: TIME_SCALE,
  });
  try {
    const waiting = runAction({
      command: 'wait',
      provider: 'buildpixel',
      subject: buildId,
      'bridge-url': bridge.url,
      'bridge-token': READ_TOKEN,
      'timeout-minutes': '5',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A cloud build takes minutes; here half a minute of BuildPixel's time passes between its events.
    await buildpixel.playUnit(buildId, 'success', 30_000);
    const build = await waiting;
    console.log(render(build.stdout));
    printResult(build);
    saveSummary('4a', build);
    const artifact = build.outputs['artifact-url'];
    if (!artifact) return [build.exitCode, null];
    const release = await scenario(
      '4b. The artifact of that build, released to Streampixel',
      {},
      { kind: 'bridge', bridge },
      artifact,
    );
    return [build.exitCode, release.exitCode];
  } finally {
    await buildpixel.close();
  }
}

const STATUSES = 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses';
const DISPATCHES = 'POST /repos/{owner}/{repo}/dispatches';
/** The job's GITHUB_TOKEN (the loopback GitHub takes any); masked by the action like a real one. */
const JOB_GITHUB_TOKEN = 'ghs_demo-job-token-not-a-real-one';
/** Streampixel's stages in the order it sends them (an approved release). */
const STAGES = Object.keys(DEFAULT_STAGE_DELAYS_MS);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One call to the loopback GitHub, as a person reads it; tokens never appear in a recorded call. */
function describeCall(call: RecordedCall): string {
  const body = (call.body ?? {}) as Record<string, unknown>;
  const { owner, repo, deployment_id: deployment } = call.params;
  switch (call.route) {
    case 'POST /repos/{owner}/{repo}/deployments':
      return `Deployment created for ${String(body.environment)} (${owner}/${repo})`;
    case STATUSES:
      return [
        `Deployment ${deployment} status ${String(body.state)}`,
        body.environment_url ? String(body.environment_url) : '',
        body.description ? `"${String(body.description)}"` : '',
      ]
        .filter(Boolean)
        .join('  ');
    case 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses':
      return `Deployment ${deployment}'s statuses read back (its final one is set only once)`;
    case 'GET /repos/{owner}/{repo}/installation':
      return `the App (its JWT) looks up its installation on ${owner}/${repo}`;
    case 'POST /app/installations/{installation_id}/access_tokens':
      return 'the App gets an installation token for that repository';
    case DISPATCHES: {
      const payload = (body.client_payload ?? {}) as Record<string, unknown>;
      return `repository_dispatch ${String(body.event_type)}: outcome ${String(payload.outcome)}, deployment ${String(payload.deploymentId)}`;
    }
    default:
      return `${call.method} ${call.path}`;
  }
}

/**
 * examples/release-handoff.yml's job: `wait-via: handoff` with a Deployment and a repository_dispatch. The step ends
 * once the build is registered with the bridge; the bridge, acting as a GitHub App, finishes the release on
 * the loopback GitHub later. Prints both sides on one clock and the runner time beside `waited`'s.
 */
async function handOff(
  bridge: BridgeProcess,
  github: GitHubSimulator,
  waited: ActionRun,
): Promise<{ exitCode: number | null; finished: boolean }> {
  const simulator = await startSimulator({
    users: [{ userId: DEMO_USER_ID, apiKey: DEMO_API_KEY }],
    projects: [
      {
        projectId: DEMO_PROJECT_ID,
        userId: DEMO_USER_ID,
        webhookUrl: `${bridge.url}/hooks/streampixel/${INGEST_TOKEN}`,
      },
    ],
    timeScale: TIME_SCALE,
  });
  // Both sides on one clock, as each arrives: Streampixel's webhooks at the bridge and every call GitHub
  // receives, the job's while its step runs, the bridge's after.
  const happenings: Array<{ at: number; duringStep: boolean; who: string; what: string }> = [];
  let stepRunning = true;
  const record = (who: string, what: string) =>
    happenings.push({ at: Date.now(), duringStep: stepRunning, who, what });
  const stopListening = [
    simulator.on('delivery', (delivery) => {
      if (delivery.source === 'pipeline') record('Streampixel → bridge', delivery.envelope.event);
    }),
    github.api.onCall((call) => record(stepRunning ? 'job → GitHub' : 'bridge → GitHub', describeCall(call))),
  ];
  try {
    console.log('\n━━ 5. A release handed off to the bridge: the step ends, the bridge finishes it later ━━');
    console.log(
      `  Simulator at ${simulator.url} posts to the release bridge at ${bridge.url}; the job proves it is ` +
        `${SIMULATED_REPOSITORY} with an OIDC token from a loopback issuer, and the bridge acts as a GitHub App ` +
        `(a key made for this run) on a loopback GitHub at ${github.api.url}\n`,
    );
    const started = Date.now();
    const run = await runAction(
      {
        command: 'release',
        'api-key': DEMO_API_KEY,
        'user-id': DEMO_USER_ID,
        'project-id': DEMO_PROJECT_ID,
        'file-url': 'https://builds.example.com/MyGame-Win64.zip?X-Amz-Signature=not-shown-in-logs',
        'api-base-url': simulator.url,
        'timeout-minutes': '5',
        'wait-via': 'handoff',
        'bridge-url': bridge.url,
        'bridge-token': READ_TOKEN,
        environment: 'production',
        'github-token': JOB_GITHUB_TOKEN,
        'dispatch-on-outcome': 'true',
      },
      BUNDLE,
      github.runnerEnv(),
    );
    const ended = Date.now();
    stepRunning = false;
    const build = simulator.builds.get(run.outputs['upload-id'] ?? '');
    const stage = build?.lastEvent ?? 'nothing yet';
    const toCome = STAGES.slice(build?.lastEvent ? STAGES.indexOf(build.lastEvent) + 1 : 0);
    console.log(render(run.stdout));
    printResult(run);
    saveSummary('5', run);
    if (run.outputs.outcome !== 'handed-off') return { exitCode: run.exitCode, finished: false };

    const since = (from: number, at: number) => `${at >= from ? '+' : ''}${seconds(at - from)}`.padStart(8);
    const line = (from: number, { at, who, what }: (typeof happenings)[number]) =>
      `    ${since(from, at)}  ${who.padEnd(21)} ${what}`;
    console.log('\n  While the step ran (seconds since it started)');
    for (const happening of happenings.filter((entry) => entry.duringStep))
      console.log(line(started, happening));
    console.log(
      `\n  ✔ The step ended after ${seconds(run.elapsedMs)} (outcome handed-off). Streampixel is still working: ` +
        `it has reached ${stage} (${build?.state ?? 'unknown'}), with ${toCome.join(', ')} to come`,
    );

    // The bridge finishes the release once Streampixel's outcome arrives: the Deployment status, then the dispatch.
    const status = await github.api.waitForCall(
      STATUSES,
      (call) => (call.body as { state?: string } | null)?.state !== 'in_progress',
      { timeoutMs: 30_000 },
    );
    await github.api.waitForCall(DISPATCHES, () => true, { timeoutMs: 10_000 });
    console.log('\n  After the step ended (seconds since it ended; the runner is free)');
    for (const happening of happenings.filter((entry) => !entry.duringStep))
      console.log(line(ended, happening));
    const handoff = await finishedHandoff(bridge, run.outputs['handoff-id'] ?? '');
    console.log(
      `\n  Handoff ${run.outputs['handoff-id']} at the bridge (GET /v1/handoffs/<id>): ${handoff.state}, outcome ${handoff.outcome}`,
    );
    const state = (status.body as { state?: string }).state;
    const simulated = Object.values(DEFAULT_STAGE_DELAYS_MS).reduce((sum, ms) => sum + ms, 0);
    console.log(
      `\n  Runner time, same stage delays (${simulated / 1000} s of Streampixel's time, played ${1 / TIME_SCALE}× faster): ` +
        `handed off ${seconds(run.elapsedMs)}, waited ${seconds(waited.elapsedMs)} (story 1). ` +
        "A waited step holds its runner for all of Streampixel's time; a handed-off one for none of it.",
    );
    return { exitCode: run.exitCode, finished: state === 'success' && handoff.state === 'finished' };
  } finally {
    for (const stop of stopListening) stop();
    await simulator.close();
  }
}

/** The bridge's view of a handoff once it has finished (it marks it so right after its GitHub calls). */
async function finishedHandoff(
  bridge: BridgeProcess,
  id: string,
): Promise<{ state: string; outcome: string }> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(`${bridge.url}/v1/handoffs/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    const handoff = (await response.json()) as { state: string; outcome: string };
    if (handoff.state === 'finished' || attempt >= 100) return handoff;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

buildIfNeeded();
const github = await startGitHubSimulator();
const bridgePort = await freePort();
const dataDir = mkdtempSync(join(tmpdir(), 'streampixel-demo-'));
const bridge = await startBridgeProcess({
  BRIDGE_PORT: String(bridgePort),
  BRIDGE_HOST: '127.0.0.1',
  BRIDGE_DATABASE: join(dataDir, 'release-bridge.db'),
  BRIDGE_INGEST_TOKEN: INGEST_TOKEN,
  BRIDGE_READ_TOKEN: READ_TOKEN,
  BRIDGE_LOG_LEVEL: 'warn',
  BRIDGE_BUILDPIXEL_SECRETS: BUILDPIXEL_SECRET,
  // Handoff (DESIGN §10): the audience of the jobs' OIDC tokens is this URL, so the port is chosen first.
  BRIDGE_PUBLIC_URL: `http://127.0.0.1:${bridgePort}`,
  BRIDGE_GITHUB_REPOS: SIMULATED_REPOSITORY,
  BRIDGE_OIDC_ISSUER: github.issuer.issuer,
  BRIDGE_GITHUB_API_URL: github.api.url,
  BRIDGE_GITHUB_APP_ID: '12345',
  // The App's private key, made for this run and handed only to the bridge process.
  BRIDGE_GITHUB_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  }) as string,
});
let codes: Array<number | null> = [];
let finished = false;
try {
  const viaBridge: Via = { kind: 'bridge', bridge };
  const approved = await scenario('1. A build that goes live (through the release bridge)', {}, viaBridge);
  const rejected = await scenario(
    '2. A build Streampixel rejects (through the release bridge)',
    {
      rejectAt: {
        event: 'build.extracting',
        objection: 'No executable found in the archive (is this a Windows build?)',
      },
    },
    viaBridge,
  );
  const received = await scenario(
    '3. The same release through the short-lived receiver',
    {},
    { kind: 'receiver' },
  );
  const chained = await buildThenRelease(bridge);
  const handedOff = await handOff(bridge, github, approved);
  codes = [approved.exitCode, rejected.exitCode, received.exitCode, ...chained, handedOff.exitCode];
  finished = handedOff.finished;
} finally {
  await bridge.stop();
  await github.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const asExpected = codes.join() === '0,1,0,0,0,0' && finished;
console.log(
  asExpected
    ? '\nDemo finished: the approved releases passed, the rejected one failed its step, and the handed-off one ' +
        'was finished by the bridge, as they should.'
    : `\nDemo went wrong: expected exit codes 0, 1, 0, 0, 0, 0 and the handed-off Deployment set to success ` +
        `by the bridge; got ${codes.join(', ')}${finished ? '' : ', and the handoff did not finish'}.`,
);
process.exitCode = asExpected ? 0 : 1;
