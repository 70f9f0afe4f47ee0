import type { Links, ProviderId } from '../webhooks/event.ts';
import type { TrackedEvent, TrackerState } from './outcome-tracker.ts';

export const COMMANDS = ['release', 'upload', 'distribute', 'wait', 'test-webhook'] as const;
export type Command = (typeof COMMANDS)[number];

export const OUTCOMES = [
  'approved',
  'rejected',
  'timed-out',
  'submitted',
  'processed',
  'test-delivered',
  // wait-via handoff: the job made its calls and the release bridge follows the build from here.
  'handed-off',
  // Another provider's unit of work (command wait with provider set).
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type ApiCall = 'upload' | 'distribute' | 'test-webhook';

/** A webhook as a receiver or the bridge hands it over: the normalised event and when it reached us. */
export type ReceivedWebhook = TrackedEvent;

/** One counted event of this build, as shown in the `events` output and the summary. */
export interface TimelineEntry {
  event: string;
  status: string;
  timestamp: string;
  receivedAt: string;
}

export interface MachineConfig {
  command: Command;
  /** Whose events end the wait; everything but Streampixel is `wait` only. */
  provider: ProviderId;
  projectId: string;
  /** Known up front for `distribute` and `wait`; learnt from the upload answer otherwise. */
  uploadId: string | null;
  autoRelease: boolean;
  /** `false` for `wait-via: none` and `handoff`: the step ends once Streampixel accepted the call. */
  waitForOutcome: boolean;
  /** `wait-via: handoff`: a run that does not wait ends `handed-off` rather than `submitted`. */
  handOff?: boolean;
  startedAt: number;
  deadline: number;
  /** Streampixel's per-user rate-limit window, also the spacing of blind Distribute attempts. */
  retryIntervalMs: number;
  /** Cap on events held for a not-yet-known uploadId. */
  maxBuffered: number;
  /** `wait` only: count events received from this moment on (ms); absent or null counts every one. */
  countFrom?: number | null;
}

export type Phase =
  'starting' | 'uploading' | 'processing' | 'distributing' | 'awaiting-outcome' | 'testing' | 'done';

export interface Result {
  /** null when the step ended without any outcome: a wait path that never worked, an upload left unanswered. */
  outcome: Outcome | null;
  /** Set when the step should fail, unless `fail-on-*` says otherwise for rejections and timeouts. */
  failure: string | null;
  objection: string | null;
  /** What the terminal event handed on (artifact URL, media and playback ids, video id). */
  links?: Links;
}

export interface ReleaseState {
  config: MachineConfig;
  phase: Phase;
  /** Which events count: this build's, once each, after the Distribute or test call. */
  tracker: TrackerState;
  timeline: readonly TimelineEntry[];
  /** The most advanced pipeline stage seen, whatever order the events arrived in. */
  furthestStage: TimelineEntry | null;
  lastProgressAt: number;
  processed: boolean;
  distributed: boolean;
  inFlight: ApiCall | null;
  /** When the call in flight was made. */
  inFlightSince: number | null;
  /** What currently keeps events from arriving (the bridge unreachable, say), for the timeout message. */
  waitPathProblem: string | null;
  /** The call to make once the clock reaches `nextAttemptAt`. */
  pendingCall: ApiCall | null;
  nextAttemptAt: number | null;
  lastDistributeAttemptAt: number | null;
  /** A refused call may not be repeated before this (Retry-After, or the rate-limit window). */
  notBefore: number | null;
  /** The last refusal from the API, for the timeout message. */
  lastRefusal: string | null;
  result: Result | null;
}

export type MachineInput =
  | { type: 'start' }
  | { type: 'tick' }
  | { type: 'webhook'; webhook: ReceivedWebhook }
  | { type: 'upload-accepted'; uploadId: string }
  | { type: 'distribute-accepted' }
  | { type: 'test-webhook-answered'; statusCode: number }
  /** The event source's health changed: a sentence naming what holds events back, or null once it works. */
  | { type: 'wait-path'; problem: string | null }
  /** The call was refused in a way that is safe to repeat: 429, Distribute's "not processed" 400, a 5xx. */
  | { type: 'call-refused'; call: ApiCall; retryAfterMs: number | null; detail: string };

export type Effect =
  | { type: 'call'; call: ApiCall }
  | { type: 'upload-id'; uploadId: string }
  | { type: 'event'; entry: TimelineEntry }
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; message: string }
  | { type: 'finish'; result: Result };

export interface Transition {
  state: ReleaseState;
  effects: Effect[];
}
