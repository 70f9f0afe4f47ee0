import { describe, expect, it } from 'vitest';
import {
  countFromNow,
  createTracker,
  follow,
  observe,
  type TrackedEvent,
  type TrackerConfig,
  type TrackerState,
} from '../../../src/wait/outcome-tracker.ts';
import type { NormalizedEvent, Phase } from '../../../src/webhooks/event.ts';

// The tracker reads only the normalised shape: these cases use BuildPixel-like events on purpose.

const T0 = Date.parse('2026-11-24T13:00:00Z');
const MIN = 60_000;
const config: TrackerConfig = {
  provider: 'buildpixel',
  scope: 'org-1',
  countTests: false,
  maxBuffered: 2,
  skewAllowanceMs: 10 * MIN,
};

function tracked(
  type: string,
  phase: Phase,
  receivedAt: number,
  patch: Partial<NormalizedEvent> = {},
): TrackedEvent {
  return {
    receivedAt,
    event: {
      provider: 'buildpixel',
      subject: 'b-1',
      type,
      phase,
      status: null,
      occurredAt: new Date(receivedAt - 100).toISOString(),
      dedupeKey: JSON.stringify(['buildpixel', patch.subject ?? 'b-1', type]),
      scope: 'org-1',
      detail: null,
      links: {},
      ...patch,
    },
  };
}

function verdicts(state: TrackerState, events: TrackedEvent[]) {
  const out: string[] = [];
  for (const event of events) {
    const observed = observe(state, event);
    state = observed.state;
    out.push(observed.verdict.kind);
  }
  return { state, out };
}

describe('outcome tracker', () => {
  it.each([
    ['another provider', { provider: 'fastpix' as const }, 'ignored'],
    ['another scope', { scope: 'org-2' }, 'ignored'],
    ['another subject', { subject: 'b-2' }, 'ignored'],
    ['no subject', { subject: '' }, 'ignored'],
    ['an unknown event', { phase: 'other' as const }, 'ignored'],
    ['a test event (not counted here)', { phase: 'test' as const }, 'ignored'],
    ['this unit of work', {}, 'counted'],
  ])('%s → %s', (_, patch, verdict) => {
    const state = createTracker(config, 'b-1', null);
    expect(observe(state, tracked('build.running', 'progress', T0, patch)).verdict.kind).toBe(verdict);
  });

  it('accepts any scope when none is configured', () => {
    const state = createTracker({ ...config, scope: null }, 'b-1', null);
    expect(observe(state, tracked('build.running', 'progress', T0, { scope: null })).verdict.kind).toBe(
      'counted',
    );
  });

  it('counts each event once, by its dedupe key', () => {
    const event = tracked('build.complete', 'success', T0);
    const { out } = verdicts(createTracker(config, 'b-1', null), [
      event,
      event,
      { ...event, receivedAt: T0 + 5 },
    ]);
    expect(out).toEqual(['counted', 'ignored', 'ignored']);
  });

  it('holds events until the subject is known, keeping the newest, then hands them back in order', () => {
    const { state, out } = verdicts(createTracker(config, null, null), [
      tracked('build.created', 'progress', T0),
      tracked('build.running', 'progress', T0 + 1),
      tracked('build.complete', 'success', T0 + 2),
    ]);
    expect(out).toEqual(['held', 'held', 'held']);
    const followed = follow(state, 'b-1');
    expect(followed.held.map((e) => e.event.type)).toEqual(['build.running', 'build.complete']);
    expect(followed.state.buffered).toEqual([]);
    expect(followed.state.subject).toBe('b-1');
  });

  it('after counting starts, ignores what came earlier and what was stamped long before', () => {
    const state = countFromNow(createTracker(config, 'b-1', Number.POSITIVE_INFINITY), T0);
    const { out } = verdicts(state, [
      tracked('build.running', 'progress', T0 - 1),
      tracked('build.complete', 'success', T0 + 10, { occurredAt: new Date(T0 - 11 * MIN).toISOString() }),
      tracked('build.complete', 'success', T0 + 20, {
        occurredAt: new Date(T0 - 9 * MIN).toISOString(),
        dedupeKey: 'k2',
      }),
    ]);
    expect(out).toEqual(['ignored', 'ignored', 'counted']);
  });

  it('counts nothing before the call when counting waits for it', () => {
    const state = createTracker(config, 'b-1', Number.POSITIVE_INFINITY);
    expect(observe(state, tracked('build.complete', 'success', T0)).verdict.kind).toBe('ignored');
  });

  it('with tests counted, matches a test event by time alone', () => {
    const state = countFromNow(createTracker({ ...config, countTests: true }, null, null), T0);
    const test = (at: number) =>
      tracked('webhook.test', 'test', at, { subject: 'placeholder', scope: 'placeholder' });
    expect(verdicts(state, [test(T0 - 1), test(T0 + 1)]).out).toEqual(['ignored', 'counted']);
  });

  it('says why it ignored an event worth a debug line, with outside text made safe', () => {
    const state = createTracker(config, 'b-1', null);
    const observed = observe(state, tracked('build.\n::error::x', 'other', T0));
    expect(observed.verdict).toEqual({ kind: 'ignored', why: 'Ignored unknown event build.\\n::error::x' });
  });
});
