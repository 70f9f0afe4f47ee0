import { describe, expect, it } from 'vitest';
import { buildOf, createReleaseState, nextWakeAt, transition } from '../../../src/wait/release-machine.ts';
import type { Effect, MachineConfig, MachineInput, ReleaseState } from '../../../src/wait/types.ts';
import { EVENT_STATUS, type BuildEventName } from '../../../src/streampixel/schemas.ts';
import { normalizeStreampixelEnvelope } from '../../../src/webhooks/providers/streampixel.ts';

const T0 = Date.parse('2026-11-24T13:00:00Z');
const MIN = 60_000;
const PROJECT = 'proj-1';
const BUILD = 'up-1';

function config(patch: Partial<MachineConfig> = {}): MachineConfig {
  return {
    command: 'release',
    provider: 'streampixel',
    projectId: PROJECT,
    uploadId: null,
    autoRelease: false,
    waitForOutcome: true,
    startedAt: T0,
    deadline: T0 + 45 * MIN,
    retryIntervalMs: 2 * MIN,
    maxBuffered: 3,
    ...patch,
  };
}

interface HookPatch {
  projectId?: string;
  uploadId?: string | null;
  timestamp?: string;
  objection?: string | null;
  status?: string;
}
function hook(event: string, at: number, patch: HookPatch = {}): MachineInput {
  return {
    type: 'webhook',
    webhook: {
      receivedAt: at,
      event: normalizeStreampixelEnvelope({
        event,
        projectId: patch.projectId ?? PROJECT,
        uploadId: patch.uploadId === undefined ? BUILD : patch.uploadId,
        fileUrl: 'https://builds.example/game.zip',
        status: patch.status ?? EVENT_STATUS[event as BuildEventName] ?? 'unknown',
        objection: patch.objection ?? null,
        timestamp: patch.timestamp ?? new Date(at - 500).toISOString(),
      }),
    },
  };
}

/** Feeds inputs at the given times; returns the final state and every effect, tagged with its step. */
function run(cfg: MachineConfig, steps: Array<[number, MachineInput]>) {
  let state: ReleaseState = createReleaseState(cfg);
  const perStep: Effect[][] = [];
  for (const [at, input] of steps) {
    const next = transition(state, input, at);
    state = next.state;
    perStep.push(next.effects);
  }
  return { state, perStep, effects: perStep.flat() };
}

const calls = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'call' ? [e.call] : []));
const finish = (effects: Effect[]) => effects.find((e) => e.type === 'finish');
const start: [number, MachineInput] = [T0, { type: 'start' }];
const accepted = (at = T0 + 1000): [number, MachineInput] => [
  at,
  { type: 'upload-accepted', uploadId: BUILD },
];

describe('release with auto-release false', () => {
  it('uploads, distributes once processed, and finishes approved', () => {
    const { state, perStep } = run(config(), [
      start,
      accepted(),
      [T0 + 5000, hook('build.uploaded', T0 + 5000)],
      [T0 + 9000, hook('build.saving', T0 + 9000)],
      [T0 + 9500, { type: 'distribute-accepted' }],
      [T0 + 20_000, hook('build.distributing', T0 + 20_000)],
      [T0 + 30_000, hook('build.approved', T0 + 30_000)],
    ]);
    expect(calls(perStep[0]!)).toEqual(['upload']);
    expect(perStep[1]).toContainEqual({ type: 'upload-id', uploadId: BUILD });
    expect(calls(perStep[2]!)).toEqual([]);
    expect(calls(perStep[3]!)).toEqual(['distribute']);
    expect(finish(perStep[6]!)).toEqual({
      type: 'finish',
      result: { outcome: 'approved', failure: null, objection: null },
    });
    expect(state.timeline.map((e) => e.event)).toEqual([
      'build.uploaded',
      'build.saving',
      'build.distributing',
      'build.approved',
    ]);
    expect(state.timeline[0]).toEqual({
      event: 'build.uploaded',
      status: 'pending',
      timestamp: new Date(T0 + 4500).toISOString(),
      receivedAt: new Date(T0 + 5000).toISOString(),
    });
  });

  it('replays events that arrived before the upload answer, and distributes at once when they show processing', () => {
    const { perStep, state } = run(config(), [
      start,
      [T0 + 100, hook('build.uploaded', T0 + 100)],
      [T0 + 200, hook('build.saving', T0 + 200)],
      accepted(T0 + 300),
    ]);
    expect(calls(perStep[1]!.concat(perStep[2]!))).toEqual([]);
    expect(calls(perStep[3]!)).toEqual(['distribute']);
    expect(state.timeline).toHaveLength(2);
  });

  it('keeps at most maxBuffered early events, dropping the oldest', () => {
    const { state } = run(config(), [
      start,
      [T0 + 1, hook('build.uploaded', T0 + 1)],
      [T0 + 2, hook('build.downloading', T0 + 2)],
      [T0 + 3, hook('build.extracting', T0 + 3)],
      [T0 + 4, hook('build.saving', T0 + 4)],
    ]);
    expect(state.tracker.buffered.map((w) => w.event.type)).toEqual([
      'build.downloading',
      'build.extracting',
      'build.saving',
    ]);
  });

  it('tries Distribute blind every two minutes when no stage event arrives, treating 400 as not ready', () => {
    const { perStep } = run(config(), [
      start,
      accepted(T0),
      [T0 + 2 * MIN - 1, { type: 'tick' }],
      [T0 + 2 * MIN, { type: 'tick' }],
      [
        T0 + 2 * MIN + 50,
        { type: 'call-refused', call: 'distribute', retryAfterMs: null, detail: '400: not processed' },
      ],
      [T0 + 4 * MIN, { type: 'tick' }],
      [T0 + 4 * MIN + 50, { type: 'tick' }],
      [T0 + 4 * MIN + 60, { type: 'call-refused', call: 'distribute', retryAfterMs: null, detail: '400' }],
      [T0 + 6 * MIN + 60, { type: 'tick' }],
    ]);
    expect(perStep.map((effects) => calls(effects).length)).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 1]);
  });

  it('pushes a blind attempt back while stage events show progress', () => {
    const { perStep, state } = run(config(), [
      start,
      accepted(T0),
      [T0 + 1.5 * MIN, hook('build.downloading', T0 + 1.5 * MIN)],
      [T0 + 2 * MIN, { type: 'tick' }],
      [T0 + 3.5 * MIN, { type: 'tick' }],
    ]);
    expect(calls(perStep[3]!)).toEqual([]);
    expect(calls(perStep[4]!)).toEqual(['distribute']);
    expect(state.inFlight).toBe('distribute');
  });

  it('waits out the rate-limit window of a refused blind attempt before distributing a processed build', () => {
    const { perStep } = run(config(), [
      start,
      accepted(T0),
      [T0 + 2 * MIN, { type: 'tick' }],
      [T0 + 2 * MIN + 10, { type: 'call-refused', call: 'distribute', retryAfterMs: null, detail: '400' }],
      [T0 + 3 * MIN, hook('build.saving', T0 + 3 * MIN)],
      [T0 + 4 * MIN - 1, { type: 'tick' }],
      [T0 + 4 * MIN, { type: 'tick' }],
    ]);
    expect(calls(perStep[4]!)).toEqual([]);
    expect(calls(perStep[5]!)).toEqual([]);
    expect(calls(perStep[6]!)).toEqual(['distribute']);
  });

  it('does not distribute twice when later stage events repeat the processed signal', () => {
    const { effects } = run(config(), [
      start,
      accepted(),
      [T0 + 5000, hook('build.saving', T0 + 5000)],
      [T0 + 6000, hook('build.saving', T0 + 6000)],
      [T0 + 7000, { type: 'distribute-accepted' }],
      [T0 + 8000, hook('build.distributing', T0 + 8000)],
    ]);
    expect(calls(effects)).toEqual(['upload', 'distribute']);
  });
});

describe('release with auto-release true', () => {
  it('never calls Distribute and finishes on approval', () => {
    const { effects } = run(config({ autoRelease: true }), [
      start,
      accepted(),
      [T0 + 5 * MIN, { type: 'tick' }],
      [T0 + 6 * MIN, hook('build.saving', T0 + 6 * MIN)],
      [T0 + 7 * MIN, hook('build.approved', T0 + 7 * MIN)],
    ]);
    expect(calls(effects)).toEqual(['upload']);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'approved' } });
  });
});

describe('rejection', () => {
  it('fails with the objection, and nothing counts after it', () => {
    const { state, perStep } = run(config({ autoRelease: true }), [
      start,
      accepted(),
      [T0 + 5000, hook('build.rejected', T0 + 5000, { objection: 'Executable not found in archive' })],
      [T0 + 6000, hook('build.approved', T0 + 6000)],
      [T0 + 46 * MIN, { type: 'tick' }],
    ]);
    expect(finish(perStep[2]!)).toEqual({
      type: 'finish',
      result: {
        outcome: 'rejected',
        failure: 'Streampixel rejected build up-1: Executable not found in archive',
        objection: 'Executable not found in archive',
      },
    });
    expect(perStep[3]).toEqual([]);
    expect(perStep[4]).toEqual([]);
    expect(state.timeline).toHaveLength(1);
  });
});

describe('what does not count', () => {
  const cases: Array<[string, MachineInput]> = [
    ['another build', hook('build.approved', T0 + 5000, { uploadId: 'up-other' })],
    ['another project', hook('build.approved', T0 + 5000, { projectId: 'proj-other' })],
    ['a null uploadId', hook('build.approved', T0 + 5000, { uploadId: null })],
    ['an unknown event', hook('build.celebrated', T0 + 5000)],
    [
      'webhook.test',
      hook('webhook.test', T0 + 5000, { uploadId: 'test_upload_id', projectId: 'test_project_id' }),
    ],
  ];
  it.each(cases)('ignores %s', (_name, input) => {
    const { state, perStep } = run(config({ autoRelease: true }), [start, accepted(), [T0 + 5000, input]]);
    expect(finish(perStep[2]!)).toBeUndefined();
    expect(state.timeline).toEqual([]);
  });

  it('counts a duplicate once, but a re-sent event with a new timestamp again', () => {
    const same = '2026-11-24T13:00:05.000Z';
    const { state } = run(config({ autoRelease: true }), [
      start,
      accepted(),
      [T0 + 5000, hook('build.downloading', T0 + 5000, { timestamp: same })],
      [T0 + 5100, hook('build.downloading', T0 + 5100, { timestamp: same })],
      [T0 + 9000, hook('build.downloading', T0 + 9000, { timestamp: '2026-11-24T13:00:09.000Z' })],
    ]);
    expect(state.timeline.map((e) => e.timestamp)).toEqual([same, '2026-11-24T13:00:09.000Z']);
  });
});

describe('deadline', () => {
  it('times out naming the furthest stage, even when events arrived out of order', () => {
    const { perStep } = run(config({ autoRelease: true }), [
      start,
      accepted(),
      [T0 + 5 * MIN, hook('build.distributing', T0 + 5 * MIN, { timestamp: '2026-11-24T13:05:00Z' })],
      [T0 + 6 * MIN, hook('build.extracting', T0 + 6 * MIN, { timestamp: '2026-11-24T13:02:00Z' })],
      [T0 + 45 * MIN - 1, { type: 'tick' }],
      [T0 + 45 * MIN, { type: 'tick' }],
    ]);
    expect(finish(perStep[4]!)).toBeUndefined();
    expect(finish(perStep[5]!)).toEqual({
      type: 'finish',
      result: {
        outcome: 'timed-out',
        failure: 'No outcome for build up-1 after 45 min; last stage: build.distributing at 13:05:00Z',
        objection: null,
      },
    });
  });

  it('says no event arrived, and quotes the last refusal', () => {
    const { effects } = run(config({ deadline: T0 + 3 * MIN }), [
      start,
      accepted(),
      [T0 + 2 * MIN + 1000, { type: 'tick' }],
      [
        T0 + 2 * MIN + 2000,
        {
          type: 'call-refused',
          call: 'distribute',
          retryAfterMs: null,
          detail: 'Distribute answered 400: Build has no URL yet',
        },
      ],
      [T0 + 3 * MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toMatchObject({
      result: {
        outcome: 'timed-out',
        failure:
          'No outcome for build up-1 after 3 min; no event of this build arrived: check the webhook URL and the ticked ' +
          'events in the Streampixel dashboard; last API answer: Distribute answered 400: Build has no URL yet',
      },
    });
  });

  it('never schedules a rate-limited retry past the deadline', () => {
    const cfg = config({ deadline: T0 + MIN });
    const { state, perStep } = run(cfg, [
      start,
      [
        T0 + 10,
        { type: 'call-refused', call: 'upload', retryAfterMs: 2 * MIN, detail: '429 from Streampixel' },
      ],
    ]);
    expect(nextWakeAt(state)).toBe(T0 + MIN);
    const last = transition(state, { type: 'tick' }, T0 + MIN);
    expect(calls(last.effects)).toEqual([]);
    expect(finish(last.effects)).toMatchObject({
      result: {
        outcome: 'timed-out',
        failure: expect.stringContaining('No outcome for project proj-1 after 1 min'),
      },
    });
    expect(
      perStep[1]!.some((e) => e.type === 'log' && e.message.includes('next upload attempt in 120 s')),
    ).toBe(true);
  });

  it('retries a rate-limited upload after Retry-After', () => {
    const { perStep, state } = run(config(), [
      start,
      [T0 + 10, { type: 'call-refused', call: 'upload', retryAfterMs: 30_000, detail: '429' }],
      [T0 + 30_009, { type: 'tick' }],
      [T0 + 30_010, { type: 'tick' }],
    ]);
    expect(calls(perStep[2]!)).toEqual([]);
    expect(calls(perStep[3]!)).toEqual(['upload']);
    expect(state.inFlight).toBe('upload');
  });
});

describe('distribute command', () => {
  it('ignores an old build.approved stored before the call and waits for the new one', () => {
    const cfg = config({ command: 'distribute', uploadId: BUILD });
    const { perStep } = run(cfg, [
      [T0, { type: 'start' }],
      [T0 + 10, hook('build.approved', T0 - 60 * MIN, { timestamp: '2026-11-24T12:00:00Z' })],
      [T0 + 20, { type: 'distribute-accepted' }],
      [T0 + 5000, hook('build.distributing', T0 + 5000)],
      [T0 + 9000, hook('build.approved', T0 + 9000)],
    ]);
    expect(calls(perStep[0]!)).toEqual(['distribute']);
    expect(finish(perStep[1]!)).toBeUndefined();
    expect(finish(perStep[4]!)).toMatchObject({ result: { outcome: 'approved' } });
  });

  it('retries a build that is not processed yet once it is', () => {
    const cfg = config({ command: 'distribute', uploadId: BUILD });
    const { perStep } = run(cfg, [
      [T0, { type: 'start' }],
      [T0 + 10, { type: 'call-refused', call: 'distribute', retryAfterMs: null, detail: '400' }],
      [T0 + MIN, hook('build.saving', T0 + MIN)],
      [T0 + 2 * MIN + 10, { type: 'tick' }],
    ]);
    expect(calls(perStep[2]!)).toEqual([]);
    expect(calls(perStep[3]!)).toEqual(['distribute']);
  });
});

describe('wait command', () => {
  it('counts events stored before the step started', () => {
    const cfg = config({ command: 'wait', uploadId: BUILD });
    const { effects } = run(cfg, [
      [T0, { type: 'start' }],
      [T0 + 10, hook('build.approved', T0 - 10 * MIN)],
    ]);
    expect(calls(effects)).toEqual([]);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'approved' } });
  });
});

describe('upload command', () => {
  it.each(['build.saving', 'build.distributing', 'build.approved'])('is processed on %s', (event) => {
    const { effects } = run(config({ command: 'upload' }), [
      start,
      accepted(),
      [T0 + 5000, hook(event, T0 + 5000)],
    ]);
    expect(calls(effects)).toEqual(['upload']);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'processed', failure: null } });
  });

  it('is not processed on an earlier stage', () => {
    const { effects } = run(config({ command: 'upload' }), [
      start,
      accepted(),
      [T0 + 5000, hook('build.extracting', T0 + 5000)],
      [T0 + 10 * MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toBeUndefined();
    expect(calls(effects)).toEqual(['upload']);
  });
});

describe('wait-via none', () => {
  it('release ends submitted once the upload is accepted', () => {
    const { effects } = run(config({ waitForOutcome: false }), [start, accepted()]);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'submitted', failure: null } });
  });
  it('distribute ends submitted once Distribute is accepted', () => {
    const { effects } = run(config({ command: 'distribute', uploadId: BUILD, waitForOutcome: false }), [
      start,
      [T0 + 10, { type: 'distribute-accepted' }],
    ]);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'submitted' } });
  });
});

describe('wait-via handoff', () => {
  const handOff = { waitForOutcome: false, handOff: true };
  const distribute = { command: 'distribute' as const, uploadId: BUILD };
  const refused: [number, MachineInput] = [
    T0 + 10,
    { type: 'call-refused', call: 'distribute', retryAfterMs: 5000, detail: '429' },
  ];
  interface Row {
    name: string;
    patch: Partial<MachineConfig>;
    steps: Array<[number, MachineInput]>;
    outcome: string | null;
    calls: string[];
  }
  it.each<Row>([
    {
      name: 'release ends handed-off once the upload is accepted, never calling Distribute',
      patch: { autoRelease: true },
      steps: [start, accepted()],
      outcome: 'handed-off',
      calls: ['upload'],
    },
    {
      name: 'distribute ends handed-off once Distribute is accepted',
      patch: distribute,
      steps: [start, [T0 + 10, { type: 'distribute-accepted' }]],
      outcome: 'handed-off',
      calls: ['distribute'],
    },
    {
      name: 'a Distribute refused with 429 is handed off once a later attempt is accepted',
      patch: distribute,
      steps: [start, refused, [T0 + 5010, { type: 'tick' }], [T0 + 5020, { type: 'distribute-accepted' }]],
      outcome: 'handed-off',
      calls: ['distribute', 'distribute'],
    },
    {
      name: 'nothing is handed off while the upload is unanswered',
      patch: { autoRelease: true },
      steps: [start],
      outcome: null,
      calls: ['upload'],
    },
    {
      name: 'wait-via none still ends submitted',
      patch: { autoRelease: true, handOff: false },
      steps: [start, accepted()],
      outcome: 'submitted',
      calls: ['upload'],
    },
  ])('$name', ({ patch, steps, outcome, calls: expected }) => {
    const { effects } = run(config({ ...handOff, ...patch }), steps);
    expect(finish(effects) ?? null).toEqual(
      outcome === null ? null : { type: 'finish', result: { outcome, failure: null, objection: null } },
    );
    expect(calls(effects)).toEqual(expected);
  });

  it('is not handed off when the deadline passes first: the build may exist, and the step fails', () => {
    const { effects } = run(config({ ...handOff, autoRelease: true, deadline: T0 + MIN }), [
      start,
      [T0 + MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toMatchObject({
      result: { outcome: null, failure: expect.stringContaining('may have reached Streampixel') },
    });
  });

  it('keeps the moment just before the first Distribute call, which the bridge counts events from', () => {
    const { state } = run(config({ ...handOff, ...distribute }), [
      [T0 + 7, { type: 'start' }],
      [T0 + 10, { type: 'call-refused', call: 'distribute', retryAfterMs: 5000, detail: '429' }],
      [T0 + 5010, { type: 'tick' }],
      [T0 + 5020, { type: 'distribute-accepted' }],
    ]);
    expect(state.tracker.countFrom).toBe(T0 + 7);
  });

  it('hands off the build the upload created, announced before the end', () => {
    const { perStep } = run(config({ ...handOff, autoRelease: true }), [start, accepted()]);
    expect(perStep[1]!.map((effect) => effect.type)).toEqual(['upload-id', 'log', 'finish']);
  });
});

describe('test-webhook command', () => {
  const cfg = config({ command: 'test-webhook' });
  const testHook = (at: number) =>
    hook('webhook.test', at, { projectId: 'test_project_id', uploadId: 'test_upload_id' });

  it('is delivered when the webhook.test event arrives after the call', () => {
    const { effects } = run(cfg, [
      start,
      [T0 + 5, testHook(T0 - 1000)],
      [T0 + 10, { type: 'test-webhook-answered', statusCode: 200 }],
      [T0 + 20, testHook(T0 + 8)],
    ]);
    expect(calls(effects)).toEqual(['test-webhook']);
    expect(effects.filter((e) => e.type === 'finish')).toEqual([
      { type: 'finish', result: { outcome: 'test-delivered', failure: null, objection: null } },
    ]);
  });

  it.each([
    [0, 'could not reach your webhook endpoint (statusCode 0)'],
    [500, 'Your webhook endpoint answered 500'],
  ])('fails with a diagnosis when the endpoint answered %i', (statusCode, text) => {
    const { effects } = run(cfg, [start, [T0 + 10, { type: 'test-webhook-answered', statusCode }]]);
    expect(finish(effects)).toMatchObject({
      result: { outcome: null, failure: expect.stringContaining(text) },
    });
  });

  it('says the event never arrived when the deadline passes', () => {
    const { effects } = run(config({ command: 'test-webhook', deadline: T0 + MIN }), [
      start,
      [T0 + 10, { type: 'test-webhook-answered', statusCode: 200 }],
      [T0 + MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toMatchObject({
      result: {
        outcome: 'timed-out',
        failure: expect.stringMatching(/^No webhook.test event after 1 min; check/),
      },
    });
  });
});

describe('nextWakeAt', () => {
  it('is the deadline while waiting, the attempt time when one is scheduled, and null when done', () => {
    const cfg = config();
    let state = createReleaseState(cfg);
    expect(nextWakeAt(state)).toBe(cfg.deadline);
    state = transition(state, { type: 'start' }, T0).state;
    state = transition(state, { type: 'upload-accepted', uploadId: BUILD }, T0).state;
    expect(nextWakeAt(state)).toBe(T0 + 2 * MIN);
    state = transition(state, hook('build.rejected', T0 + 10), T0 + 10).state;
    expect(nextWakeAt(state)).toBeNull();
  });
});

describe('before start', () => {
  it('counts nothing for distribute until the call is made', () => {
    const cfg = config({ command: 'distribute', uploadId: BUILD });
    const { state, effects } = run(cfg, [
      [T0, hook('build.approved', T0)],
      [T0 + 1, { type: 'start' }],
    ]);
    expect(finish(effects)).toBeUndefined();
    expect(state.timeline).toEqual([]);
  });
});

describe('review findings', () => {
  it('keeps a long Retry-After when the build turns processed meanwhile', () => {
    const { perStep } = run(config(), [
      start,
      accepted(T0),
      [T0 + 2 * MIN, { type: 'tick' }],
      [
        T0 + 2 * MIN + 1000,
        { type: 'call-refused', call: 'distribute', retryAfterMs: 5 * MIN, detail: '429' },
      ],
      [T0 + 3 * MIN, hook('build.saving', T0 + 3 * MIN)],
      [T0 + 4 * MIN + 1000, { type: 'tick' }],
      [T0 + 7 * MIN + 1000, { type: 'tick' }],
    ]);
    expect(calls(perStep[4]!)).toEqual([]);
    expect(calls(perStep[5]!)).toEqual([]);
    expect(calls(perStep[6]!)).toEqual(['distribute']);
  });

  it('never calls again at once on a Retry-After of 0: waits at least a second', () => {
    const { perStep } = run(config(), [
      start,
      [T0 + 10, { type: 'call-refused', call: 'upload', retryAfterMs: 0, detail: '429' }],
      [T0 + 500, { type: 'tick' }],
      [T0 + 1010, { type: 'tick' }],
    ]);
    expect(calls(perStep[1]!)).toEqual([]);
    expect(calls(perStep[2]!)).toEqual([]);
    expect(calls(perStep[3]!)).toEqual(['upload']);
  });

  it('makes no call when the start comes at or after the deadline', () => {
    const cfg = config({ command: 'distribute', uploadId: BUILD, deadline: T0 + MIN });
    const { effects } = run(cfg, [[T0 + MIN, { type: 'start' }]]);
    expect(calls(effects)).toEqual([]);
    expect(finish(effects)).toMatchObject({ result: { outcome: null } });
  });

  it('fails, with no outcome to tolerate, when the wait path never became ready', () => {
    const cfg = config({ command: 'distribute', uploadId: BUILD, deadline: T0 + MIN });
    const { effects } = run(cfg, [
      [T0 + 1000, { type: 'wait-path', problem: 'the release bridge refused connections (ECONNREFUSED)' }],
      [T0 + MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toMatchObject({
      result: {
        outcome: null,
        failure:
          'Nothing was sent to Streampixel: the wait path was not ready within 1 min (the release bridge refused ' +
          'connections (ECONNREFUSED)); check bridge-url and that the bridge is running',
      },
    });
  });
});

describe('issue 6: attacks on the action', () => {
  const OLD = 'up-old';

  it.each(['release', 'upload', 'test-webhook'] as const)(
    '%s ignores a leftover upload-id: an old build approving mid-upload never decides the outcome',
    (command) => {
      const cfg = config({ command, uploadId: OLD });
      const { state, effects } = run(cfg, [
        start,
        [T0 + 100, hook('build.approved', T0 + 100, { uploadId: OLD })],
        [T0 + 200, hook('build.rejected', T0 + 200, { uploadId: OLD, objection: 'old' })],
      ]);
      expect(finish(effects)).toBeUndefined();
      expect(buildOf(state)).toBeNull();
      expect(state.timeline).toEqual([]);
    },
  );

  it('release reports the build its upload created, even when an old one approves first', () => {
    const { effects } = run(config({ uploadId: OLD }), [
      start,
      [T0 + 100, hook('build.approved', T0 + 100, { uploadId: OLD })],
      [T0 + 200, { type: 'upload-accepted', uploadId: BUILD }],
      [T0 + 300, hook('build.rejected', T0 + 300, { objection: 'bad pak' })],
    ]);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'rejected', objection: 'bad pak' } });
  });

  it('a 20,000-character objection still rejects, shortened for display', () => {
    const objection = 'x'.repeat(20_000);
    const { effects } = run(config({ command: 'wait', uploadId: BUILD }), [
      start,
      [T0 + 100, hook('build.rejected', T0 + 100, { objection })],
    ]);
    const result = (finish(effects) as Extract<Effect, { type: 'finish' }>).result;
    expect(result.outcome).toBe('rejected');
    expect(result.objection!.length).toBeLessThan(2100);
    expect(result.objection).toMatch(/^x{2000}… \(18000 more characters\)$/);
  });

  it('keeps line breaks in webhook text out of the timeline and the failure', () => {
    const { effects } = run(config({ command: 'wait', uploadId: BUILD }), [
      start,
      [T0 + 10, hook('build.saving', T0 + 10, { status: 'ok\n::set-output name=outcome::approved' })],
      [T0 + 20, hook('build.rejected', T0 + 20, { objection: 'no\r\n::error::pwned' })],
    ]);
    const texts = effects.flatMap((e) =>
      e.type === 'event'
        ? [e.entry.status]
        : e.type === 'finish'
          ? [e.result.failure!, e.result.objection!]
          : [],
    );
    expect(texts).toHaveLength(4);
    for (const text of texts) expect(text).not.toMatch(/[\r\n]/);
    expect(texts[0]).toBe('ok\\n::set-output name=outcome::approved');
  });

  it('fails saying a build may exist when the deadline passes with the upload unanswered', () => {
    const { effects } = run(config({ deadline: T0 + MIN }), [start, [T0 + MIN, { type: 'tick' }]]);
    expect(finish(effects)).toMatchObject({
      result: {
        outcome: null,
        failure: expect.stringMatching(
          /No answer to the upload within 1 min\. The request may have reached .*proj-1/,
        ),
      },
    });
  });

  it('names Distribute when it was called and never answered', () => {
    const cfg = config({ command: 'distribute', uploadId: BUILD, deadline: T0 + MIN });
    const { effects } = run(cfg, [start, [T0 + MIN, { type: 'tick' }]]);
    expect(finish(effects)).toMatchObject({
      result: {
        outcome: 'timed-out',
        failure:
          'No outcome for build up-1 after 1 min; Distribute was called at 13:00:00Z and never answered',
      },
    });
  });

  it('names the wait path, not the webhook setup, when the bridge held events back', () => {
    const cfg = config({ command: 'wait', uploadId: BUILD, deadline: T0 + MIN });
    const problem = 'the release bridge refused connections (ECONNREFUSED) since 13:00:05Z';
    const { effects } = run(cfg, [
      start,
      [T0 + 1000, hook('build.distributing', T0 + 1000)],
      [T0 + 5000, { type: 'wait-path', problem }],
      [T0 + MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toMatchObject({
      result: {
        outcome: 'timed-out',
        failure:
          'No outcome for build up-1 after 1 min; last stage: build.distributing at 13:00:00Z; ' +
          `${problem}: events may have been sent that never reached this step`,
      },
    });
  });

  it('forgets a wait-path problem once the path works again', () => {
    const cfg = config({ command: 'wait', uploadId: BUILD, deadline: T0 + MIN });
    const { effects } = run(cfg, [
      start,
      [T0 + 5000, { type: 'wait-path', problem: 'the release bridge answered 503' }],
      [T0 + 6000, { type: 'wait-path', problem: null }],
      [T0 + MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toMatchObject({
      result: { failure: expect.stringContaining('no event of this build arrived: check the webhook URL') },
    });
  });

  it('distribute ignores a late re-delivery of an old approval stamped long before the call', () => {
    const cfg = config({ command: 'distribute', uploadId: BUILD });
    const stale = new Date(T0 - 11 * MIN).toISOString();
    const withinSkew = new Date(T0 - 9 * MIN).toISOString();
    const { effects: staleEffects } = run(cfg, [
      start,
      [T0 + 500, { type: 'distribute-accepted' }],
      [T0 + 1000, hook('build.approved', T0 + 1000, { timestamp: stale })],
    ]);
    expect(finish(staleEffects)).toBeUndefined();
    const { effects } = run(cfg, [
      start,
      [T0 + 500, { type: 'distribute-accepted' }],
      [T0 + 1000, hook('build.approved', T0 + 1000, { timestamp: withinSkew })],
    ]);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'approved' } });
  });

  it('wait still counts an approval stamped long ago: stored events count there', () => {
    const { effects } = run(config({ command: 'wait', uploadId: BUILD }), [
      start,
      [T0 + 1000, hook('build.approved', T0 + 1000, { timestamp: new Date(T0 - 60 * MIN).toISOString() })],
    ]);
    expect(finish(effects)).toMatchObject({ result: { outcome: 'approved' } });
  });
});

describe('issue 7: wait for another provider', () => {
  const bp = (
    type: string,
    phase: 'progress' | 'success' | 'failure' | 'cancelled',
    at: number,
  ): MachineInput => ({
    type: 'webhook',
    webhook: {
      receivedAt: at,
      event: {
        provider: 'buildpixel',
        subject: 'b-1',
        type,
        phase,
        status: null,
        occurredAt: new Date(at).toISOString(),
        dedupeKey: JSON.stringify(['buildpixel', 'b-1', type]),
        scope: 'org-9',
        detail: phase === 'failure' ? 'Cook failed' : null,
        links: phase === 'success' ? { artifactUrl: 'https://a.example/b-1.zip' } : {},
      },
    },
  });
  const cfg = config({
    command: 'wait',
    provider: 'buildpixel',
    uploadId: 'b-1',
    projectId: '',
    deadline: T0 + MIN,
  });

  it('ends succeeded with the artifact URL, whatever scope the provider names', () => {
    const { effects } = run(cfg, [
      start,
      [T0 + 10, bp('build.running', 'progress', T0 + 10)],
      [T0 + 20, bp('build.complete', 'success', T0 + 20)],
    ]);
    expect(finish(effects)).toMatchObject({
      result: { outcome: 'succeeded', failure: null, links: { artifactUrl: 'https://a.example/b-1.zip' } },
    });
  });

  it.each([
    ['build.failed', 'failure', 'failed', 'BuildPixel build b-1 failed: Cook failed'],
    ['build.superseded', 'cancelled', 'cancelled', 'BuildPixel build b-1 was cancelled (build.superseded)'],
  ] as const)('%s ends %s', (type, phase, outcome, failure) => {
    const { effects } = run(cfg, [start, [T0 + 10, bp(type, phase, T0 + 10)]]);
    expect(finish(effects)).toMatchObject({ result: { outcome, failure } });
  });

  it('times out naming the unit of work and its last event', () => {
    const { effects } = run(cfg, [
      start,
      [T0 + 10, bp('build.running', 'progress', T0 + 10)],
      [T0 + MIN, { type: 'tick' }],
    ]);
    expect(finish(effects)).toMatchObject({
      result: {
        outcome: 'timed-out',
        failure: 'No outcome for BuildPixel build b-1 after 1 min; last stage: build.running at 13:00:00Z',
      },
    });
  });

  it('ignores Streampixel events for the same id', () => {
    const { effects } = run(cfg, [start, [T0 + 10, hook('build.approved', T0 + 10, { uploadId: 'b-1' })]]);
    expect(finish(effects)).toBeUndefined();
  });
});
