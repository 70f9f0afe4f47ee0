import { BUILD_EVENT, pipelineIndex } from '../webhooks/providers/streampixel-envelope.ts';
import { displayText, MAX_OBJECTION_CHARS } from '../webhooks/display-text.ts';
import { TERMINAL_PHASES, UNIT_OF_WORK, type NormalizedEvent } from '../webhooks/event.ts';
import { formatMinutes, formatTimeOfDay } from './format.ts';
import { countFromNow, createTracker, follow, observe } from './outcome-tracker.ts';
import type {
  ApiCall,
  Effect,
  MachineConfig,
  MachineInput,
  Outcome,
  ReceivedWebhook,
  ReleaseState,
  Result,
  TimelineEntry,
  Transition,
} from './types.ts';

// The release state machine: pure. It decides; src/release/orchestrate.ts carries the effects out and
// feeds back what happened. `now` is passed in so every rule can be table-tested without a clock.

const SAVING_INDEX = pipelineIndex(BUILD_EVENT.saving);
/** Even a `Retry-After: 0` waits this long: a refused call is never repeated in a tight loop. */
const MIN_RETRY_MS = 1000;
/**
 * DESIGN §3.3: after Distribute, an event Streampixel stamped more than this before the call is a late
 * duplicate of an earlier run (an old build.approved), whenever it is received. Allows for clock skew.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 10 * 60_000;

/** Only these commands are given a build; the others learn theirs from the upload answer, or have none. */
const takesUploadId = (config: MachineConfig): boolean =>
  config.command === 'distribute' || config.command === 'wait';

/** The build this run follows: given (distribute, wait) or learnt from the upload answer; null before. */
export const buildOf = (state: ReleaseState): string | null => state.tracker.subject;

export function createReleaseState(config: MachineConfig): ReleaseState {
  const tracker = createTracker(
    {
      provider: config.provider,
      // Streampixel events name their project; the other providers' subjects are unique on their own.
      scope: config.provider === 'streampixel' ? config.projectId : null,
      countTests: config.command === 'test-webhook',
      maxBuffered: config.maxBuffered,
      skewAllowanceMs: CLOCK_SKEW_ALLOWANCE_MS,
    },
    // A leftover upload-id must never decide a release's outcome: the build is the one the upload creates.
    takesUploadId(config) ? config.uploadId : null,
    // Until the call is made, nothing counts for the commands that count only what follows it; a wait may be
    // told where counting starts (a Distribute made by a job that handed the rest off).
    config.command === 'distribute' || config.command === 'test-webhook'
      ? Number.POSITIVE_INFINITY
      : (config.countFrom ?? null),
  );
  return {
    config,
    phase: 'starting',
    tracker,
    timeline: [],
    furthestStage: null,
    lastProgressAt: config.startedAt,
    processed: false,
    distributed: false,
    inFlight: null,
    inFlightSince: null,
    waitPathProblem: null,
    pendingCall: null,
    nextAttemptAt: null,
    lastDistributeAttemptAt: null,
    notBefore: null,
    lastRefusal: null,
    result: null,
  };
}

/** When the machine next wants a `tick`: a scheduled attempt or the deadline. */
export function nextWakeAt(state: ReleaseState): number | null {
  if (state.phase === 'done') return null;
  const { deadline } = state.config;
  return state.nextAttemptAt === null ? deadline : Math.min(state.nextAttemptAt, deadline);
}

export function transition(state: ReleaseState, input: MachineInput, now: number): Transition {
  if (state.phase === 'done') return { state, effects: [] };
  const step = new Step(state);
  // Past the deadline nothing more happens, not even the call this input would have led to.
  tick(step, now);
  if (step.done) return { state: step.state, effects: step.effects };
  switch (input.type) {
    case 'start':
      start(step, now);
      break;
    case 'upload-accepted':
      uploadAccepted(step, input.uploadId, now);
      break;
    case 'distribute-accepted':
      distributeAccepted(step);
      break;
    case 'test-webhook-answered':
      testWebhookAnswered(step, input.statusCode);
      break;
    case 'call-refused':
      callRefused(step, input.call, input.retryAfterMs, input.detail, now);
      break;
    case 'wait-path':
      step.update({ waitPathProblem: input.problem });
      break;
    case 'webhook':
      receive(step, input.webhook, now);
      break;
    case 'tick':
      break;
  }
  // Every input doubles as a tick: the deadline and scheduled attempts are checked after each one.
  tick(step, now);
  return { state: step.state, effects: step.effects };
}

/** Accumulates the next state and the effects of one transition. */
class Step {
  state: ReleaseState;
  readonly effects: Effect[] = [];
  constructor(state: ReleaseState) {
    this.state = state;
  }
  get done(): boolean {
    return this.state.phase === 'done';
  }
  update(patch: Partial<ReleaseState>): void {
    this.state = { ...this.state, ...patch };
  }
  emit(effect: Effect): void {
    this.effects.push(effect);
  }
  log(level: 'debug' | 'info' | 'warn', message: string): void {
    this.effects.push({ type: 'log', level, message });
  }
  call(call: ApiCall, now: number): void {
    this.update({
      inFlight: call,
      inFlightSince: now,
      pendingCall: null,
      nextAttemptAt: null,
      ...(call === 'distribute' ? { lastDistributeAttemptAt: now } : {}),
    });
    this.emit({ type: 'call', call });
  }
  finish(result: Result): void {
    this.update({
      phase: 'done',
      result,
      inFlight: null,
      pendingCall: null,
      nextAttemptAt: null,
      tracker: { ...this.state.tracker, buffered: [] },
    });
    this.emit({ type: 'finish', result });
  }
}

/** Whether this run calls Distribute itself: a staged release, or the `distribute` command. */
const mustDistribute = (config: MachineConfig): boolean =>
  config.command === 'distribute' || (config.command === 'release' && !config.autoRelease);

const succeed = (outcome: Outcome): Result => ({ outcome, failure: null, objection: null });

/** How a run that does not wait ends once Streampixel accepted its call: the bridge follows it, or nobody. */
const notWaiting = (config: MachineConfig): Result => succeed(config.handOff ? 'handed-off' : 'submitted');

function start(step: Step, now: number): void {
  const { command } = step.state.config;
  switch (command) {
    case 'release':
    case 'upload':
      step.update({ phase: 'uploading' });
      step.call('upload', now);
      return;
    case 'distribute':
      // Only events received after this call count: an earlier build.approved of the same build must
      // not end a rollback's wait.
      step.update({ phase: 'distributing', tracker: countFromNow(step.state.tracker, now) });
      step.call('distribute', now);
      return;
    case 'wait':
      step.update({ phase: 'awaiting-outcome' });
      return;
    case 'test-webhook':
      step.update({ phase: 'testing', tracker: countFromNow(step.state.tracker, now) });
      step.call('test-webhook', now);
      return;
  }
}

function uploadAccepted(step: Step, uploadId: string, now: number): void {
  const { config } = step.state;
  const followed = follow(step.state.tracker, uploadId);
  step.update({ tracker: followed.state, inFlight: null, inFlightSince: null, lastProgressAt: now });
  step.emit({ type: 'upload-id', uploadId });
  step.log('info', `Streampixel accepted the upload: build ${uploadId}`);
  if (!config.waitForOutcome) return step.finish(notWaiting(config));

  const distributes = mustDistribute(config);
  step.update({ phase: distributes || config.command === 'upload' ? 'processing' : 'awaiting-outcome' });
  // Blind Distribute attempts start only if the build shows no progress (stage events unticked).
  if (distributes) schedule(step, 'distribute', now + config.retryIntervalMs);

  for (const webhook of followed.held) {
    if (step.done) return;
    receive(step, webhook, now);
  }
}

function distributeAccepted(step: Step): void {
  step.update({ inFlight: null, inFlightSince: null, distributed: true });
  const { config } = step.state;
  step.log('info', `Streampixel accepted Distribute for build ${buildOf(step.state)}`);
  if (!config.waitForOutcome) return step.finish(notWaiting(config));
  step.update({ phase: 'awaiting-outcome' });
}

function testWebhookAnswered(step: Step, statusCode: number): void {
  step.update({ inFlight: null, inFlightSince: null });
  if (statusCode >= 200 && statusCode < 300) {
    step.log('info', `Your webhook endpoint answered ${statusCode} to Streampixel's test event`);
    if (!step.state.config.waitForOutcome) step.finish(succeed('test-delivered'));
    return;
  }
  const failure =
    statusCode === 0
      ? 'Streampixel could not reach your webhook endpoint (statusCode 0): check that the webhook URL in the ' +
        "Streampixel dashboard is public and points at the bridge's /hooks/streampixel/<ingest-token> URL or the receiver"
      : `Your webhook endpoint answered ${statusCode} to Streampixel's test event: check the webhook URL in the ` +
        'Streampixel dashboard (a 404 usually means a wrong ingest token or receiver-path)';
  step.finish({ outcome: null, failure, objection: null });
}

function callRefused(
  step: Step,
  call: ApiCall,
  retryAfterMs: number | null,
  detail: string,
  now: number,
): void {
  const at = now + Math.max(MIN_RETRY_MS, retryAfterMs ?? step.state.config.retryIntervalMs);
  // An explicit wait (429) binds later attempts too; a "not ready" 400 only spaces the next blind one.
  step.update({
    inFlight: null,
    inFlightSince: null,
    lastRefusal: detail,
    notBefore: retryAfterMs === null ? step.state.notBefore : at,
  });
  step.log('info', `${detail}; next ${call} attempt in ${Math.ceil((at - now) / 1000)} s`);
  schedule(step, call, at);
}

function schedule(step: Step, call: ApiCall, at: number): void {
  step.update({ pendingCall: call, nextAttemptAt: at });
}

function tick(step: Step, now: number): void {
  if (step.done) return;
  const { state } = step;
  if (now >= state.config.deadline) return step.finish(deadlinePassed(state));
  if (
    state.pendingCall &&
    state.inFlight === null &&
    state.nextAttemptAt !== null &&
    now >= state.nextAttemptAt
  ) {
    step.call(state.pendingCall, now);
  }
}

function receive(step: Step, webhook: ReceivedWebhook, now: number): void {
  const observed = observe(step.state.tracker, webhook);
  step.update({ tracker: observed.state });
  const { verdict } = observed;
  if (verdict.kind === 'ignored' && verdict.why) step.log('debug', verdict.why);
  if (verdict.kind !== 'counted') return;

  const { event, receivedAt } = webhook;
  if (event.phase === 'test') {
    // Its ids are placeholders, so only the time tells it answers our test call (the tracker checked it).
    step.log('info', "Streampixel's webhook.test event arrived");
    return step.finish(succeed('test-delivered'));
  }
  // Matching used the raw fields; what is kept for people to read is made safe to show.
  const entry: TimelineEntry = {
    event: event.type,
    status: displayText(event.status ?? ''),
    timestamp: event.occurredAt ?? new Date(receivedAt).toISOString(),
    receivedAt: new Date(receivedAt).toISOString(),
  };
  step.update({ timeline: [...step.state.timeline, entry] });
  step.emit({ type: 'event', entry });

  if (TERMINAL_PHASES.has(event.phase)) return step.finish(ending(step.state, event));
  if (step.state.config.provider === 'streampixel') return progress(step, entry, now);
  // Another provider's unit of work: its events have no pipeline order to track, only the latest.
  const furthest = step.state.furthestStage;
  if (furthest === null || Date.parse(entry.timestamp) >= Date.parse(furthest.timestamp)) {
    step.update({ furthestStage: entry });
  }
  step.update({ lastProgressAt: now });
}

/** The result a terminal event gives, in the words of its provider. */
function ending(state: ReleaseState, event: NormalizedEvent): Result {
  const detail = event.detail ? displayText(event.detail, MAX_OBJECTION_CHARS) : null;
  const links = Object.keys(event.links).length > 0 ? { links: event.links } : {};
  if (state.config.provider === 'streampixel') {
    if (event.phase === 'success')
      return succeed(state.config.command === 'upload' ? 'processed' : 'approved');
    return {
      outcome: 'rejected',
      failure: `Streampixel rejected build ${buildOf(state)}: ${detail ?? 'no objection given'}`,
      objection: detail,
    };
  }
  const what = `${UNIT_OF_WORK[state.config.provider]} ${buildOf(state)}`;
  switch (event.phase) {
    case 'success':
      return { ...succeed('succeeded'), ...links };
    case 'cancelled':
      return {
        outcome: 'cancelled',
        failure: `${what} was cancelled (${event.type})`,
        objection: detail,
        ...links,
      };
    default:
      return {
        outcome: 'failed',
        failure: `${what} failed: ${detail ?? `${event.type}, no reason given`}`,
        objection: detail,
        ...links,
      };
  }
}

/** A pipeline stage of our build arrived: note how far it got and distribute once it is processed. */
function progress(step: Step, entry: TimelineEntry, now: number): void {
  const { state } = step;
  const index = pipelineIndex(entry.event);
  const furthest = state.furthestStage;
  if (furthest === null || index >= pipelineIndex(furthest.event)) step.update({ furthestStage: entry });
  step.update({ lastProgressAt: now });
  if (index < SAVING_INDEX) {
    // Progress is visible: push any blind Distribute attempt back so it does not burn the rate limit.
    if (state.pendingCall === 'distribute' && !state.processed) {
      schedule(step, 'distribute', Math.max(now + state.config.retryIntervalMs, state.nextAttemptAt ?? 0));
    }
    return;
  }
  step.update({ processed: true });
  if (state.config.command === 'upload') return step.finish(succeed('processed'));
  if (!mustDistribute(state.config) || state.distributed || state.inFlight === 'distribute') return;
  // Processed: distribute now, or as soon as the previous attempt's rate-limit window (or the
  // Retry-After of its refusal) has passed.
  const last = state.lastDistributeAttemptAt;
  const windowEnd = last === null ? now : last + state.config.retryIntervalMs;
  schedule(step, 'distribute', Math.max(now, windowEnd, state.notBefore ?? now));
}

/** The deadline passed before the outcome: say what is known, and name what held things back. */
function deadlinePassed(state: ReleaseState): Result {
  const { config } = state;
  const minutes = formatMinutes(config.deadline - config.startedAt);
  if (state.phase === 'starting') {
    // Pre-flight never finished: nothing was sent, and there is no outcome to tolerate.
    return failed(
      `Nothing was sent to Streampixel: the wait path was not ready within ${minutes} ` +
        `(${state.waitPathProblem ?? 'the release bridge did not answer'}); check bridge-url and that the bridge is running`,
    );
  }
  if (state.inFlight === 'upload') {
    return failed(
      `No answer to the upload within ${minutes}. The request may have reached Streampixel and created a ` +
        `build; the action does not retry, since a retry could create a second build. Check the Streampixel ` +
        `dashboard for a new build of project ${config.projectId} before re-running this job.`,
    );
  }
  const uploadId = buildOf(state);
  const subject =
    uploadId === null ? `project ${config.projectId}` : `${UNIT_OF_WORK[config.provider]} ${uploadId}`;
  const what = config.command === 'test-webhook' ? 'No webhook.test event' : `No outcome for ${subject}`;
  const parts = [`${what} after ${minutes}`];
  if (state.furthestStage) {
    parts.push(
      `last stage: ${state.furthestStage.event} at ${formatTimeOfDay(state.furthestStage.timestamp)}`,
    );
  }
  if (state.inFlight !== null && state.inFlightSince !== null) {
    parts.push(
      `${callName(state.inFlight)} was called at ${timeOfDay(state.inFlightSince)} and never answered`,
    );
  }
  if (state.waitPathProblem) {
    parts.push(`${state.waitPathProblem}: events may have been sent that never reached this step`);
  } else if (config.command === 'test-webhook') {
    parts.push('check that the webhook URL in the Streampixel dashboard points at this bridge or receiver');
  } else if (!state.furthestStage && uploadId !== null && state.inFlight === null) {
    parts.push(
      'no event of this build arrived: check the webhook URL and the ticked events in the Streampixel dashboard',
    );
  }
  if (state.lastRefusal) parts.push(`last API answer: ${state.lastRefusal}`);
  return { outcome: 'timed-out', failure: parts.join('; '), objection: null };
}

const failed = (failure: string): Result => ({ outcome: null, failure, objection: null });

const callName = (call: ApiCall): string =>
  call === 'upload' ? 'Upload' : call === 'distribute' ? 'Distribute' : 'Test Webhook';

const timeOfDay = (ms: number): string => formatTimeOfDay(new Date(ms).toISOString());
