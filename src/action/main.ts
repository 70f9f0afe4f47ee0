import * as core from '@actions/core';
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import type { Logger } from '../lib/logger.ts';
import { ReleaseError } from '../streampixel/errors.ts';
import { logLine } from '../webhooks/display-text.ts';
import { UNIT_OF_WORK } from '../webhooks/event.ts';
import type { ReleaseState, Result } from '../wait/types.ts';
import { parseInputs, planOf, redactUrl, streampixelClientOf, type Settings } from '../release/inputs.ts';
import { eventSourceFor } from '../release/event-sources.ts';
import { orchestrate } from '../release/orchestrate.ts';
import { verdictOf } from '../release/exit-policy.ts';
import { startHeartbeat, progressOf } from '../release/heartbeat.ts';
import { createRunRecord, recordingCallbacks, tell, type ReleaseObserver } from '../release/observers.ts';
import { OUTPUT, outputsObserver } from '../release/outputs.ts';
import type { HandoffReceipt } from '../release/handoff-client.ts';
import { deploymentObserver, type DeploymentObserver } from './deployment-observer.ts';
import { actionHandoff } from './handoff.ts';
import { notifyObserver, type NotifyContext } from '../release/notify/notify-observer.ts';
import { shareUrl } from '../streampixel/schemas.ts';
import { renderSummary } from './summary.ts';

// The one place that talks to @actions/core about success and failure.

export interface RunOptions {
  clock?: Clock;
  dispatcher?: Dispatcher;
}

// core.info prints a line as it is, and the runner runs any line that starts with `::`; debug, warning
// and error lines are workflow commands whose data @actions/core escapes. Outside text is already made
// safe where it enters (display-text.ts); logLine is the last guard for whatever a message carries.
const coreLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(logLine(message)),
  warn: (message) => core.warning(message),
  error: (message) => core.error(message),
};

export async function run(options: RunOptions = {}): Promise<void> {
  const clock = options.clock ?? systemClock;
  const record = createRunRecord(clock.now());
  let handoff: HandoffReceipt | null = null;
  let observers: ReleaseObserver[] = [summaryObserver(null)];
  const warn = (message: string) => core.warning(message);
  try {
    const settings = parseInputs({
      getInput: (name) => core.getInput(name),
      setSecret: (value) => core.setSecret(value),
    });
    const plan = planOf(settings);
    const streampixel = settings.provider === 'streampixel';
    record.uploadId = streampixel ? settings.uploadId : settings.subject;
    const setOutput = (name: string, value: string) => core.setOutput(name, value);
    const deployment = deploymentObserver(settings, setOutput, warn);
    observers = [
      outputsObserver(setOutput, streampixel ? settings.projectId : null),
      ...(deployment ? [deployment] : []),
      ...(settings.notify ? [notifyObserver(settings.notify, notifyContext(settings), warn)] : []),
      summaryObserver(settings, { handoff: () => handoff, deployment }),
    ];
    logSettings(settings);
    await tell(observers, (observer) => observer.started?.(record), warn);

    // Once the step has its outcome, a call still in flight (the deadline passed during it) is abandoned
    // rather than left to hold the process open until its own timeout.
    const inFlight = new AbortController();
    const client = streampixelClientOf(settings, inFlight.signal, options.dispatcher);
    let latest: ReleaseState | null = null;
    const stopHeartbeat = startHeartbeat({
      clock,
      read: () => (latest ? progressOf(latest) : null),
      beat: (line) => coreLogger.info(line),
    });
    const handOff =
      settings.waitVia === 'handoff'
        ? actionHandoff({
            settings,
            getIdToken: (audience) => core.getIDToken(audience),
            deployment: async () => (deployment ? deployment.deployment(record) : null),
            clock,
            ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
          })
        : undefined;
    const released = await core
      .group(stepTitle(settings), () =>
        orchestrate(plan, {
          client,
          clock,
          logger: coreLogger,
          openEventSource: eventSourceFor(plan, clock, coreLogger),
          ...recordingCallbacks(record, observers, warn),
          onState: (state) => void (latest = state),
          ...(handOff ? { handOff } : {}),
        }),
      )
      .finally(() => {
        stopHeartbeat();
        inFlight.abort();
      });
    const { result } = released;
    if (released.handoff) {
      handoff = released.handoff;
      core.setOutput(OUTPUT.handoffId, handoff.id);
      coreLogger.info(
        `Handed off to the release bridge: handoff ${handoff.id}, state at ${handoff.statusUrl}`,
      );
    }
    record.result = result;
    record.durationMs = clock.now() - record.startedAt;
    await tell(observers, (observer) => observer.finished?.(record), warn);
    report(settings, result);
  } catch (error) {
    record.error = describeError(error);
    record.durationMs = clock.now() - record.startedAt;
    await tell(observers, (observer) => observer.finished?.(record), warn);
    if (error instanceof Error && error.stack) core.debug(error.stack);
    core.setFailed(record.error);
  }
}

/** The log group of the step: "Streampixel release", "Wait for a BuildPixel build". */
const stepTitle = (settings: Settings): string =>
  settings.provider === 'streampixel'
    ? `Streampixel ${settings.command}`
    : `Wait for a ${UNIT_OF_WORK[settings.provider]}`;

function logSettings(settings: Settings): void {
  core.startGroup('Settings');
  coreLogger.info(`command: ${settings.command}`);
  if (settings.provider !== 'streampixel') {
    coreLogger.info(`provider: ${settings.provider}`);
    coreLogger.info(`subject: ${settings.subject}`);
  } else coreLogger.info(`project-id: ${settings.projectId}`);
  if (settings.fileUrl) coreLogger.info(`file-url: ${redactUrl(settings.fileUrl)}`);
  if (settings.uploadId) coreLogger.info(`upload-id: ${settings.uploadId}`);
  coreLogger.info(`auto-release: ${settings.autoRelease}`);
  coreLogger.info(
    `wait-via: ${settings.waitVia}${settings.waitVia === 'receiver' ? ` (port ${settings.receiverPort})` : ''}`,
  );
  if (settings.waitVia === 'handoff') coreLogger.info(`dispatch-on-outcome: ${settings.dispatchOnOutcome}`);
  coreLogger.info(`timeout: ${settings.timeoutMs / 60_000} min`);
  core.endGroup();
}

/** Maps the outcome to the step's status, honouring fail-on-rejected and fail-on-timeout. */
function report(settings: Settings, result: Result): void {
  if (result.outcome) core.info(`Outcome: ${result.outcome}`);
  const verdict = verdictOf(result, settings);
  if (verdict === 'warn') core.warning(result.failure ?? '');
  if (verdict === 'fail') core.setFailed(result.failure ?? '');
}

/** What a handed-off run's summary names: the handoff, and the Deployment the bridge will finish. */
interface HandoffView {
  handoff(): HandoffReceipt | null;
  deployment: DeploymentObserver | null;
}

/** The job summary, written once the run ends (also when inputs were refused: then `settings` is null). */
function summaryObserver(settings: Settings | null, view?: HandoffView): ReleaseObserver {
  return {
    name: 'write the job summary',
    async finished(record) {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      const handoff = view?.handoff() ?? null;
      const deployment = handoff && view?.deployment ? await view.deployment.deployment(record) : null;
      const markdown = renderSummary({
        settings,
        uploadId: record.uploadId,
        result: record.result,
        error: record.error,
        timeline: record.timeline,
        durationMs: record.durationMs,
        context: summaryContext(),
        handoff: handoff ? { ...handoff, deploymentId: deployment?.id ?? null } : null,
      });
      await core.summary.addRaw(markdown).write();
    },
  };
}

function notifyContext(settings: Settings): NotifyContext {
  const streampixel = settings.provider === 'streampixel';
  const { runUrl, commit } = summaryContext();
  return {
    provider: settings.provider,
    command: settings.command,
    projectId: streampixel ? settings.projectId : null,
    shareUrl: streampixel ? shareUrl(settings.projectId) : null,
    runUrl,
    repository: process.env.GITHUB_REPOSITORY ?? null,
    commit,
  };
}

/** The commit and the run, from the runner's environment (absent outside Actions). */
function summaryContext() {
  const { GITHUB_SHA, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return {
    commit: GITHUB_SHA ?? null,
    commitUrl:
      GITHUB_SHA && GITHUB_SERVER_URL && GITHUB_REPOSITORY
        ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/commit/${GITHUB_SHA}`
        : null,
    runUrl:
      GITHUB_RUN_ID && GITHUB_SERVER_URL && GITHUB_REPOSITORY
        ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
        : null,
    date: new Date().toISOString(),
  };
}

function describeError(error: unknown): string {
  if (error instanceof ReleaseError) return error.message;
  return `Unexpected error: ${messageOf(error)}`;
}
