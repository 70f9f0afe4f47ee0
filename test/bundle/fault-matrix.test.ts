import { describe, it, type ExpectStatic } from 'vitest';
import type { Scenario } from '../../src/simulator/index.ts';
import { PIPELINE_EVENTS } from '../../src/streampixel/schemas.ts';
import type { ActionRun } from '../../scripts/run-action.ts';
import {
  annotationOf,
  eventsOf,
  MATRIX_PROJECT_ID,
  OTHER_PROJECT_ID,
  startMatrixWorld,
  WAIT_PATHS,
  type MatrixWorld,
  type WaitPath,
} from '../support/matrix-world.ts';
import type { Envelope, Intercept } from '../support/webhook-relay.ts';

// Issue 6, "The suite": the built action (node dist/action/index.js, as a runner runs it) against the
// simulator's fault scenarios, through the built bridge process and through the receiver. Every run ends
// with the right outcome, or timed-out naming the last stage, and never with a false `approved`.
//
// Cases run concurrently (each has its own simulator, relay, bridge and ports). Most take a second or two;
// timed-out ones wait out a 9 s deadline; the two that retry a failed Distribute wait out Streampixel's real
// 2-minute window (RATE_LIMIT_WINDOW_MS), so they are declared first and set the matrix's wall time.

const SHORT_DEADLINE = { 'timeout-minutes': '0.15' };
const OBJECTION = 'Archive is not a Windows build';

type Expected =
  | { outcome: 'approved' | 'processed'; events?: readonly string[]; calls?: readonly string[] }
  | { outcome: 'rejected'; calls?: readonly string[] }
  | { outcome: 'timed-out'; lastStage: string; calls?: readonly string[]; lastAnswer?: RegExp }
  | { outcome: 'upload-uncertain'; calls: readonly string[] };

interface Case {
  name: string;
  scenario?: Scenario;
  inputs?: Record<string, string>;
  /** Posts envelopes of its own while the build is in flight (see webhook-relay.ts); one per run. */
  intercept?: () => Intercept;
  expected: Expected;
  /** Only for the cases that wait out the 2-minute window. */
  timeoutMs?: number;
}

const ALL_CALLS = ['upload-file 200', 'distribute-file 200'];

/** Posts `make(envelope)` once per run, just before the first webhook that is `event` goes on. */
const injectBefore = (event: string, make: (real: Envelope) => Envelope) => (): Intercept => {
  let done = false;
  return async (envelope, post) => {
    if (done || envelope.event !== event) return;
    done = true;
    await post(make(envelope));
  };
};

const staleApproval = (real: Envelope): Envelope => ({
  ...real,
  event: 'build.approved',
  status: 'Approved',
  uploadId: 'an-older-build-0001',
  objection: null,
  timestamp: new Date().toISOString(),
});

const CASES: Case[] = [
  // Distribute answers 5xx: safe to repeat, but only once Streampixel's rate-limit window has passed.
  {
    name: '500 on Distribute: retried after the 2-minute window, then approved',
    scenario: { apiFailures: [{ endpoint: 'distribute-file', status: 500 }] },
    inputs: { 'timeout-minutes': '3.5' },
    expected: {
      outcome: 'approved',
      calls: ['upload-file 200', 'distribute-file 500', 'distribute-file 200'],
    },
    timeoutMs: 300_000,
  },
  {
    name: 'no fault',
    expected: { outcome: 'approved', events: PIPELINE_EVENTS, calls: ALL_CALLS },
  },
  {
    name: 'every event duplicated',
    scenario: { duplicate: 'all' },
    expected: { outcome: 'approved', events: PIPELINE_EVENTS, calls: ALL_CALLS },
  },
  {
    name: 'events reordered in pairs',
    scenario: { reorder: true },
    expected: { outcome: 'approved', calls: ALL_CALLS },
  },
  {
    // The decoys include this build's own events under another project, same uploadId, event and timestamp.
    name: "noise: unknown events, test events, another build's and another project's",
    scenario: { extraEvents: 'noise' },
    inputs: { 'timeout-minutes': '0.25' },
    expected: { outcome: 'approved', events: PIPELINE_EVENTS, calls: ALL_CALLS },
  },
  {
    name: 'build.uploaded before the upload answer',
    scenario: { uploadedBeforeResponse: true },
    expected: { outcome: 'approved', events: PIPELINE_EVENTS, calls: ALL_CALLS },
  },
  {
    name: 'build.uploaded dropped',
    scenario: { drop: ['build.uploaded'] },
    expected: { outcome: 'approved', events: PIPELINE_EVENTS.slice(1), calls: ALL_CALLS },
  },
  {
    name: 'build.distributing dropped',
    scenario: { drop: ['build.distributing'] },
    expected: { outcome: 'approved', calls: ALL_CALLS },
  },
  {
    name: 'build.saving dropped: never known to be processed, so never distributed',
    scenario: { drop: ['build.saving'] },
    inputs: SHORT_DEADLINE,
    expected: { outcome: 'timed-out', lastStage: 'build.extracting', calls: ['upload-file 200'] },
  },
  {
    name: 'build.approved dropped',
    scenario: { drop: ['build.approved'] },
    inputs: SHORT_DEADLINE,
    expected: { outcome: 'timed-out', lastStage: 'build.distributing', calls: ALL_CALLS },
  },
  ...PIPELINE_EVENTS.map((stage): Case => ({
    name: `rejected at ${stage}`,
    scenario: { rejectAt: { event: stage, objection: OBJECTION } },
    expected: {
      outcome: 'rejected',
      calls: ['build.distributing', 'build.approved'].includes(stage) ? ALL_CALLS : ['upload-file 200'],
    },
  })),
  {
    name: 'command upload stops at processed and never distributes',
    inputs: { command: 'upload' },
    expected: { outcome: 'processed', calls: ['upload-file 200'] },
  },
  {
    name: 'auto-release: Streampixel distributes, the action only waits',
    inputs: { 'auto-release': 'true' },
    expected: { outcome: 'approved', events: PIPELINE_EVENTS, calls: ['upload-file 200'] },
  },
  // 5xx on the upload: the request may have created a build, so it is never repeated.
  ...([500, 503] as const).map((status): Case => ({
    name: `${status} on the upload: fails saying a build may exist, never uploads twice`,
    scenario: { apiFailures: [{ endpoint: 'upload-file', status }] },
    expected: { outcome: 'upload-uncertain', calls: [`upload-file ${status}`] },
  })),
  {
    name: '429 with Retry-After on the upload: waits it out, uploads once more',
    scenario: { apiFailures: [{ endpoint: 'upload-file', status: 429, retryAfterSeconds: 1 }] },
    expected: { outcome: 'approved', calls: ['upload-file 429', ...ALL_CALLS] },
  },
  {
    name: '429 without Retry-After on the upload: the 2-minute wait outlasts the deadline',
    scenario: { apiFailures: [{ endpoint: 'upload-file', status: 429 }] },
    inputs: SHORT_DEADLINE,
    expected: {
      outcome: 'timed-out',
      lastStage: '(none)',
      calls: ['upload-file 429'],
      lastAnswer: /last API answer: 429 from Streampixel on upload-file/,
    },
  },
  {
    name: '429 with Retry-After on Distribute: waits it out, distributes once more',
    scenario: { apiFailures: [{ endpoint: 'distribute-file', status: 429, retryAfterSeconds: 1 }] },
    expected: {
      outcome: 'approved',
      events: PIPELINE_EVENTS,
      calls: ['upload-file 200', 'distribute-file 429', 'distribute-file 200'],
    },
  },
  {
    name: '429 without Retry-After on Distribute: the 2-minute wait outlasts the deadline',
    scenario: { apiFailures: [{ endpoint: 'distribute-file', status: 429 }] },
    inputs: SHORT_DEADLINE,
    expected: {
      outcome: 'timed-out',
      lastStage: 'build.saving',
      calls: ['upload-file 200', 'distribute-file 429'],
      lastAnswer: /last API answer: 429 from Streampixel on distribute-file/,
    },
  },
  {
    name: '503 on Distribute with a deadline inside the 2-minute window',
    scenario: { apiFailures: [{ endpoint: 'distribute-file', status: 503 }] },
    inputs: SHORT_DEADLINE,
    expected: {
      outcome: 'timed-out',
      lastStage: 'build.saving',
      calls: ['upload-file 200', 'distribute-file 503'],
      lastAnswer: /last API answer: Distribute answered 503/,
    },
  },
  // Approvals that are not this build's, posted while it is in flight; the build itself is rejected, so
  // taking any of them would show as a false `approved`.
  {
    name: "an older build's build.approved while the upload call is in flight",
    scenario: {
      uploadedBeforeResponse: true,
      rejectAt: { event: 'build.distributing', objection: OBJECTION },
    },
    intercept: injectBefore('build.uploaded', staleApproval),
    expected: { outcome: 'rejected', calls: ALL_CALLS },
  },
  {
    name: "an older build's build.approved while the build is processed",
    scenario: { rejectAt: { event: 'build.distributing', objection: OBJECTION } },
    intercept: injectBefore('build.extracting', staleApproval),
    expected: { outcome: 'rejected', calls: ALL_CALLS },
  },
  {
    name: 'another project posts build.approved with the same uploadId',
    scenario: { rejectAt: { event: 'build.distributing', objection: OBJECTION } },
    intercept: injectBefore('build.extracting', (real) => ({
      ...staleApproval(real),
      uploadId: real.uploadId,
      projectId: OTHER_PROJECT_ID,
    })),
    expected: { outcome: 'rejected', calls: ALL_CALLS },
  },
  {
    name: "another project's copy of this build's build.rejected (same uploadId, event and timestamp) first",
    scenario: { rejectAt: { event: 'build.distributing', objection: OBJECTION } },
    inputs: SHORT_DEADLINE,
    intercept: injectBefore('build.rejected', (real) => ({
      ...real,
      projectId: OTHER_PROJECT_ID,
      objection: 'not this build',
    })),
    expected: { outcome: 'rejected', calls: ALL_CALLS },
  },
];

/** What every run must hold, whatever the case: the one build's id, and `approved` only when it is true. */
function expectTruthful(expect: ExpectStatic, world: MatrixWorld, run: ActionRun): void {
  const builds = world.builds();
  expect(builds.length, 'one upload, one build').toBeLessThanOrEqual(1);
  const build = builds[0];
  if (build) expect(run.outputs['upload-id']).toBe(build.uploadId);
  if (run.outputs.outcome === 'approved') {
    expect(build?.projectId).toBe(MATRIX_PROJECT_ID);
    expect(build?.state, 'approved only when Streampixel approved this build').toBe('approved');
  }
  const succeeded = ['approved', 'processed'].includes(run.outputs.outcome ?? '');
  expect(run.exitCode, run.stdout).toBe(succeeded ? 0 : 1);
}

function expectOutcome(expect: ExpectStatic, world: MatrixWorld, run: ActionRun, expected: Expected): void {
  expectOutcomeOutputs(expect, world, run, expected);
  if (expected.calls) expect(world.calls()).toEqual(expected.calls);
}

function expectOutcomeOutputs(
  expect: ExpectStatic,
  world: MatrixWorld,
  run: ActionRun,
  expected: Expected,
): void {
  const annotation = annotationOf(run);
  switch (expected.outcome) {
    case 'approved':
    case 'processed':
      expect(run.outputs.outcome, run.stdout).toBe(expected.outcome);
      if (expected.events) expect(eventsOf(run)).toEqual(expected.events);
      else
        expect(eventsOf(run)).toContain(expected.outcome === 'approved' ? 'build.approved' : 'build.saving');
      return;
    case 'rejected':
      expect(run.outputs, run.stdout).toMatchObject({
        outcome: 'rejected',
        objection: OBJECTION,
        status: 'Reject',
      });
      expect(annotation).toBe(
        `::error::Streampixel rejected build ${world.builds()[0]!.uploadId}: ${OBJECTION}`,
      );
      return;
    case 'timed-out':
      expect(run.outputs.outcome, run.stdout).toBe('timed-out');
      if (expected.lastStage === '(none)')
        expect(annotation).toMatch(/^::error::No outcome for project proj-1 after \d+ s/);
      else
        expect(annotation).toMatch(
          new RegExp(
            `^::error::No outcome for build \\S+ after \\d+ s; last stage: ${expected.lastStage.replace('.', '\\.')} at \\d\\d:\\d\\d:\\d\\dZ`,
          ),
        );
      if (expected.lastAnswer) expect(annotation).toMatch(expected.lastAnswer);
      return;
    case 'upload-uncertain':
      expect(run.outputs.outcome).toBeUndefined();
      expect(annotation).toMatch(
        /^::error::Upload outcome unknown: Streampixel answered 5\d\d.*may have reached Streampixel and created a build.*Check the Streampixel dashboard for a new build of project proj-1/,
      );
      return;
  }
}

describe.concurrent.each(WAIT_PATHS)('the built action through the %s', (via: WaitPath) => {
  for (const testCase of CASES) {
    const { name, scenario, inputs, intercept, expected, timeoutMs } = testCase;
    it(name, { timeout: timeoutMs ?? 90_000 }, async ({ expect, onTestFinished }) => {
      const world = await startMatrixWorld({
        via,
        onFinished: onTestFinished,
        ...(scenario ? { scenario } : {}),
        ...(intercept ? { intercept: intercept() } : {}),
      });
      const run = await world.run(inputs);
      expectTruthful(expect, world, run);
      expectOutcome(expect, world, run, expected);
    });
  }
});

describe.concurrent('the built action while the built bridge restarts', () => {
  // Distribute is refused (429, Retry-After 1 s) until the bridge is back, so the pipeline is paused after
  // build.saving for exactly as long as the restart takes: a signal, not a race against stage timers.
  const HELD_AT_DISTRIBUTE: Scenario = {
    apiFailures: [{ endpoint: 'distribute-file', status: 429, retryAfterSeconds: 1, times: 1_000 }],
  };
  const distributeRefused = (world: MatrixWorld) =>
    world.simulator.waitFor('call', (call) => call.endpoint === 'distribute-file' && call.status === 429, {
      timeoutMs: 60_000,
    });

  it.for(['SIGTERM', 'SIGKILL'] as const)(
    'stopped with %s mid-wait and started again on the same file and port: approved, nothing lost',
    { timeout: 90_000 },
    async (signal, { expect, onTestFinished }) => {
      const world = await startMatrixWorld({
        via: 'bridge',
        onFinished: onTestFinished,
        scenario: HELD_AT_DISTRIBUTE,
      });
      const running = world.run();
      await distributeRefused(world);
      const stopped = await world.bridge!.stop(signal);
      expect(signal === 'SIGKILL' ? stopped.signal : stopped.exitCode).toBe(
        signal === 'SIGKILL' ? 'SIGKILL' : 0,
      );
      await world.bridge!.start();
      world.simulator.setScenario({});
      const run = await running;

      expectTruthful(expect, world, run);
      expect(run.outputs.outcome, run.stdout).toBe('approved');
      expect(eventsOf(run)).toEqual(PIPELINE_EVENTS);
      // build.distributing and build.approved were stored only by the restarted bridge.
      expect(world.simulator.deliveries.filter((d) => d.status !== 200)).toEqual([]);
    },
  );

  it(
    'down while the last events are sent: timed-out naming the last stage it stored, never approved',
    {
      timeout: 90_000,
    },
    async ({ expect, onTestFinished }) => {
      const world = await startMatrixWorld({
        via: 'bridge',
        onFinished: onTestFinished,
        scenario: HELD_AT_DISTRIBUTE,
      });
      const running = world.run({ 'timeout-minutes': '0.25' });
      await distributeRefused(world);
      await world.bridge!.stop('SIGKILL');
      world.simulator.setScenario({});
      // Streampixel never retries: both lost for good.
      const lost = await world.simulator.waitFor('delivery', (d) => d.envelope.event === 'build.approved', {
        timeoutMs: 60_000,
      });
      expect(lost.status).toBe(0);
      await world.bridge!.start();
      const run = await running;

      expectTruthful(expect, world, run);
      expect(world.builds()[0]?.state).toBe('approved');
      expectOutcome(expect, world, run, { outcome: 'timed-out', lastStage: 'build.saving' });
    },
  );
});
