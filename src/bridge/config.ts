import { z } from 'zod';
import { parseHandoffConfig, type HandoffConfig } from './handoff/handoff-config.ts';
import { parseProvidersConfig, type ProvidersConfig } from './provider-config.ts';

// The bridge's whole configuration, read once from the environment at start (DESIGN §4). Every problem is
// reported at once so an operator fixes the deployment in one go; no message ever repeats a value, since
// two of them are secrets and BRIDGE_DATABASE may carry a password.

export const BRIDGE_ENV = {
  port: 'BRIDGE_PORT',
  host: 'BRIDGE_HOST',
  database: 'BRIDGE_DATABASE',
  ingestToken: 'BRIDGE_INGEST_TOKEN',
  readToken: 'BRIDGE_READ_TOKEN',
  handoffToken: 'BRIDGE_HANDOFF_TOKEN',
  projectIds: 'BRIDGE_PROJECT_IDS',
  retentionDays: 'BRIDGE_RETENTION_DAYS',
  logLevel: 'BRIDGE_LOG_LEVEL',
  headersTimeoutMs: 'BRIDGE_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'BRIDGE_REQUEST_TIMEOUT_MS',
  authFailuresPerMinute: 'BRIDGE_AUTH_FAILURES_PER_MINUTE',
  maxWaiters: 'BRIDGE_MAX_WAITERS',
} as const;

/**
 * Limits on greedy clients (DESIGN §4, load and abuse). Streampixel gives up on a webhook after 10 s, so a
 * request still arriving after 15 s has no sender left; readers send a few hundred bytes of headers. 60
 * failed authentications a minute per address is far above any misconfigured job (it stops at the first
 * 401) and far below a scan. A held long-poll costs about 40 KB (RELIABILITY.md): 2,000 of them about 80 MB.
 */
export const LIMIT_DEFAULTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  authFailuresPerMinute: 60,
  maxWaiters: 2_000,
} as const;
/** Catches seconds written where milliseconds are meant (`10` would cut every request). */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 600_000;

export const DEFAULT_DATABASE_PATH = './release-bridge.db';
export const MIN_TOKEN_LENGTH = 16;
/** The ingest token is a path segment: keep it below the router's parameter limit (see app.ts). */
export const MAX_TOKEN_LENGTH = 200;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// An unset variable and an empty one mean the same: "use the default".
const unsetIfEmpty = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const withDefault = <T extends z.ZodType>(schema: T, fallback: string) =>
  z.preprocess((value) => unsetIfEmpty(value) ?? fallback, schema);

const integerText = (what: string) => z.string().trim().regex(/^\d+$/, `must be ${what}`).transform(Number);

const milliseconds = (fallback: number) =>
  withDefault(
    integerText('a whole number of milliseconds').pipe(
      z
        .number()
        .min(MIN_TIMEOUT_MS, `must be at least ${MIN_TIMEOUT_MS} ms`)
        .max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS} ms`),
    ),
    String(fallback),
  );

const tokenText = (what: string, pattern: RegExp, characters: string) =>
  z
    .string({ error: `is required (${what})` })
    .min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters long`)
    .max(MAX_TOKEN_LENGTH, `must be at most ${MAX_TOKEN_LENGTH} characters long`)
    .regex(pattern, `may contain only ${characters}`);
const token = (what: string, pattern: RegExp, characters: string) =>
  z.preprocess(unsetIfEmpty, tokenText(what, pattern, characters));
const optionalToken = (what: string, pattern: RegExp, characters: string) =>
  z.preprocess(unsetIfEmpty, tokenText(what, pattern, characters).optional());

// Bearer tokens: any visible ASCII character (RFC 6750 allows fewer, but nothing is gained by refusing a
// token an operator already distributed).
const BEARER = /^[\x21-\x7e]+$/;
const BEARER_CHARACTERS = 'visible ASCII characters (no spaces)';

const DatabaseSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (/^postgres(ql)?:\/\//i.test(value)) {
      if (!URL.canParse(value)) {
        ctx.addIssue({ code: 'custom', message: 'looks like a PostgreSQL URL but cannot be parsed' });
        return z.NEVER;
      }
      return { kind: 'postgres' as const, url: value };
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a file path (SQLite) or a postgres:// or postgresql:// URL',
      });
      return z.NEVER;
    }
    return { kind: 'sqlite' as const, path: value };
  });

const ProjectIdsSchema = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const ids = value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (ids.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'lists no project id (unset it to accept every project)' });
      return z.NEVER;
    }
    return ids;
  });

const BridgeConfigSchema = z
  .object({
    [BRIDGE_ENV.port]: withDefault(
      integerText('a port number').pipe(z.number().max(65_535, 'must be a port number (0-65535)')),
      '8080',
    ),
    [BRIDGE_ENV.host]: withDefault(z.string().trim().min(1), '0.0.0.0'),
    [BRIDGE_ENV.database]: withDefault(DatabaseSchema, DEFAULT_DATABASE_PATH),
    // A path segment of the webhook URL pasted into Streampixel's dashboard: URL-safe characters only, so
    // it reaches the bridge exactly as configured.
    [BRIDGE_ENV.ingestToken]: token(
      'the secret path segment of the webhook URL',
      /^[A-Za-z0-9._~-]+$/,
      'letters, digits and . _ ~ -',
    ),
    // Sent as `Authorization: Bearer <token>`.
    [BRIDGE_ENV.readToken]: token('the bearer token of readers', BEARER, BEARER_CHARACTERS),
    // Optional: lets other CI (the CLI) register handoffs with no GitHub OIDC token (DESIGN §10).
    [BRIDGE_ENV.handoffToken]: optionalToken(
      'the bearer token of handoff registrations',
      BEARER,
      BEARER_CHARACTERS,
    ),
    [BRIDGE_ENV.projectIds]: z.preprocess(unsetIfEmpty, ProjectIdsSchema),
    [BRIDGE_ENV.retentionDays]: withDefault(
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d+)?$/, 'must be a positive number of days')
        .transform(Number)
        .pipe(z.number().positive('must be a positive number of days')),
      '30',
    ),
    [BRIDGE_ENV.logLevel]: withDefault(
      z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
      'info',
    ),
    [BRIDGE_ENV.headersTimeoutMs]: milliseconds(LIMIT_DEFAULTS.headersTimeoutMs),
    [BRIDGE_ENV.requestTimeoutMs]: milliseconds(LIMIT_DEFAULTS.requestTimeoutMs),
    // 0 turns the limit off (a bridge only reachable through a proxy that limits already).
    [BRIDGE_ENV.authFailuresPerMinute]: withDefault(
      integerText('a whole number (0 turns the limit off)'),
      String(LIMIT_DEFAULTS.authFailuresPerMinute),
    ),
    [BRIDGE_ENV.maxWaiters]: withDefault(
      integerText('a whole number').pipe(z.number().min(1, 'must be at least 1')),
      String(LIMIT_DEFAULTS.maxWaiters),
    ),
  })
  .transform((env) => ({
    port: env[BRIDGE_ENV.port],
    host: env[BRIDGE_ENV.host],
    database: env[BRIDGE_ENV.database],
    ingestToken: env[BRIDGE_ENV.ingestToken],
    readToken: env[BRIDGE_ENV.readToken],
    /**
     * undefined: no handoff by token. Set: `Authorization: Bearer <it>` registers a handoff with no
     * repository, which the bridge finishes with its notification only, never calling GitHub.
     */
    handoffToken: env[BRIDGE_ENV.handoffToken],
    /** undefined: every project is accepted. */
    projectIds: env[BRIDGE_ENV.projectIds],
    retentionDays: env[BRIDGE_ENV.retentionDays],
    logLevel: env[BRIDGE_ENV.logLevel],
    headersTimeoutMs: env[BRIDGE_ENV.headersTimeoutMs],
    requestTimeoutMs: env[BRIDGE_ENV.requestTimeoutMs],
    authFailuresPerMinute: env[BRIDGE_ENV.authFailuresPerMinute],
    maxWaiters: env[BRIDGE_ENV.maxWaiters],
  }));

export type BridgeConfig = z.output<typeof BridgeConfigSchema> & {
  providers: ProvidersConfig;
  /**
   * Handoffs by GitHub OIDC, acted on as the GitHub App; null: none (no BRIDGE_PUBLIC_URL, no App). Handoffs
   * are on when this or handoffToken is set (handoffsEnabled).
   */
  handoff: HandoffConfig | null;
};
export type DatabaseConfig = BridgeConfig['database'];

/** Thrown by parseBridgeConfig; `problems` holds one line per problem, never a value. */
export class BridgeConfigError extends Error {
  readonly code = 'invalid-config';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid release bridge configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'BridgeConfigError';
    this.problems = problems;
  }
}

/** Environment → typed config. Throws BridgeConfigError listing every problem. */
export function parseBridgeConfig(env: NodeJS.ProcessEnv): BridgeConfig {
  const picked = Object.fromEntries(Object.values(BRIDGE_ENV).map((name) => [name, env[name]]));
  const parsed = BridgeConfigSchema.safeParse(picked, { reportInput: false });
  const providers = parseProvidersConfig(env);
  const handoff = parseHandoffConfig(env);
  const tokens = distinctTokenProblems(picked);
  if (parsed.success && providers.ok && handoff.ok && tokens.length === 0) {
    return { ...parsed.data, providers: providers.value, handoff: handoff.value };
  }
  // Zod's own messages for these checks name the expectation, not the input; the variable name comes first.
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
  throw new BridgeConfigError([
    ...problems,
    ...(providers.ok ? [] : providers.problems),
    ...(handoff.ok ? [] : handoff.problems),
    ...tokens,
  ]);
}

/** Whether the bridge takes handoffs: by GitHub OIDC (with its App), by BRIDGE_HANDOFF_TOKEN, or both. */
export const handoffsEnabled = (config: Pick<BridgeConfig, 'handoff' | 'handoffToken'>): boolean =>
  config.handoff !== null || config.handoffToken !== undefined;

/**
 * Each token grants something else (sending events, reading them, registering handoffs): the handoff token
 * may be neither of the others, or a reader could register handoffs and the webhook URL would carry it.
 */
function distinctTokenProblems(picked: Record<string, string | undefined>): string[] {
  const handoffToken = unsetIfEmpty(picked[BRIDGE_ENV.handoffToken]);
  if (handoffToken === undefined) return [];
  return [BRIDGE_ENV.ingestToken, BRIDGE_ENV.readToken]
    .filter((name) => picked[name] === handoffToken)
    .map((name) => `${BRIDGE_ENV.handoffToken} must differ from ${name}`);
}
