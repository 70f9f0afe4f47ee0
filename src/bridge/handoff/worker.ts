import { messageOf } from '../../lib/error-message.ts';
import type { Logger } from '../../lib/logger.ts';
import type { EventStore } from '../store/store.ts';
import { HANDOFF_STATE, type StoredHandoff } from '../store/handoff-store.ts';
import type { Finisher } from './finisher.ts';
import { follow, startFollowing } from './follow.ts';
import { HandoffRequestSchema } from './handoff-request.ts';

// Works the handoffs: every interval, claims the due ones (a lease, so one replica at a time), reads the
// events of each one's subject, runs the state machine over them, and finishes those with an outcome. A
// GitHub failure worth retrying is tried again with backoff; a replica that dies mid-way lets its lease run
// out, and another takes the handoff over. Each pass re-reads from the first event: a build has a handful.

export interface HandoffWorkerOptions {
  store: EventStore;
  finisher: Finisher;
  logger: Logger;
  /** This process, for leases: the bridge passes host, pid and a random part. */
  owner: string;
  now?: () => number;
  /** How often due handoffs are looked for (default 2 s). */
  intervalMs?: number;
  /** How long a claim lasts (default 60 s): longer than one pass can take. */
  leaseMs?: number;
  /** Attempts at the GitHub calls before giving up (default 10, about 40 min with the backoff). */
  maxAttempts?: number;
}

const BATCH = 20;
const APPEND_DEBOUNCE_MS = 50;
const MAX_BACKOFF_MS = 10 * 60_000;
const EVENTS_PER_READ = 500;

export interface HandoffWorker {
  /** One pass now (tests; the timer runs them otherwise). */
  runOnce(): Promise<void>;
  close(): Promise<void>;
}

export function startHandoffWorker(options: HandoffWorkerOptions): HandoffWorker {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 2_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const { store, logger, owner } = options;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  async function work(handoff: StoredHandoff): Promise<void> {
    const parsed = HandoffRequestSchema.safeParse(handoff.request);
    if (!parsed.success) {
      await store.handoffs.update(handoff.id, owner, now(), {
        state: HANDOFF_STATE.finished,
        outcome: 'error',
        detail: 'the stored request is not a handoff request',
        release: true,
      });
      return;
    }
    const request = parsed.data;
    const events = await store.read({
      provider: request.provider,
      subject: request.subject,
      after: 0,
      limit: EVENTS_PER_READ,
    });
    const at = now();
    const { result } = follow(startFollowing(request, handoff.createdAt), events, at);
    const cursor = events.at(-1)?.cursor ?? handoff.cursor;
    if (!result) {
      // Due again at once: the next append (or the next tick, for the deadline) looks at it.
      await store.handoffs.update(handoff.id, owner, at, { cursor, nextAttemptAt: at, release: true });
      return;
    }
    const attempt = await options.finisher.finish(handoff.repository, handoff.id, request, result);
    const outcome = result.outcome ?? 'error';
    if (attempt.done) {
      await store.handoffs.update(handoff.id, owner, now(), {
        state: HANDOFF_STATE.finished,
        outcome,
        detail: [result.objection ?? result.failure, ...attempt.warnings].filter(Boolean).join('; ') || null,
        cursor,
        release: true,
      });
      logger.info(`handoff ${handoff.id} finished: ${outcome}`);
      return;
    }
    const attempts = handoff.attempts + 1;
    const giveUp = attempts >= maxAttempts;
    await store.handoffs.update(handoff.id, owner, now(), {
      attempts,
      cursor,
      detail: `GitHub: ${attempt.retry}`,
      ...(giveUp
        ? { state: HANDOFF_STATE.finished, outcome }
        : { nextAttemptAt: now() + Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** (attempts - 1)) }),
      release: true,
    });
    logger.warn(`handoff ${handoff.id}: GitHub call failed (attempt ${attempts}): ${attempt.retry}`);
  }

  async function pass(): Promise<void> {
    const claimed = await store.handoffs.claim(owner, now(), leaseMs, BATCH);
    for (const handoff of claimed) {
      if (closed) return;
      try {
        await work(handoff);
      } catch (error) {
        // The lease runs out and the handoff is taken up again: nothing is lost.
        logger.warn(`handoff ${handoff.id}: ${messageOf(error)}; tried again once its lease runs out`);
      }
    }
  }

  const runOnce = () =>
    (running = running.then(pass, pass).catch((error: unknown) => {
      logger.warn(`handoff worker: ${messageOf(error)}`);
    }));
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  // An append may be a followed build's outcome: look at once rather than at the next tick. A handoff is
  // still taken only when due, and a burst of appends makes one pass, not one each.
  let soon: NodeJS.Timeout | undefined;
  const unsubscribe = store.onAppend(() => {
    soon ??= setTimeout(() => {
      soon = undefined;
      void runOnce();
    }, APPEND_DEBOUNCE_MS);
  });
  return {
    runOnce,
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(soon);
      unsubscribe();
      await running;
    },
  };
}
