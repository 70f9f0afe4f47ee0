// `npm run demo`: the whole story on one machine. The simulator stands in for Streampixel and posts its
// webhooks to the release bridge (the built bundle, as its own process, on an embedded SQLite file); the
// built action runs exactly as a runner runs it: `node dist/action/index.js` with INPUT_* variables and
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Three releases: approved and rejected through the bridge, then
// one through the short-lived receiver that self-hosted runners can use instead; then the chained pipeline:
// a BuildPixel cloud build (signed webhooks, verified by the bridge) whose artifact is released to Streampixel.
// Each job summary is saved under .demo/ for a person to open.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timelineRows } from '../src/action/summary.ts';
import {
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

/** The runner's workflow commands, shown the way the Actions log renders them. */
function render(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => line && !line.startsWith('::add-mask::') && !line.startsWith('::endgroup::'))
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
  console.log('\n  Timeline');
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
    // Streampixel's pipeline takes minutes; the demo runs it 30 times faster.
    timeScale: 1 / 30,
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
    timeScale: 1 / 30,
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

buildIfNeeded();
const dataDir = mkdtempSync(join(tmpdir(), 'streampixel-demo-'));
const bridge = await startBridgeProcess({
  BRIDGE_PORT: String(await freePort()),
  BRIDGE_HOST: '127.0.0.1',
  BRIDGE_DATABASE: join(dataDir, 'release-bridge.db'),
  BRIDGE_INGEST_TOKEN: INGEST_TOKEN,
  BRIDGE_READ_TOKEN: READ_TOKEN,
  BRIDGE_LOG_LEVEL: 'warn',
  BRIDGE_BUILDPIXEL_SECRETS: BUILDPIXEL_SECRET,
});
let codes: Array<number | null> = [];
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
  codes = [approved.exitCode, rejected.exitCode, received.exitCode, ...chained];
} finally {
  await bridge.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
const asExpected = codes.join() === '0,1,0,0,0';
console.log(
  asExpected
    ? '\nDemo finished: the approved releases passed and the rejected one failed its step, as they should.'
    : `\nDemo went wrong: expected exit codes 0, 1, 0, 0, 0; got ${codes.join(', ')}.`,
);
process.exitCode = asExpected ? 0 : 1;
