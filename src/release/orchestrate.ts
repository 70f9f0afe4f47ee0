import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { StreampixelClient } from '../streampixel/client.ts';
import { messageOf } from '../lib/error-message.ts';
import { ERROR_CODE, ReleaseError, StreampixelApiError } from '../streampixel/errors.ts';
import { RATE_LIMIT_WINDOW_MS, TEST_UPLOAD_ID } from '../streampixel/schemas.ts';
import { buildOf, createReleaseState, nextWakeAt, transition } from '../wait/release-machine.ts';
import type {
  ApiCall,
  MachineInput,
  ReceivedWebhook,
  ReleaseState,
  Result,
  TimelineEntry,
} from '../wait/types.ts';
import type { HandoffReceipt } from './handoff-client.ts';
import { givenSubjectOf, providerOf, type ReleasePlan, type ReleaseRequest } from './request.ts';

// Carries out what the release state machine decides: API calls, timers and incoming webhooks all
// become inputs of one queue, handled one at a time, so the machine never sees two things at once.

/** 'start': every stored event of the subject counts; 'latest': only those stored from now on. */
export type FollowFrom = 'start' | 'latest';

/** What an event source reports back. */
export interface EventSink {
  deliver(webhook: ReceivedWebhook): void;
  /** Ends the step: the source can never work (a wrong token, a URL that is not the bridge). */
  fail(error: unknown): void;
  /** What holds events back now (a sentence), or null once the source works again. */
  health(problem: string | null): void;
}

/** Where webhooks come from (the receiver, the bridge); open before the first API call. */
export interface EventSource {
  /**
   * Proves the wait path works before anything is sent to Streampixel (DESIGN §3.4 pre-flight); rejects
   * with a ReleaseError that says why when it cannot. The receiver is proven by listening.
   */
  preflight(): Promise<void>;
  /**
   * Start delivering the events of `subject` (an uploadId). Resolves once the starting point is fixed, so
   * a call made afterwards cannot be missed. The receiver gets every event anyway and ignores this.
   */
  follow(subject: string, from: FollowFrom): Promise<void>;
  close(): Promise<void>;
}
export type OpenEventSource = (sink: EventSink) => Promise<EventSource>;

/** What the run knows of a build it hands off; the caller adds its own part (Deployment, notify, dispatch). */
export interface HandoffFacts {
  subject: string;
  projectId: string;
  command: 'release' | 'distribute';
  /** distribute: only events from the moment before its call count; null: every event of the build. */
  countFrom: number | null;
  deadline: number;
}

/**
 * `wait-via: handoff`: how the caller registers a build with the bridge (the action: with the job's OIDC
 * token; the CLI: with the bridge's handoff token).
 */
export interface HandoffRegistrar {
  /** Before anything is sent: proves the registration can be made (the job may ask for an OIDC token). */
  preflight(): Promise<void>;
  register(facts: HandoffFacts): Promise<HandoffReceipt>;
}

export interface OrchestratorDeps {
  client: StreampixelClient;
  clock: Clock;
  logger: Logger;
  openEventSource: OpenEventSource | null;
  onUploadId?(uploadId: string): void;
  onEvent?(entry: TimelineEntry): void;
  /** After every transition: where the run stands (for the heartbeat). */
  onState?(state: ReleaseState): void;
  /** Required by a plan that hands off: without it, such a plan is refused before anything is sent. */
  handOff?: HandoffRegistrar;
}

export interface ReleaseReport {
  result: Result;
  state: ReleaseState;
  /** Set when the run ended handed-off: the bridge took the build. */
  handoff?: HandoffReceipt;
}

/** `fatal`: the event source (or pre-flight) gave up; `call-failed`: an API call ended the step itself. */
type LoopInput = MachineInput | { type: 'fatal'; error: unknown } | { type: 'call-failed'; error: unknown };

/** The queue of inputs: items are taken synchronously, so nothing is lost when a timer wins a race. */
function createInbox() {
  const items: LoopInput[] = [];
  let wake: (() => void) | null = null;
  return {
    push(item: LoopInput): void {
      items.push(item);
      wake?.();
      wake = null;
    },
    take: (): LoopInput | undefined => items.shift(),
    arrival: (): Promise<void> =>
      items.length > 0 ? Promise.resolve() : new Promise((resolve) => (wake = resolve)),
  };
}

export async function orchestrate(plan: ReleasePlan, deps: OrchestratorDeps): Promise<ReleaseReport> {
  const { request } = plan;
  const { clock, logger } = deps;
  const registrar = plan.wait.via === 'handoff' ? deps.handOff : null;
  if (registrar === undefined) {
    throw new ReleaseError(
      ERROR_CODE.invalidInputs,
      'wait-via handoff needs a way to register the build with the bridge (the action: the job’s OIDC token; ' +
        'the CLI: the handoff token); nothing was sent',
    );
  }
  const startedAt = clock.now();
  let state = createReleaseState({
    command: request.command,
    provider: providerOf(request),
    projectId: request.projectId,
    uploadId: givenSubjectOf(request),
    autoRelease: request.command === 'release' && request.autoRelease,
    waitForOutcome: plan.wait.via !== 'none' && plan.wait.via !== 'handoff',
    handOff: plan.wait.via === 'handoff',
    startedAt,
    deadline: startedAt + plan.timeoutMs,
    retryIntervalMs: RATE_LIMIT_WINDOW_MS,
    maxBuffered: 1000,
  });
  const inbox = createInbox();
  // The source listens before the upload call: build.uploaded can beat the upload's own answer.
  const fail = (error: unknown) => inbox.push({ type: 'fatal', error });
  const source = deps.openEventSource
    ? await deps.openEventSource({
        deliver: (webhook) => inbox.push({ type: 'webhook', webhook }),
        fail,
        health: (problem) => inbox.push({ type: 'wait-path', problem }),
      })
    : null;

  try {
    // The machine starts (and so makes its first call) only once the wait path is proven and the source
    // knows where to read from; meanwhile the loop already runs, so the deadline holds throughout.
    prepare(source, request, registrar).then(() => inbox.push({ type: 'start' }), fail);
    for (;;) {
      const input = await nextInput(inbox, clock, nextWakeAt(state));
      // The client already says whether a failed upload may have created a build; anything else that ends
      // the step while the upload is unanswered must say so too.
      if (input.type === 'call-failed') throw input.error;
      if (input.type === 'fatal') throw whileUploading(state, request, input.error);
      const step = transition(state, input, clock.now());
      state = step.state;
      deps.onState?.(state);
      for (const effect of step.effects) {
        switch (effect.type) {
          case 'call':
            perform(effect.call, request, deps.client, state).then(
              (result) => inbox.push(result),
              (error: unknown) => inbox.push({ type: 'call-failed', error }),
            );
            break;
          case 'upload-id':
            source?.follow(effect.uploadId, 'start').catch(fail);
            deps.onUploadId?.(effect.uploadId);
            break;
          case 'event':
            logger.info(`${effect.entry.event} (${effect.entry.status}) at ${effect.entry.timestamp}`);
            deps.onEvent?.(effect.entry);
            break;
          case 'log':
            logger[effect.level](effect.message);
            break;
          case 'finish':
            if (registrar && effect.result.outcome === 'handed-off') {
              return { result: effect.result, state, handoff: await handOff(registrar, state, request) };
            }
            return { result: effect.result, state };
        }
      }
    }
  } finally {
    await source?.close();
  }
}

/** Pre-flight for every command that sends something, then the first read where the build is known. */
async function prepare(
  source: EventSource | null,
  request: ReleaseRequest,
  registrar: HandoffRegistrar | null,
): Promise<void> {
  if (registrar) await registrar.preflight();
  if (!source) return;
  if (request.command !== 'wait') await source.preflight();
  const initial = initialFollow(request);
  if (initial) await source.follow(...initial);
}

/**
 * Registers the build Streampixel accepted with the bridge. A failure ends the step: the build is on its way
 * and nobody follows it, so the message says how to follow it from a job.
 */
async function handOff(
  registrar: HandoffRegistrar,
  state: ReleaseState,
  request: ReleaseRequest,
): Promise<HandoffReceipt> {
  const subject = buildOf(state) ?? '';
  // parseInputs allows handoff for these two commands only.
  const command = request.command === 'distribute' ? 'distribute' : 'release';
  try {
    return await registrar.register({
      subject,
      projectId: request.projectId,
      command,
      countFrom: command === 'distribute' ? state.tracker.countFrom : null,
      deadline: state.config.deadline,
    });
  } catch (error) {
    const sent = command === 'distribute' ? 'Distribute of build' : 'the upload of build';
    throw new ReleaseError(
      ERROR_CODE.bridge,
      `Streampixel accepted ${sent} ${subject}, but it was not handed off: ${messageOf(error)}. Nothing ` +
        `follows it now: follow it from a job with \`command: wait\` and \`upload-id: ${subject}\`` +
        (command === 'release' ? ' (re-running this job would upload a second build).' : '.'),
      { cause: error },
    );
  }
}

/**
 * An error that ends the step while the upload is unanswered must still say a build may exist (DESIGN
 * §3.4): the request may have reached Streampixel, and nobody will learn its uploadId from this run.
 */
function whileUploading(state: ReleaseState, request: ReleaseRequest, error: unknown): unknown {
  if (state.inFlight !== 'upload') return error;
  return new ReleaseError(
    ERROR_CODE.uploadUncertain,
    `${messageOf(error)}. The upload was in flight and may have reached Streampixel and created a build; ` +
      `check the Streampixel dashboard for a new build of project ${request.projectId} before re-running this job.`,
    { cause: error },
  );
}

/** What to read before the first call: a rollback counts only new events, a wait every stored one. */
function initialFollow(request: ReleaseRequest): [string, FollowFrom] | null {
  switch (request.command) {
    case 'distribute':
      return [request.uploadId, 'latest'];
    case 'wait':
      return [request.subject, 'start'];
    case 'test-webhook':
      return [TEST_UPLOAD_ID, 'latest'];
    default:
      return null;
  }
}

async function nextInput(
  inbox: ReturnType<typeof createInbox>,
  clock: Clock,
  wakeAt: number | null,
): Promise<LoopInput> {
  const ready = inbox.take();
  if (ready) return ready;
  const timer = new AbortController();
  const sleep =
    wakeAt === null ? new Promise<void>(() => {}) : clock.sleep(wakeAt - clock.now(), timer.signal);
  await Promise.race([inbox.arrival(), sleep]);
  timer.abort();
  return inbox.take() ?? { type: 'tick' };
}

/** One API call, turned into the machine's input. Errors that must end the step are rethrown. */
async function perform(
  call: ApiCall,
  request: ReleaseRequest,
  client: StreampixelClient,
  state: ReleaseState,
): Promise<MachineInput> {
  const { projectId } = request;
  try {
    switch (call) {
      case 'upload': {
        if (request.command !== 'release' && request.command !== 'upload')
          throw new Error('nothing to upload');
        // `upload` stages the build: Streampixel must not distribute it on its own.
        const autoRelease = request.command === 'release' && request.autoRelease;
        const answer = await client.uploadFile({ projectId, fileUrl: request.fileUrl, autoRelease });
        return { type: 'upload-accepted', uploadId: answer.uploadId };
      }
      case 'distribute':
        await client.distributeFile({ projectId, uploadId: buildOf(state) ?? '' });
        return { type: 'distribute-accepted' };
      case 'test-webhook': {
        const answer = await client.testWebhook({ projectId });
        return { type: 'test-webhook-answered', statusCode: answer.statusCode };
      }
    }
  } catch (error) {
    const refusal = asRefusal(call, error);
    if (refusal) return refusal;
    throw error;
  }
}

/** Streampixel's "no URL yet" answer; a 400 without a message is given the benefit of the doubt. */
const looksNotReady = (message: string | undefined): boolean =>
  message === undefined ||
  /no (file )?url|not (yet )?(been )?processed|finished processing|not ready/i.test(message);

/** Refusals that are safe to try again later; anything else ends the step. */
function asRefusal(call: ApiCall, error: unknown): MachineInput | null {
  const detail = (text: string) => ({ type: 'call-refused' as const, call, detail: text });
  if (error instanceof StreampixelApiError) {
    if (error.code === ERROR_CODE.rateLimited) {
      return {
        ...detail(`${error.status} from Streampixel on ${error.endpoint}: rate limited`),
        retryAfterMs: error.retryAfterMs ?? null,
      };
    }
    // Distribute answers 400 while the build has no URL yet; a 5xx Distribute is safe to repeat too. Any
    // other 400 (a rejected build, say) will not change by waiting: it ends the step.
    const notReady = error.code === ERROR_CODE.badRequest && looksNotReady(error.serverMessage);
    if (call === 'distribute' && (notReady || error.code === ERROR_CODE.serverError)) {
      return {
        ...detail(`Distribute answered ${error.status}: ${error.serverMessage ?? 'no message'}`),
        retryAfterMs: null,
      };
    }
  }
  if (
    call === 'distribute' &&
    error instanceof Error &&
    'code' in error &&
    error.code === ERROR_CODE.network
  ) {
    return { ...detail(`Distribute failed: ${error.message}`), retryAfterMs: null };
  }
  return null;
}
