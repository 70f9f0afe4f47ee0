import type { EventStore } from './store/store.ts';

// Deletes events older than BRIDGE_RETENTION_DAYS: once at start, then every hour. A build's events matter
// for minutes; a month of them serves reruns and audits. The timer is unref'd so it never holds the process.

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface RetentionJobOptions {
  store: Pick<EventStore, 'purgeOlderThan'>;
  retentionDays: number;
  logger: RetentionLogger;
  now?: () => number;
  intervalMs?: number;
}

export interface RetentionJob {
  /** Runs one purge now; resolves with how many events it deleted (0 when it failed, which it logs). */
  runOnce(): Promise<number>;
  /** Stops the schedule and waits for a purge in progress. */
  close(): Promise<void>;
}

/** Starts at once: the first purge is already running when this returns. */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const now = options.now ?? Date.now;
  let running: Promise<number> = Promise.resolve(0);
  let closed = false;

  const purge = async (): Promise<number> => {
    const cutoff = new Date(now() - options.retentionDays * DAY_MS);
    try {
      const purged = await options.store.purgeOlderThan(cutoff);
      if (purged > 0) options.logger.info({ purged, cutoff: cutoff.toISOString() }, 'purged old events');
      return purged;
    } catch (error) {
      options.logger.error({ err: error }, 'could not purge old events; retrying at the next interval');
      return 0;
    }
  };
  const runOnce = () => {
    // One purge at a time: a slow one is not stacked on by the next tick.
    running = running.then(purge);
    return running;
  };

  const timer = setInterval(() => {
    if (!closed) void runOnce();
  }, options.intervalMs ?? RETENTION_INTERVAL_MS);
  timer.unref();
  void runOnce();

  return {
    runOnce,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
