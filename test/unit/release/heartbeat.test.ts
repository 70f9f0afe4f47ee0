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

  it('beats once per interval with the latest progress, and stops', async () => {
    const clock = createScaledClock(0.001);
    const lines: string[] = [];
    const progress: Progress = {
      stage: 'build.saving',
      since: clock.now(),
      deadline: clock.now() + 10 * MIN,
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
