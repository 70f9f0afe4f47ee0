import { messageOf } from '../../lib/error-message.ts';
import type { Logger } from '../../lib/logger.ts';
import { formatDuration } from '../../wait/format.ts';
import type { BridgeMetrics } from '../metrics.ts';
import type { EventStore } from '../store/store.ts';
import { HANDOFF_STATE, type HandoffPatch, type StoredHandoff } from '../store/handoff-store.ts';
import type { Finisher } from './finisher.ts';
import { follow, startFollowing } from './follow.ts';
import { HandoffRequestSchema } from './handoff-request.ts';

// Works the handoffs: every interval, claims the due ones (a lease, so one replica at a time), reads the
// events of each one's subject, runs the state machine over them, and finishes those with an outcome. A
// GitHub failure worth retrying is tried again with backoff; a replica that dies mid-way lets its lease run
// out, and another takes the handoff over. Each pass re-reads from the first event: a build has a handful.
// Every transition is logged: taken up by this process, outcome known, GitHub failed (and when it is tried
// again), finished, given up, lease lost.

export interface HandoffWorkerOptions {
  store: EventStore;
  finisher: Finisher;
  logger: Logger;
  metrics?: Pick<BridgeMetrics, 'handoffFinished' | 'handoffGitHubFailed'>;
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
  const { store, logger, owner, metrics } = options;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  // The handoffs this process has taken up (id → deadline), so that is logged once, not at every pass. One
  // another replica finished is forgotten once its deadline has passed.
  const held = new Map<string, number>();

  /** Saves progress; a lease that ran out means another replica has the handoff now. */
  async function save(id: string, patch: HandoffPatch): Promise<boolean> {
    const saved = await store.handoffs.update(id, owner, now(), patch);
    if (!saved) logger.warn(`handoff ${id}: lease ran out; another replica carries on with it`);
    if (!saved || patch.state === HANDOFF_STATE.finished) held.delete(id);
    return saved;
  }

  async function work(handoff: StoredHandoff): Promise<void> {
    const parsed = HandoffRequestSchema.safeParse(handoff.request);
    if (!parsed.success) {
      logger.error(`handoff ${handoff.id}: the stored request is not a handoff request; ended as error`);
      await save(handoff.id, {
        state: HANDOFF_STATE.finished,
        outcome: 'error',
        detail: 'the stored request is not a handoff request',
        release: true,
      });
      metrics?.handoffFinished('error');
      return;
    }
    const request = parsed.data;
    if (!held.has(handoff.id)) {
      held.set(handoff.id, request.deadline);
      logger.info(
        `handoff ${handoff.id}: following ${request.provider} ${JSON.stringify(request.subject)} ` +
          (handoff.repository ? `for ${handoff.repository}` : 'for the handoff token (a notification only)') +
          `, deadline in ${formatDuration(request.deadline - now())}` +
          (handoff.attempts > 0 ? `, after ${handoff.attempts} failed GitHub attempts` : ''),
      );
    }
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
      await save(handoff.id, { cursor, nextAttemptAt: at, release: true });
      return;
    }
    const outcome = result.outcome ?? 'error';
    const why = result.objection ?? result.failure;
    if (handoff.attempts === 0)
      logger.info(
        `handoff ${handoff.id}: outcome ${outcome}${why ? ` (${JSON.stringify(why)})` : ''}; finishing`,
      );
    const attempt = await options.finisher.finish(handoff.repository, handoff.id, request, result);
    if (attempt.done) {
      if (attempt.gitHubRefused) metrics?.handoffGitHubFailed('refused');
      const saved = await save(handoff.id, {
        state: HANDOFF_STATE.finished,
        outcome,
        detail: [why, ...attempt.warnings].filter(Boolean).join('; ') || null,
        cursor,
        release: true,
      });
      if (saved) {
        metrics?.handoffFinished(outcome);
        logger.info(`handoff ${handoff.id} finished: ${outcome}`);
      }
      return;
    }
    const attempts = handoff.attempts + 1;
    const giveUp = attempts >= maxAttempts;
    const delay = Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** (attempts - 1));
    const saved = await save(handoff.id, {
      attempts,
      cursor,
      detail: `GitHub: ${attempt.retry}`,
      ...(giveUp ? { state: HANDOFF_STATE.finished, outcome } : { nextAttemptAt: now() + delay }),
      release: true,
    });
    metrics?.handoffGitHubFailed(giveUp ? 'gave_up' : 'retrying');
    if (giveUp) {
      if (saved) metrics?.handoffFinished(outcome);
      logger.error(
        `handoff ${handoff.id}: GitHub call failed ${attempts} times; gave up (${attempt.retry}); ` +
          `outcome ${outcome} recorded, the Deployment keeps its last status`,
      );
    } else
      logger.warn(
        `handoff ${handoff.id}: GitHub call failed (attempt ${attempts} of ${maxAttempts}): ${attempt.retry}; ` +
          `tried again in ${formatDuration(delay)}`,
      );
  }

  async function pass(): Promise<void> {
    for (const [id, deadline] of held) if (deadline < now() - leaseMs) held.delete(id);
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
