import { describe, expect, it } from 'vitest';
import { follow, startFollowing } from '../../../../src/bridge/handoff/follow.ts';
import { HandoffRequestSchema } from '../../../../src/bridge/handoff/handoff-request.ts';
import type { StoredEvent } from '../../../../src/bridge/store/store.ts';
import type { Phase } from '../../../../src/webhooks/event.ts';

const T0 = Date.parse('2026-11-24T13:00:00Z');
const MIN = 60_000;
const request = (patch: Record<string, unknown> = {}) =>
  HandoffRequestSchema.parse({
    subject: 'up-1',
    projectId: 'proj-1',
    command: 'release',
    deadline: T0 + 45 * MIN,
    deployment: null,
    ...patch,
  });

let cursor = 0;
function stored(
  type: string,
  phase: Phase | null,
  at: number,
  patch: Partial<StoredEvent> = {},
): StoredEvent {
  cursor += 1;
  return {
    cursor,
    provider: 'streampixel',
    subject: 'up-1',
    type,
    dedupeKey: `k${cursor}`,
    receivedAt: new Date(at).toISOString(),
    body: '{}',
    phase,
    occurredAt: new Date(at - 100).toISOString(),
    scope: 'proj-1',
    status: 'x',
    detail: phase === 'failure' ? 'no exe' : null,
    links: {},
    ...patch,
  };
}

describe('a handed-off build, followed by the bridge', () => {
  it('ends approved once build.approved is stored', () => {
    const state = startFollowing(request(), T0);
    const { result } = follow(
      state,
      [stored('build.uploaded', 'progress', T0 + 1000), stored('build.approved', 'success', T0 + 9 * MIN)],
      T0 + 10 * MIN,
    );
    expect(result).toMatchObject({ outcome: 'approved' });
  });

  it('ends rejected with the objection', () => {
    const { result } = follow(
      startFollowing(request(), T0),
      [stored('build.rejected', 'failure', T0 + MIN)],
      T0 + 2 * MIN,
    );
    expect(result).toMatchObject({ outcome: 'rejected', objection: 'no exe' });
  });

  it('keeps following while nothing decided, and times out at the job’s deadline', () => {
    const state = startFollowing(request(), T0);
    const going = follow(state, [stored('build.saving', 'progress', T0 + MIN)], T0 + 2 * MIN);
    expect(going.result).toBeNull();
    expect(follow(going.state, [], T0 + 45 * MIN).result).toMatchObject({
      outcome: 'timed-out',
      failure: expect.stringContaining('last stage: build.saving'),
    });
  });

  it('counts an approval received before the deadline even when read after it', () => {
    const { result } = follow(
      startFollowing(request(), T0),
      [stored('build.approved', 'success', T0 + 44 * MIN)],
      T0 + 50 * MIN,
    );
    expect(result).toMatchObject({ outcome: 'approved' });
  });

  it('after a handed-off Distribute, ignores what was received before it and old re-deliveries', () => {
    const state = startFollowing(request({ command: 'distribute', countFrom: T0 + 5 * MIN }), T0 + 5 * MIN);
    const before = stored('build.approved', 'success', T0 + MIN);
    const stale = stored('build.approved', 'success', T0 + 6 * MIN, {
      occurredAt: new Date(T0 - 30 * MIN).toISOString(),
    });
    expect(follow(state, [before, stale], T0 + 7 * MIN).result).toBeNull();
    const fresh = stored('build.approved', 'success', T0 + 8 * MIN);
    expect(follow(state, [before, stale, fresh], T0 + 9 * MIN).result).toMatchObject({ outcome: 'approved' });
  });

  it('ignores another project’s events for the same uploadId, and rows never normalised', () => {
    const other = stored('build.approved', 'success', T0 + MIN, { scope: 'proj-2' });
    const raw = stored('build.approved', null, T0 + MIN);
    expect(follow(startFollowing(request(), T0), [other, raw], T0 + 2 * MIN).result).toBeNull();
  });

  it('follows another provider’s unit of work', () => {
    const state = startFollowing(request({ provider: 'buildpixel', projectId: null, command: 'wait' }), T0);
    const done = stored('build.complete', 'success', T0 + MIN, {
      provider: 'buildpixel',
      scope: 'org',
      links: { artifactUrl: 'https://a/b.zip' },
    });
    expect(follow(state, [done], T0 + 2 * MIN).result).toMatchObject({
      outcome: 'succeeded',
      links: { artifactUrl: 'https://a/b.zip' },
    });
  });
});
