import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { createStreampixelClient, type StreampixelClient } from '../streampixel/client.ts';
import { fileUrlSecrets } from '../lib/url-secrets.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { STREAMPIXEL_API_BASE } from '../streampixel/schemas.ts';
import { COMMANDS } from '../wait/types.ts';
import { PROVIDERS, type ProviderId } from '../webhooks/event.ts';
import { parseNotifySettings, type NotifyInputs } from './notify/settings.ts';
import { receiverIntake } from './receiver-intake.ts';
import type { ReleasePlan, ReleaseRequest, WaitPath } from './request.ts';

/** Every input of action.yml, by its kebab-case name. */
export const INPUT = {
  command: 'command',
  apiKey: 'api-key',
  userId: 'user-id',
  projectId: 'project-id',
  fileUrl: 'file-url',
  uploadId: 'upload-id',
  autoRelease: 'auto-release',
  waitVia: 'wait-via',
  bridgeUrl: 'bridge-url',
  bridgeToken: 'bridge-token',
  receiverPort: 'receiver-port',
  receiverPath: 'receiver-path',
  timeoutMinutes: 'timeout-minutes',
  failOnRejected: 'fail-on-rejected',
  failOnTimeout: 'fail-on-timeout',
  apiBaseUrl: 'api-base-url',
  provider: 'provider',
  subject: 'subject',
  webhookSecret: 'webhook-secret',
  environment: 'environment',
  environmentUrl: 'environment-url',
  githubToken: 'github-token',
  notifyUrl: 'notify-url',
  notifyOn: 'notify-on',
  notifyFormat: 'notify-format',
  dispatchOnOutcome: 'dispatch-on-outcome',
} as const;

export const WAIT_VIA = ['bridge', 'receiver', 'handoff', 'none'] as const;

/** Inputs that hold secrets, masked before anything else can print them. */
// A chat webhook URL is a credential: whoever holds it can post to the channel.
const SECRET_INPUTS = [
  INPUT.apiKey,
  INPUT.bridgeToken,
  INPUT.webhookSecret,
  INPUT.githubToken,
  INPUT.notifyUrl,
] as const;

// GitHub passes every input as a string; '' means "not given".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: string) =>
  z.preprocess((value) => (value === '' || value === undefined ? fallback : value), schema);

// YAML 1.2 core-schema booleans, as @actions/core's getBooleanInput accepts them.
const booleanText = z
  .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'], { error: 'must be true or false' })
  .transform((value) => value.toLowerCase() === 'true');

const httpUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: 'must be an http(s) URL',
  });

// Whole numbers and decimals only: `Number()` would also take `0x10`, `1e3` or `Infinity`.
const decimalText = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `must be ${what}, written as a plain decimal number`)
    .transform(Number);
const wholeText = (what: string) =>
  z.string().trim().regex(/^\d+$/, `must be ${what}, written as a whole number`).transform(Number);

/** One schema per input, each parsed on its own so a bad value never hides another input's problem. */
const FIELDS = {
  [INPUT.command]: withDefault(
    z.enum(COMMANDS, { error: `must be one of ${COMMANDS.join(', ')}` }),
    'release',
  ),
  // Required for Streampixel only: see crossFieldProblems.
  [INPUT.apiKey]: optional(z.string().trim().min(1)),
  [INPUT.userId]: optional(z.string().trim().min(1)),
  [INPUT.projectId]: optional(z.string().trim().min(1)),
  [INPUT.fileUrl]: optional(httpUrl),
  [INPUT.uploadId]: optional(z.string().trim().min(1)),
  [INPUT.autoRelease]: withDefault(booleanText, 'false'),
  [INPUT.waitVia]: withDefault(
    z.enum(WAIT_VIA, { error: `must be one of ${WAIT_VIA.join(', ')}` }),
    'bridge',
  ),
  [INPUT.bridgeUrl]: optional(httpUrl),
  [INPUT.bridgeToken]: optional(z.string().trim().min(1)),
  [INPUT.receiverPort]: withDefault(
    wholeText('a port number').pipe(z.number().max(65_535, 'must be a port number (0-65535)')),
    '8080',
  ),
  [INPUT.receiverPath]: withDefault(z.string().trim().startsWith('/', 'must start with /'), '/'),
  [INPUT.timeoutMinutes]: withDefault(
    decimalText('a number of minutes').pipe(
      z
        .number()
        .positive('must be above 0')
        .max(24 * 60, 'must be at most 1440 (a day)'),
    ),
    '45',
  ),
  [INPUT.failOnRejected]: withDefault(booleanText, 'true'),
  [INPUT.failOnTimeout]: withDefault(booleanText, 'true'),
  [INPUT.apiBaseUrl]: withDefault(httpUrl, STREAMPIXEL_API_BASE),
  [INPUT.provider]: withDefault(
    z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }),
    'streampixel',
  ),
  [INPUT.subject]: optional(z.string().trim().min(1).max(200)),
  [INPUT.webhookSecret]: optional(z.string().trim().min(1)),
  [INPUT.environment]: optional(z.string().trim().min(1).max(255)),
  [INPUT.environmentUrl]: optional(httpUrl),
  [INPUT.githubToken]: optional(z.string().trim().min(1)),
  // Checked together by parseNotifySettings (crossFieldProblems).
  [INPUT.notifyUrl]: optional(z.string().trim()),
  [INPUT.notifyOn]: optional(z.string().trim()),
  [INPUT.notifyFormat]: optional(z.string().trim()),
  [INPUT.dispatchOnOutcome]: withDefault(booleanText, 'false'),
} satisfies Record<InputName, z.ZodType>;

type InputName = (typeof INPUT)[keyof typeof INPUT];
type Fields = { [K in InputName]: z.output<(typeof FIELDS)[K]> };
/** One input's problem: the input's name and what is wrong, never its value. */
export interface InputProblem {
  input: string;
  message: string;
}

export type InputsCheck = { ok: true; settings: Settings } | { ok: false; problems: InputProblem[] };

/**
 * Rules between inputs, checked whatever else is wrong: each rule reads only the inputs that parsed, so
 * `timeout-minutes: abc` still lets a missing `file-url` be reported. `given` holds the raw, trimmed text.
 */
function crossFieldProblems(fields: Partial<Fields>, given: Record<string, string>): InputProblem[] {
  const problems: InputProblem[] = [];
  const add = (input: string, message: string) => problems.push({ input, message });
  const notify = notifySettingsOf(given);
  if (!notify.ok) {
    for (const problem of notify.problems) {
      const [, input, message] = /^(notify-[a-z]+):? (.*)$/.exec(problem) ?? [
        problem,
        INPUT.notifyUrl,
        problem,
      ];
      add(input ?? INPUT.notifyUrl, message ?? problem);
    }
  }
  const command = fields[INPUT.command];
  const provider = fields[INPUT.provider];
  if (provider !== undefined && provider !== 'streampixel') {
    otherProviderProblems(provider, fields, given, add);
    return problems;
  }
  const need = (input: string, what: string) => {
    if (!given[input]) add(input, `is required (${what})`);
  };
  need(INPUT.apiKey, 'your Streampixel API key, from a secret');
  need(INPUT.userId, 'your Streampixel user id');
  need(INPUT.projectId, 'the Streampixel project to publish to');
  if (given[INPUT.subject]) {
    add(INPUT.subject, "is for another provider's unit of work: a Streampixel build is named by upload-id");
  }
  if (command === 'release' || command === 'upload') {
    if (!given[INPUT.fileUrl]) {
      add(INPUT.fileUrl, `is required for command ${command} (the direct-download URL of the build .zip)`);
    }
  } else if (command !== undefined && given[INPUT.fileUrl]) {
    add(
      INPUT.fileUrl,
      `does not apply to command ${command}: remove it (only release and upload send a file)`,
    );
  }
  if (command === 'distribute' || command === 'wait') {
    if (!given[INPUT.uploadId]) {
      add(
        INPUT.uploadId,
        `is required for command ${command} (the build to ${command === 'wait' ? 'wait for' : command})`,
      );
    }
  } else if (command !== undefined && given[INPUT.uploadId]) {
    // A leftover upload-id must never be mistaken for the build this run creates.
    add(
      INPUT.uploadId,
      `does not apply to command ${command}: remove it (the build is the one this run ` +
        `${command === 'test-webhook' ? 'tests' : 'uploads'}; use command wait or distribute for an existing build)`,
    );
  }
  const via = fields[INPUT.waitVia];
  if (via === 'bridge') {
    if (!given[INPUT.bridgeUrl])
      add(INPUT.bridgeUrl, 'is required with wait-via: bridge (or set wait-via: receiver)');
    if (!given[INPUT.bridgeToken]) {
      add(INPUT.bridgeToken, 'is required with wait-via: bridge (the read token, from a secret)');
    }
  }
  if (via === 'none' && command === 'wait')
    add(INPUT.waitVia, 'cannot be none for command wait: waiting is all it does');
  if (via === 'handoff') handoffProblems(command, fields, given, add);
  dispatchProblems(via, fields, add);
  return problems;
}

/** Why a command has nothing to hand off: the bridge follows a build that is on its way to going live. */
const NOTHING_TO_HAND_OFF = {
  upload: 'an upload stages a build, which nothing makes live: use command release or distribute',
  wait: 'waiting is all it does: use wait-via bridge',
  'test-webhook': 'the check is this job seeing the test event: use wait-via bridge or receiver',
} as const;

/** `wait-via: handoff` (DESIGN §10): the job sends, the bridge follows; it reads the bridge first. */
function handoffProblems(
  command: Fields[typeof INPUT.command] | undefined,
  fields: Partial<Fields>,
  given: Record<string, string>,
  add: (input: string, message: string) => void,
): void {
  if (command === 'upload' || command === 'wait' || command === 'test-webhook') {
    add(INPUT.waitVia, `cannot be handoff for command ${command}: ${NOTHING_TO_HAND_OFF[command]}`);
  }
  if (!given[INPUT.bridgeUrl])
    add(INPUT.bridgeUrl, 'is required with wait-via: handoff (the release bridge that follows the build)');
  if (!given[INPUT.bridgeToken]) {
    add(
      INPUT.bridgeToken,
      "is required with wait-via: handoff (the bridge's read token, from a secret: the pre-flight reads with it)",
    );
  }
  // The job ends once the upload is accepted: nobody would be left to call Distribute.
  if (command === 'release' && given[INPUT.autoRelease] && fields[INPUT.autoRelease] === false) {
    add(
      INPUT.autoRelease,
      'cannot be false with wait-via: handoff: the job ends after the upload, so Streampixel must distribute ' +
        'the build on its own (remove auto-release, or use wait-via: bridge to distribute from the job)',
    );
  }
}

/** The bridge sends the dispatch: with any other wait path the input would be silently ignored. */
function dispatchProblems(
  via: Fields[typeof INPUT.waitVia] | undefined,
  fields: Partial<Fields>,
  add: (input: string, message: string) => void,
): void {
  if (via !== undefined && via !== 'handoff' && fields[INPUT.dispatchOnOutcome] === true) {
    add(
      INPUT.dispatchOnOutcome,
      'applies only to wait-via: handoff (the bridge sends the repository_dispatch once it has the outcome)',
    );
  }
}

/** `provider` other than Streampixel: `wait` for a `subject`, nothing sent anywhere, no Streampixel inputs. */
function otherProviderProblems(
  provider: ProviderId,
  fields: Partial<Fields>,
  given: Record<string, string>,
  add: (input: string, message: string) => void,
): void {
  const command = fields[INPUT.command];
  if (command !== undefined && command !== 'wait') {
    add(INPUT.command, `must be wait with provider ${provider}: the action only waits for its unit of work`);
  }
  if (!given[INPUT.subject])
    add(INPUT.subject, `is required with provider ${provider} (the id of the unit of work)`);
  for (const input of [INPUT.uploadId, INPUT.fileUrl]) {
    if (given[input]) add(input, `does not apply to provider ${provider}: remove it (use subject)`);
  }
  const via = fields[INPUT.waitVia];
  if (via === 'none') add(INPUT.waitVia, 'cannot be none for command wait: waiting is all it does');
  if (via === 'handoff') {
    add(
      INPUT.waitVia,
      `cannot be handoff with provider ${provider}: only a Streampixel release or distribute is handed off`,
    );
  }
  dispatchProblems(via, fields, add);
  if (via === 'bridge') {
    if (!given[INPUT.bridgeUrl])
      add(INPUT.bridgeUrl, 'is required with wait-via: bridge (or set wait-via: receiver)');
    if (!given[INPUT.bridgeToken])
      add(INPUT.bridgeToken, 'is required with wait-via: bridge (the read token, from a secret)');
  }
  if (via === 'receiver') {
    const secret = given[INPUT.webhookSecret] ?? '';
    if (!secret && provider !== 'standard-webhooks') {
      add(
        INPUT.webhookSecret,
        `is required with provider ${provider} and wait-via: receiver (to verify its signatures)`,
      );
    } else {
      const parsed = receiverIntake(provider, secret);
      if (!parsed.ok) for (const problem of parsed.problems) add(INPUT.webhookSecret, problem);
    }
  }
}

const notifyInputsOf = (given: Record<string, string | undefined>): NotifyInputs => ({
  url: given[INPUT.notifyUrl] ?? '',
  on: given[INPUT.notifyOn] ?? '',
  format: given[INPUT.notifyFormat] ?? '',
});
const notifySettingsOf = (given: Record<string, string | undefined>) =>
  parseNotifySettings(notifyInputsOf(given));

function toSettings(fields: Fields, given: Record<string, string>) {
  const notify = notifySettingsOf(given);
  return {
    command: fields[INPUT.command],
    // '' for a provider other than Streampixel, which needs none of them.
    apiKey: fields[INPUT.apiKey] ?? '',
    userId: fields[INPUT.userId] ?? '',
    projectId: fields[INPUT.projectId] ?? '',
    fileUrl: fields[INPUT.fileUrl] ?? null,
    uploadId: fields[INPUT.uploadId] ?? null,
    // Handed off, the job is gone before the build is processed: Streampixel distributes it on its own.
    autoRelease: fields[INPUT.autoRelease] || fields[INPUT.waitVia] === 'handoff',
    waitVia: fields[INPUT.waitVia],
    bridgeUrl: fields[INPUT.bridgeUrl] ?? null,
    bridgeToken: fields[INPUT.bridgeToken] ?? null,
    receiverPort: fields[INPUT.receiverPort],
    receiverPath: fields[INPUT.receiverPath],
    timeoutMs: Math.round(fields[INPUT.timeoutMinutes] * 60_000),
    failOnRejected: fields[INPUT.failOnRejected],
    failOnTimeout: fields[INPUT.failOnTimeout],
    apiBaseUrl: fields[INPUT.apiBaseUrl],
    provider: fields[INPUT.provider],
    subject: fields[INPUT.subject] ?? null,
    webhookSecret: fields[INPUT.webhookSecret] ?? null,
    /** A GitHub Deployment is made only with an environment (DESIGN §8.1). */
    environment: fields[INPUT.environment] ?? null,
    environmentUrl: fields[INPUT.environmentUrl] ?? null,
    githubToken: fields[INPUT.githubToken] ?? null,
    /** null: no notifications (no notify-url). */
    notify: notify.ok ? notify.value : null,
    /** The notify-* inputs as given (null without notify-url): a handoff passes them on to the bridge. */
    notifyInputs: notify.ok && notify.value ? notifyInputsOf(given) : null,
    /** wait-via handoff: the bridge sends repository_dispatch `streampixel-release` with the outcome. */
    dispatchOnOutcome: fields[INPUT.dispatchOnOutcome],
  };
}

export type Settings = ReturnType<typeof toSettings>;

/** The Streampixel client the inputs name; `signal` abandons a call still in flight once the run has ended. */
export function streampixelClientOf(
  settings: Settings,
  signal: AbortSignal,
  dispatcher?: Dispatcher,
): StreampixelClient {
  return createStreampixelClient({
    signal,
    baseUrl: settings.apiBaseUrl,
    apiKey: settings.apiKey,
    userId: settings.userId,
    ...(dispatcher ? { dispatcher } : {}),
  });
}

/** The inputs as the core takes them: what to do, and how webhooks reach the run. */
export function planOf(settings: Settings): ReleasePlan {
  return { request: requestOf(settings), wait: waitPathOf(settings), timeoutMs: settings.timeoutMs };
}

function requestOf(settings: Settings): ReleaseRequest {
  const { projectId } = settings;
  // parseInputs has checked that each command has what it needs; '' never reaches a call.
  switch (settings.command) {
    case 'release':
      return {
        command: 'release',
        projectId,
        fileUrl: settings.fileUrl ?? '',
        autoRelease: settings.autoRelease,
      };
    case 'upload':
      return { command: 'upload', projectId, fileUrl: settings.fileUrl ?? '' };
    case 'distribute':
      return { command: 'distribute', projectId, uploadId: settings.uploadId ?? '' };
    case 'wait':
      return {
        command: 'wait',
        provider: settings.provider,
        projectId,
        subject: (settings.provider === 'streampixel' ? settings.uploadId : settings.subject) ?? '',
      };
    case 'test-webhook':
      return { command: 'test-webhook', projectId };
  }
}

function waitPathOf(settings: Settings): WaitPath {
  switch (settings.waitVia) {
    case 'none':
      return { via: 'none' };
    case 'bridge':
      return { via: 'bridge', url: settings.bridgeUrl ?? '', token: settings.bridgeToken ?? '' };
    case 'handoff':
      return { via: 'handoff', url: settings.bridgeUrl ?? '', token: settings.bridgeToken ?? '' };
    case 'receiver':
      return {
        via: 'receiver',
        port: settings.receiverPort,
        path: settings.receiverPath,
        webhookSecret: settings.webhookSecret ?? '',
      };
  }
}

export interface InputSource {
  getInput(name: string): string;
  /** Masks a value in every later log line (core.setSecret). */
  setSecret(value: string): void;
}

/**
 * Reads and validates every input at once: one error lists every problem. Secrets are masked first,
 * so not even a validation message can echo them.
 */
export function parseInputs(source: InputSource): Settings {
  const checked = checkInputs(source);
  if (checked.ok) return checked.settings;
  const lines = checked.problems.map((problem) => `- ${problem.input}: ${problem.message}`);
  throw new ReleaseError(
    ERROR_CODE.invalidInputs,
    `The action's inputs have ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
  );
}

/** parseInputs with every problem as a value, for a caller that names them its own way (the CLI's flags). */
export function checkInputs(source: InputSource): InputsCheck {
  const raw: Record<string, string> = {};
  for (const name of Object.values(INPUT)) raw[name] = source.getInput(name).trim();
  for (const name of SECRET_INPUTS) if (raw[name]) source.setSecret(raw[name]);
  // A presigned URL's query string is a credential; a plain URL is left readable.
  const fileUrl = raw[INPUT.fileUrl] ?? '';
  if (fileUrl.includes('?')) for (const secret of fileUrlSecrets(fileUrl)) source.setSecret(secret);

  const fields: Partial<Record<InputName, unknown>> = {};
  const problems: InputProblem[] = [];
  for (const [name, schema] of Object.entries(FIELDS) as Array<[InputName, z.ZodType]>) {
    // reportInput stays off: a message must never echo a value, which may be a secret.
    const parsed = schema.safeParse(raw[name]);
    if (parsed.success) fields[name] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push({ input: name, message: issue.message });
  }
  problems.push(...crossFieldProblems(fields as Partial<Fields>, raw));
  return problems.length === 0
    ? { ok: true, settings: toSettings(fields as Fields, raw) }
    : { ok: false, problems };
}

/** The file URL as logs may show it: scheme, host and path, never the query string. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '(invalid URL)';
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
}
