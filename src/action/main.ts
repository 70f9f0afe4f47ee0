import * as core from '@actions/core';
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import type { Logger } from '../lib/logger.ts';
import { createStreampixelClient } from '../streampixel/client.ts';
import { ReleaseError } from '../streampixel/errors.ts';
import { shareUrl } from '../streampixel/schemas.ts';
import { logLine } from '../webhooks/display-text.ts';
import { UNIT_OF_WORK } from '../webhooks/event.ts';
import type { Result, TimelineEntry } from '../wait/types.ts';
import { parseInputs, planOf, redactUrl, type Settings } from '../release/inputs.ts';
import { eventSourceFor } from '../release/event-sources.ts';
import { orchestrate } from '../release/orchestrate.ts';
import { verdictOf } from '../release/exit-policy.ts';
import { createOutputWriter, type OutputWriter } from '../release/outputs.ts';
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
  const startedAt = clock.now();
  let settings: Settings | null = null;
  let outputs: OutputWriter | null = null;
  let uploadId: string | null = null;
  const timeline: TimelineEntry[] = [];

  try {
    settings = parseInputs({
      getInput: (name) => core.getInput(name),
      setSecret: (value) => core.setSecret(value),
    });
    const active = settings;
    const plan = planOf(active);
    uploadId = active.uploadId;
    const writer = createOutputWriter(
      (name, value) => core.setOutput(name, value),
      active.provider === 'streampixel' ? active.projectId : null,
    );
    outputs = writer;
    if (uploadId) writer.uploadId(uploadId);
    logSettings(active);

    // Once the step has its outcome, a call still in flight (the deadline passed during it) is abandoned
    // rather than left to hold the process open until its own timeout.
    const inFlight = new AbortController();
    const client = createStreampixelClient({
      signal: inFlight.signal,
      baseUrl: active.apiBaseUrl,
      apiKey: active.apiKey,
      userId: active.userId,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const { result } = await core
      .group(stepTitle(active), () =>
        orchestrate(plan, {
          client,
          clock,
          logger: coreLogger,
          openEventSource: eventSourceFor(plan, clock, coreLogger),
          onUploadId(id) {
            uploadId = id;
            writer.uploadId(id);
          },
          onEvent(entry) {
            timeline.push(entry);
            writer.event(entry);
          },
        }),
      )
      .finally(() => inFlight.abort());
    const durationMs = clock.now() - startedAt;
    writer.finish(result, durationMs);
    await writeSummary(active, result, uploadId, timeline, durationMs);
    report(active, result);
  } catch (error) {
    const durationMs = clock.now() - startedAt;
    outputs?.finish(null, durationMs);
    const message = describeError(error);
    if (settings) {
      await writeSummary(
        settings,
        { outcome: null, failure: message, objection: null },
        uploadId,
        timeline,
        durationMs,
      );
    }
    if (error instanceof Error && error.stack) core.debug(error.stack);
    core.setFailed(message);
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

async function writeSummary(
  settings: Settings,
  result: Result,
  uploadId: string | null,
  timeline: readonly TimelineEntry[],
  durationMs: number,
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    const markdown = renderSummary({
      command: settings.command,
      provider: settings.provider,
      projectId: settings.projectId,
      uploadId: uploadId ?? settings.subject,
      outcome: result.outcome,
      message: result.failure,
      objection: result.objection,
      timeline,
      shareUrl: shareUrl(settings.projectId),
      durationMs,
    });
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    // A side feature: never let it fail the release.
    core.warning(`Could not write the job summary: ${messageOf(error)}`);
  }
}

function describeError(error: unknown): string {
  if (error instanceof ReleaseError) return error.message;
  return `Unexpected error: ${messageOf(error)}`;
}
