import { createReleaseState, transition } from '../../wait/release-machine.ts';
import type { ReleaseState, Result } from '../../wait/types.ts';
import { isProviderId, type NormalizedEvent } from '../../webhooks/event.ts';
import { normalizedPart } from '../event-view.ts';
import type { StoredEvent } from '../store/store.ts';
import type { HandoffRequest } from './handoff-request.ts';

// The bridge follows a handed-off build with the same state machine the job would have run: its `wait`,
// fed the events the bridge stored, with the job's deadline. Pure: the worker feeds it, and stores progress.

/** The machine a handoff starts from, at its registration. */
export function startFollowing(request: HandoffRequest, registeredAt: number): ReleaseState {
  const state = createReleaseState({
    command: 'wait',
    provider: request.provider,
    projectId: request.projectId ?? '',
    uploadId: request.subject,
    autoRelease: false,
    waitForOutcome: true,
    startedAt: registeredAt,
    deadline: request.deadline,
    retryIntervalMs: 0,
    maxBuffered: 0,
    countFrom: request.countFrom,
  });
  return transition(state, { type: 'start' }, registeredAt).state;
}

/** The stored event as the machine reads it; null for a row that was never normalised. */
export function trackedOf(stored: StoredEvent): { event: NormalizedEvent; receivedAt: number } | null {
  const { phase, provider, ...rest } = normalizedPart(stored);
  if (phase === null || !isProviderId(provider)) return null;
  return { receivedAt: Date.parse(stored.receivedAt), event: { ...rest, provider, phase } };
}

/**
 * Feeds `events` (in cursor order) and then the clock: the result once the build's outcome is in or the
 * deadline has passed, else null and the state to continue from.
 */
export function follow(
  state: ReleaseState,
  events: readonly StoredEvent[],
  now: number,
): { state: ReleaseState; result: Result | null } {
  let current = state;
  for (const stored of events) {
    const tracked = trackedOf(stored);
    if (!tracked) continue;
    current = transition(
      current,
      { type: 'webhook', webhook: tracked },
      Math.min(now, tracked.receivedAt),
    ).state;
  }
  current = transition(current, { type: 'tick' }, now).state;
  return { state: current, result: current.result };
}
