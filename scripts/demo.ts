// `npm run demo`: the whole story on one machine. The simulator stands in for Streampixel, and the built
// action runs exactly as a runner runs it: `node dist/action/index.js` with INPUT_* variables and
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Two releases: one approved, one rejected.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { timelineRows } from '../src/action/summary.ts';
import {
  DEMO_API_KEY,
  DEMO_PROJECT_ID,
  DEMO_USER_ID,
  startSimulator,
  type Scenario,
} from '../src/simulator/index.ts';
import type { TimelineEntry } from '../src/wait/types.ts';
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

function buildIfNeeded(): void {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest(join(root, 'src'))) return;
  console.log('Building dist/action (sources are newer than the bundle)…');
  execFileSync('npm', ['run', 'build:action', '--silent'], { cwd: root, stdio: 'inherit' });
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

async function scenario(title: string, scene: Scenario): Promise<ActionRun> {
  const port = await freePort();
  const path = '/hooks/demo-receiver-secret';
  const simulator = await startSimulator({
    users: [{ userId: DEMO_USER_ID, apiKey: DEMO_API_KEY }],
    projects: [
      { projectId: DEMO_PROJECT_ID, userId: DEMO_USER_ID, webhookUrl: `http://127.0.0.1:${port}${path}` },
    ],
    // Streampixel's pipeline takes minutes; the demo runs it 30 times faster.
    timeScale: 1 / 30,
    scenario: scene,
  });
  try {
    console.log(`\n━━ ${title} ━━`);
    console.log(`  Simulator at ${simulator.url}; the action listens on port ${port} (wait-via: receiver)\n`);
    const run = await runAction({
      command: 'release',
      'api-key': DEMO_API_KEY,
      'user-id': DEMO_USER_ID,
      'project-id': DEMO_PROJECT_ID,
      'file-url': 'https://builds.example.com/MyGame-Win64.zip?X-Amz-Signature=not-shown-in-logs',
      'wait-via': 'receiver',
      'receiver-port': String(port),
      'receiver-path': path,
      'api-base-url': simulator.url,
      'timeout-minutes': '5',
    });
    console.log(render(run.stdout));
    printResult(run);
    return run;
  } finally {
    await simulator.close();
  }
}

buildIfNeeded();
const approved = await scenario('1. A build that goes live', {});
const rejected = await scenario('2. A build Streampixel rejects', {
  rejectAt: {
    event: 'build.extracting',
    objection: 'No executable found in the archive (is this a Windows build?)',
  },
});
const asExpected = approved.exitCode === 0 && rejected.exitCode === 1;
console.log(
  asExpected
    ? '\nDemo finished: the approved release passed and the rejected one failed the step, as they should.'
    : '\nDemo went wrong: expected exit codes 0 then 1.',
);
process.exitCode = asExpected ? 0 : 1;
