import { describe, expect, it } from 'vitest';
import { heartbeatLine, progressOf, startHeartbeat, type Progress } from '../../../src/release/heartbeat.ts';
import { createScaledClock } from '../../../src/lib/clock.ts';
import { createReleaseState, transition } from '../../../src/wait/release-machine.ts';
import type { MachineConfig } from '../../../src/wait/types.ts';

const T0 = Date.parse('2026-11-24T13:00:00Z');
const MIN = 60_000;
const config: MachineConfig = {
  command: 'release',
  provider: 'streampixel',
  projectId: 'p',
  uploadId: null,
  autoRelease: false,
  waitForOutcome: true,
  startedAt: T0,
  deadline: T0 + 45 * MIN,
  retryIntervalMs: 2 * MIN,
  maxBuffered: 10,
};

describe('heartbeat', () => {
  it('names the stage, how long it has lasted and the time left', () => {
    let state = createReleaseState(config);
    expect(progressOf(state).stage).toBe('checking the wait path');
    state = transition(state, { type: 'start' }, T0 + 1000).state;
    expect(heartbeatLine(progressOf(state), T0 + 61_000)).toBe(
      'Waiting: uploading to Streampixel for 1 min 00 s; 43 min 59 s left',
    );
    state = transition(state, { type: 'upload-accepted', uploadId: 'b' }, T0 + 2000).state;
    expect(progressOf(state).stage).toBe('waiting for the first event');
  });

  it('says a refused call is waiting for its next attempt, not still in flight', () => {
    let state = transition(createReleaseState(config), { type: 'start' }, T0).state;
    state = transition(
      state,
      { type: 'call-refused', call: 'upload', retryAfterMs: 90_000, detail: '429 from Streampixel' },
      T0 + 1000,
    ).state;
    expect(heartbeatLine(progressOf(state), T0 + 61_000)).toBe(
      'Waiting: retrying the upload after a refusal (next attempt in 30 s) for 1 min 01 s; 43 min 59 s left',
    );
    // Once the attempt is made, the call is in flight again.
    state = transition(state, { type: 'tick' }, T0 + 91_000).state;
    expect(progressOf(state).stage).toBe('uploading to Streampixel');
  });

  it('beats once per interval with the latest progress, and stops', async () => {
    const clock = createScaledClock(0.001);
    const lines: string[] = [];
    const progress: Progress = {
      stage: 'build.saving',
      since: clock.now(),
      deadline: clock.now() + 10 * MIN,
      retryAt: null,
    };
    const stop = startHeartbeat({ clock, read: () => progress, beat: (line) => void lines.push(line) });
    await clock.sleep(3.5 * MIN);
    stop();
    const count = lines.length;
    await clock.sleep(2 * MIN);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(4);
    expect(lines.length).toBe(count);
    expect(lines[0]).toMatch(/^Waiting: build\.saving for 1 min 0\d s; (8|9) min \d\d s left$/);
  });
});
