/** Time as the orchestrator sees it. Injected so tests compress minutes into milliseconds. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of clock time, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep };

/**
 * A clock whose time runs `1 / scale` times faster than real time, starting now: with scale 0.001 a
 * two-minute rate-limit wait takes 120 real milliseconds. Pair it with the simulator's own time scale.
 */
export function createScaledClock(scale: number, start = Date.now()): Clock {
  if (!(scale > 0)) throw new RangeError('scale must be positive');
  const realStart = Date.now();
  return {
    now: () => start + (Date.now() - realStart) / scale,
    sleep: (ms, signal) => realSleep(ms * scale, signal),
  };
}
