import { displayText } from '../webhooks/display-text.ts';
import type { NormalizedEvent, ProviderId } from '../webhooks/event.ts';

// Which events count for the unit of work a job waits for, read only from the normalised shape, whatever the
// provider: the right provider, scope and subject; each event once (dedupe key); after the point counting
// starts; held while the subject is not known yet. Pure: the release machine and the generic wait use it.

/** An event as the receiver or the bridge hands it over, with when it reached us. */
export interface TrackedEvent {
  event: NormalizedEvent;
  receivedAt: number;
}

export interface TrackerConfig {
  provider: ProviderId;
  /** Events of another project or workspace are ignored; null accepts any. */
  scope: string | null;
  /** `test` events count (and only they, matched by time alone: their ids are placeholders). */
  countTests: boolean;
  /** Cap on events held for a not-yet-known subject; the oldest go first. */
  maxBuffered: number;
  /**
   * After counting starts, an event stamped more than this before that moment is a late re-delivery of an
   * earlier run's event, whenever it is received (DESIGN §3.3: 10 minutes of clock skew allowed).
   */
  skewAllowanceMs: number;
}

export interface TrackerState {
  config: TrackerConfig;
  /** The unit of work; null until known (events are held meanwhile). */
  subject: string | null;
  /** Events received before this moment do not count; null counts every one. */
  countFrom: number | null;
  seen: ReadonlySet<string>;
  buffered: readonly TrackedEvent[];
}

export type Verdict =
  | { kind: 'counted' }
  | { kind: 'held' }
  /** `why` is a line for a debug log; null for events that are simply someone else's. */
  | { kind: 'ignored'; why: string | null };

export interface Observation {
  state: TrackerState;
  verdict: Verdict;
}

export function createTracker(
  config: TrackerConfig,
  subject: string | null,
  countFrom: number | null,
): TrackerState {
  return { config, subject, countFrom, seen: new Set(), buffered: [] };
}

/** From now on only what is received counts (a Distribute or a test call was just made). */
export const countFromNow = (state: TrackerState, now: number): TrackerState => ({
  ...state,
  countFrom: now,
});

/** The subject became known: set it and hand back the held events, to be observed again in order. */
export function follow(
  state: TrackerState,
  subject: string,
): { state: TrackerState; held: readonly TrackedEvent[] } {
  return { state: { ...state, subject, buffered: [] }, held: state.buffered };
}

export function observe(state: TrackerState, tracked: TrackedEvent): Observation {
  const { event, receivedAt } = tracked;
  const { config } = state;
  const ignore = (why: string | null): Observation => ({ state, verdict: { kind: 'ignored', why } });
  if (event.provider !== config.provider) return ignore(null);
  const early = state.countFrom !== null && receivedAt < state.countFrom;

  if (event.phase === 'test') {
    if (!config.countTests) return ignore(null);
    return early ? ignore(`Ignored ${event.type} received before the test call`) : count(state, event);
  }
  if (event.phase === 'other') return ignore(`Ignored unknown event ${displayText(event.type)}`);
  if (config.scope !== null && event.scope !== config.scope) return ignore(null);
  if (event.subject === '') return ignore(null);
  if (state.subject === null) {
    // An event can beat the answer that names the subject (build.uploaded before the upload's answer).
    const buffered = [...state.buffered, tracked].slice(-config.maxBuffered);
    return { state: { ...state, buffered }, verdict: { kind: 'held' } };
  }
  if (event.subject !== state.subject) return ignore(null);
  if (early) return ignore(`Ignored ${event.type} received before counting started`);
  if (state.countFrom !== null && event.occurredAt !== null) {
    if (Date.parse(event.occurredAt) < state.countFrom - config.skewAllowanceMs) {
      return ignore(
        `Ignored ${event.type} stamped ${displayText(event.occurredAt)}, before counting started`,
      );
    }
  }
  return count(state, event);
}

function count(state: TrackerState, event: NormalizedEvent): Observation {
  if (state.seen.has(event.dedupeKey))
    return { state, verdict: { kind: 'ignored', why: `Ignored duplicate ${event.type}` } };
  return {
    state: { ...state, seen: new Set(state.seen).add(event.dedupeKey) },
    verdict: { kind: 'counted' },
  };
}
