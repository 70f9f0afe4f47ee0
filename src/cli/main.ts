import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import { eventSourceFor } from '../release/event-sources.ts';
import { verdictOf } from '../release/exit-policy.ts';
import { progressOf } from '../release/heartbeat.ts';
import { INPUT, planOf, redactUrl, streampixelClientOf, type Settings } from '../release/inputs.ts';
import {
  createRunRecord,
  recordingCallbacks,
  tell,
  type ReleaseObserver,
  type RunRecord,
} from '../release/observers.ts';
import { notifyObserver } from '../release/notify/notify-observer.ts';
import { orchestrate } from '../release/orchestrate.ts';
import { OUTPUT, outputsObserver } from '../release/outputs.ts';
import { ReleaseError } from '../streampixel/errors.ts';
import type { ReleaseState, Result } from '../wait/types.ts';
import { parseCliArgs } from './args.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import { cliHandoff } from './handoff.ts';
import { notifyContextOf } from './ci-context.ts';
import { createJsonOutput } from './json-output.ts';
import { createCliLogger } from './logger.ts';
import { createMask } from './mask.ts';
import { createPrinter, type ErrorStream, type Printer } from './printer.ts';
import { startProgress } from './progress.ts';
import { runTitle, settingsLines } from './settings-lines.ts';
import { parseSettings } from './settings.ts';
import { USAGE } from './usage.ts';

// The CLI's run: the same core as the action (src/action/main.ts), wired to stderr, stdout and an exit code
// instead of @actions/core.

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ErrorStream;
  env: NodeJS.ProcessEnv;
  /** Calls `handler` on SIGINT or SIGTERM; returns a function that stops listening. */
  onInterrupt?(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  /** Ends the process at once (an interrupt); the normal end returns the code instead. */
  exit?(code: number): void;
}

export interface CliOptions {
  clock?: Clock;
  dispatcher?: Dispatcher;
}

/** Runs one command; resolves with the exit code (README, "The CLI"). */
export async function run(argv: readonly string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  const args = parseCliArgs(argv, io.env);
  if (args.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const mask = createMask();
  if (args.handoffToken) mask.add(args.handoffToken);
  // The receiver's path is its only secret (DESIGN §3.1); the action leaves it out of its logs.
  const receiverPath = args.inputs[INPUT.receiverPath]?.trim() ?? '';
  if (receiverPath.length > 1) mask.add(receiverPath);
  const printer = createPrinter(io.stderr, mask);
  const json = createJsonOutput();
  const printJson = (failure: string | null) => {
    if (args.json) io.stdout.write(json.render(mask, failure));
  };

  const parsed = parseSettings(args.inputs, (secret) => mask.add(secret), args.commandMissing);
  const problems = [...args.problems, ...(parsed.ok ? [] : parsed.problems)];
  if (!parsed.ok || problems.length > 0) {
    const heading = `${problems.length} problem${problems.length === 1 ? '' : 's'} with the flags and variables:`;
    printer.line(`error: ${heading}`);
    for (const problem of problems) printer.line(`  - ${problem}`);
    printer.line('Nothing was sent. Run streampixel-release --help for every flag and its variable.');
    printJson(`${heading} ${problems.join('; ')}`);
    return EXIT.usage;
  }
  return release(
    parsed.settings,
    {
      printer,
      json,
      printJson,
      verbose: args.verbose,
      heartbeatMs: args.heartbeatMs,
      handoffToken: args.handoffToken,
    },
    io,
    options,
  );
}

interface Display {
  printer: Printer;
  json: ReturnType<typeof createJsonOutput>;
  printJson(failure: string | null): void;
  verbose: boolean;
  heartbeatMs: number;
  handoffToken: string;
}

async function release(
  settings: Settings,
  display: Display,
  io: CliIo,
  options: CliOptions,
): Promise<number> {
  const { printer, json, printJson } = display;
  const clock = options.clock ?? systemClock;
  const logger = createCliLogger(printer, display.verbose);
  const warn = (message: string) => logger.warn(message);
  const record = createRunRecord(clock.now());
  const streampixel = settings.provider === 'streampixel';
  record.uploadId = streampixel ? settings.uploadId : settings.subject;
  const observers: ReleaseObserver[] = [
    outputsObserver((name, value) => json.set(name, value), streampixel ? settings.projectId : null),
    ...(settings.notify ? [notifyObserver(settings.notify, notifyContextOf(settings, io.env), warn)] : []),
  ];

  printer.line(runTitle(settings));
  for (const line of settingsLines(settings)) printer.line(`  ${line}`);
  await tell(observers, (observer) => observer.started?.(record), warn);

  // Once the run has its outcome, a call still in flight (the deadline passed during it) is abandoned.
  const inFlight = new AbortController();
  let latest: ReleaseState | null = null;
  const stopProgress = startProgress({
    printer,
    clock,
    startedAt: record.startedAt,
    read: () => (latest ? progressOf(latest) : null),
    heartbeatMs: display.heartbeatMs,
  });
  const stopListening = io.onInterrupt?.((signal) => {
    stopProgress();
    const failure = interruptedMessage(signal, record, latest);
    logger.error(failure);
    printJson(failure);
    io.exit?.(signal === 'SIGINT' ? EXIT.interrupted : 128 + 15);
  });
  try {
    const plan = planOf(settings);
    const client = streampixelClientOf(settings, inFlight.signal, options.dispatcher);
    const handOff =
      settings.waitVia === 'handoff'
        ? cliHandoff({
            settings,
            handoffToken: display.handoffToken,
            clock,
            ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
          })
        : undefined;
    const { result, handoff } = await orchestrate(plan, {
      client,
      clock,
      logger,
      openEventSource: eventSourceFor(plan, clock, logger),
      ...recordingCallbacks(record, observers, warn),
      onState: (state) => void (latest = state),
      ...(handOff ? { handOff } : {}),
    }).finally(() => {
      stopProgress();
      inFlight.abort();
    });
    if (handoff) {
      json.set(OUTPUT.handoffId, handoff.id);
      // Nothing here waits for the outcome: say where it will appear.
      printer.line(`Handed off to the release bridge: handoff ${handoff.id}`);
      printer.line(
        settings.notifyInputs
          ? '  The bridge sends the notification (--notify-url) once the outcome is known.'
          : '  No --notify-url: the outcome appears only in the handoff state.',
      );
      printer.line(`  State (with the read token): ${redactUrl(handoff.statusUrl)}`);
    }
    record.result = result;
    record.durationMs = clock.now() - record.startedAt;
    await tell(observers, (observer) => observer.finished?.(record), warn);
    return report(settings, result, record, display, logger);
  } catch (error) {
    stopProgress();
    record.error = describeError(error);
    record.durationMs = clock.now() - record.startedAt;
    await tell(observers, (observer) => observer.finished?.(record), warn);
    if (error instanceof Error && error.stack) logger.debug(error.stack);
    logger.error(record.error);
    printJson(record.error);
    return EXIT.error;
  } finally {
    stopListening?.();
  }
}

/** The outcome and what to do next, then the exit code that mirrors it. */
function report(
  settings: Settings,
  result: Result,
  record: RunRecord,
  display: Display,
  logger: ReturnType<typeof createCliLogger>,
): number {
  const { printer, json } = display;
  if (result.outcome) printer.line(`Outcome: ${result.outcome} (${Math.round(record.durationMs / 1000)} s)`);
  const verdict = verdictOf(result, settings);
  if (verdict === 'warn') logger.warn(result.failure ?? '');
  if (verdict === 'fail') logger.error(result.failure ?? '');
  const share = json.get(OUTPUT.shareUrl);
  if (result.outcome === 'approved' && typeof share === 'string') printer.line(`Live: ${share}`);
  if (result.outcome === 'timed-out' && settings.provider === 'streampixel' && record.uploadId) {
    printer.line(
      `To keep waiting: streampixel-release wait --upload-id ${record.uploadId} (same project and wait flags)`,
    );
  }
  display.printJson(verdict === 'pass' ? null : result.failure);
  return exitCodeOf(result, settings);
}

function interruptedMessage(signal: string, record: RunRecord, state: ReleaseState | null): string {
  if (record.uploadId && !record.result) {
    return `Interrupted (${signal}) while build ${record.uploadId} was on its way; follow it with: streampixel-release wait --upload-id ${record.uploadId}`;
  }
  if (state?.inFlight === 'upload') {
    return `Interrupted (${signal}) while the upload was in flight: it may have created a build; check the Streampixel dashboard before running again.`;
  }
  return `Interrupted (${signal}).`;
}

function describeError(error: unknown): string {
  if (error instanceof ReleaseError) return error.message;
  return `Unexpected error: ${messageOf(error)}`;
}
