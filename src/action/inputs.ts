import { z } from 'zod';
import { fileUrlSecrets } from '../lib/url-secrets.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { STREAMPIXEL_API_BASE } from '../streampixel/schemas.ts';
import { COMMANDS } from '../wait/types.ts';

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
} as const;

export const WAIT_VIA = ['bridge', 'receiver', 'none'] as const;

/** Inputs that hold secrets, masked before anything else can print them. */
const SECRET_INPUTS = [INPUT.apiKey, INPUT.bridgeToken] as const;

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

const required = (what: string) =>
  z
    .string({ error: `is required (${what})` })
    .trim()
    .min(1, `is required (${what})`);

const InputsSchema = z
  .object({
    [INPUT.command]: withDefault(
      z.enum(COMMANDS, { error: `must be one of ${COMMANDS.join(', ')}` }),
      'release',
    ),
    [INPUT.apiKey]: required('your Streampixel API key, from a secret'),
    [INPUT.userId]: required('your Streampixel user id'),
    [INPUT.projectId]: required('the Streampixel project to publish to'),
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
      z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65_535),
      '8080',
    ),
    [INPUT.receiverPath]: withDefault(z.string().trim().startsWith('/', 'must start with /'), '/'),
    [INPUT.timeoutMinutes]: withDefault(
      z.coerce
        .number({ error: 'must be a number of minutes' })
        .positive('must be above 0')
        .max(24 * 60, 'must be at most 1440 (a day)'),
      '45',
    ),
    [INPUT.failOnRejected]: withDefault(booleanText, 'true'),
    [INPUT.failOnTimeout]: withDefault(booleanText, 'true'),
    [INPUT.apiBaseUrl]: withDefault(httpUrl, STREAMPIXEL_API_BASE),
  })
  .superRefine((inputs, ctx) => {
    const command = inputs[INPUT.command];
    const need = (input: string, why: string) =>
      ctx.addIssue({ code: 'custom', path: [input], message: why });
    if ((command === 'release' || command === 'upload') && !inputs[INPUT.fileUrl]) {
      need(INPUT.fileUrl, `is required for command ${command} (the direct-download URL of the build .zip)`);
    }
    if ((command === 'distribute' || command === 'wait') && !inputs[INPUT.uploadId]) {
      need(
        INPUT.uploadId,
        `is required for command ${command} (the build to ${command === 'wait' ? 'wait for' : command})`,
      );
    }
    const via = inputs[INPUT.waitVia];
    if (via === 'bridge') {
      if (!inputs[INPUT.bridgeUrl])
        need(INPUT.bridgeUrl, 'is required with wait-via: bridge (or set wait-via: receiver)');
      if (!inputs[INPUT.bridgeToken])
        need(INPUT.bridgeToken, 'is required with wait-via: bridge (the read token, from a secret)');
    }
    if (via === 'none' && command === 'wait') {
      need(INPUT.waitVia, 'cannot be none for command wait: waiting is all it does');
    }
  })
  .transform((inputs) => ({
    command: inputs[INPUT.command],
    apiKey: inputs[INPUT.apiKey],
    userId: inputs[INPUT.userId],
    projectId: inputs[INPUT.projectId],
    fileUrl: inputs[INPUT.fileUrl] ?? null,
    uploadId: inputs[INPUT.uploadId] ?? null,
    autoRelease: inputs[INPUT.autoRelease],
    waitVia: inputs[INPUT.waitVia],
    bridgeUrl: inputs[INPUT.bridgeUrl] ?? null,
    bridgeToken: inputs[INPUT.bridgeToken] ?? null,
    receiverPort: inputs[INPUT.receiverPort],
    receiverPath: inputs[INPUT.receiverPath],
    timeoutMs: Math.round(inputs[INPUT.timeoutMinutes] * 60_000),
    failOnRejected: inputs[INPUT.failOnRejected],
    failOnTimeout: inputs[INPUT.failOnTimeout],
    apiBaseUrl: inputs[INPUT.apiBaseUrl],
  }));

export type Settings = z.output<typeof InputsSchema>;

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
  const raw: Record<string, string> = {};
  for (const name of Object.values(INPUT)) raw[name] = source.getInput(name).trim();
  for (const name of SECRET_INPUTS) if (raw[name]) source.setSecret(raw[name]);
  // A presigned URL's query string is a credential; a plain URL is left readable.
  const fileUrl = raw[INPUT.fileUrl] ?? '';
  if (fileUrl.includes('?')) for (const secret of fileUrlSecrets(fileUrl)) source.setSecret(secret);

  const parsed = InputsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `- ${issue.path.join('.') || 'inputs'}: ${issue.message}`,
  );
  throw new ReleaseError(
    ERROR_CODE.invalidInputs,
    `The action's inputs have ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.join('\n')}`,
  );
}

/** The file URL as logs may show it: scheme, host and path, never the query string. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '(invalid URL)';
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
}
