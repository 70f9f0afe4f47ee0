import type { Clock } from '../lib/clock.ts';
import { formatDuration } from '../wait/format.ts';
import type { ApiCall, ReleaseState } from '../wait/types.ts';

// DESIGN §3.4: while waiting, one line a minute says the stage, how long it has lasted and the time left, so
// a 20-minute wait is never a silent log. The action prints it as a log line, the CLI on its progress line.

export const HEARTBEAT_INTERVAL_MS = 60_000;

/** Where a run stands, as a person wants to read it. */
export interface Progress {
  stage: string;
  /** When the stage began (the last progress, or the call in flight). */
  since: number;
  deadline: number;
  /** A refused call waits for its next attempt (a 429's Retry-After, say): when it is made. */
  retryAt: number | null;
}

export function progressOf(state: ReleaseState): Progress {
  const { config } = state;
  const since = state.inFlightSince ?? state.lastProgressAt;
  const retrying = state.inFlight === null && state.lastRefusal !== null ? state.pendingCall : null;
  return {
    stage: retrying ? `retrying ${CALL_NAMES[retrying]} after a refusal` : stageOf(state),
    since,
    deadline: config.deadline,
    retryAt: retrying ? state.nextAttemptAt : null,
  };
}

const CALL_NAMES: Record<ApiCall, string> = {
  upload: 'the upload',
  distribute: 'Distribute',
  'test-webhook': 'the test webhook',
};

function stageOf(state: ReleaseState): string {
  switch (state.phase) {
    case 'starting':
      return 'checking the wait path';
    case 'uploading':
      return 'uploading to Streampixel';
    case 'distributing':
      return 'calling Distribute';
    case 'testing':
      return "waiting for Streampixel's webhook.test";
    case 'done':
      return 'done';
    default:
      if (state.inFlight === 'distribute') return 'calling Distribute';
      return state.furthestStage ? state.furthestStage.event : 'waiting for the first event';
  }
}

/** "Waiting: build.distributing for 3 min 10 s; 41 min 50 s left". */
export const heartbeatLine = (progress: Progress, now: number): string =>
  `Waiting: ${progress.stage}` +
  (progress.retryAt === null
    ? ''
    : ` (next attempt in ${formatDuration(Math.max(0, progress.retryAt - now))})`) +
  ` for ${formatDuration(now - progress.since)}; ${formatDuration(Math.max(0, progress.deadline - now))} left`;

/**
 * Calls `beat` with the current progress every `intervalMs` until stopped. `read` returns null before the
 * run has a state (nothing to say yet).
 */
export function startHeartbeat(options: {
  clock: Clock;
  read: () => Progress | null;
  beat: (line: string, progress: Progress) => void;
  intervalMs?: number;
}): () => void {
  const stop = new AbortController();
  const interval = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  void (async () => {
    while (!stop.signal.aborted) {
      await options.clock.sleep(interval, stop.signal);
      if (stop.signal.aborted) return;
      const progress = options.read();
      if (progress) options.beat(heartbeatLine(progress, options.clock.now()), progress);
    }
  })();
  return () => stop.abort();
}
