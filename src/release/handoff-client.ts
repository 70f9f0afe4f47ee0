import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { systemClock, type Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { displayText } from '../webhooks/display-text.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';

// The job's side of POST /v1/handoffs (DESIGN §10): registers a build the job has sent with the release
// bridge, which follows it from then on and finishes the Deployment, the notification and the dispatch.
// One client, two ways to authenticate (HandoffAuth): the action sends the job's GitHub OIDC token, which it
// gets through @actions/core; the CLI, in another CI, sends the bridge's BRIDGE_HANDOFF_TOKEN, and such a
// handoff has no repository, so the bridge only notifies.

/** What the bridge is asked to follow, and what to do once the outcome is known. */
export interface HandoffRegistration {
  provider: 'streampixel';
  /** The uploadId. */
  subject: string;
  projectId: string;
  command: 'release' | 'distribute';
  /** distribute: the moment just before the Distribute call (ms); null counts every event of the build. */
  countFrom: number | null;
  /** The step's start + timeout-minutes (ms since the epoch). */
  deadline: number;
  /** The job's Deployment, set in_progress by the job; the bridge sets its final status. */
  deployment: { id: number; environmentUrl: string | null } | null;
  /** The notify-* inputs as given, when notify-url is set. */
  notify: { url: string; on: string; format: string } | null;
  /** Send repository_dispatch `streampixel-release` with the outcome. */
  dispatch: boolean;
}

export interface HandoffReceipt {
  id: string;
  /** GET <bridge-url>/v1/handoffs/<id>: where the handoff's state can be read (with the read token). */
  statusUrl: string;
}

/**
 * Who registers. `github-oidc`: the job's GitHub OIDC token for the audience `handoffAudience(bridgeUrl)`,
 * asked for once per registration (its errors end the registration as they are). `handoff-token`: the
 * bridge's BRIDGE_HANDOFF_TOKEN, for CI without GitHub: no Deployment, no dispatch, a notification only.
 */
export type HandoffAuth =
  { kind: 'github-oidc'; token(): Promise<string> } | { kind: 'handoff-token'; token: string };

/** What every call to POST /v1/handoffs takes. */
export interface HandoffCallOptions {
  bridgeUrl: string;
  auth: HandoffAuth;
  clock?: Clock;
  dispatcher?: Dispatcher;
  /** How long 429s, 5xx and an unreachable bridge are retried. */
  budgetMs?: number;
}

export interface RegisterHandoffOptions extends HandoffCallOptions {
  registration: HandoffRegistration;
}

export const DEFAULT_HANDOFF_BUDGET_MS = 30_000;
const MAX_PAUSE_MS = 5000;

/** The audience the bridge expects (its BRIDGE_PUBLIC_URL): bridge-url as given, without a trailing slash. */
export const handoffAudience = (bridgeUrl: string): string => bridgeUrl.replace(/\/+$/, '');

// Ids go into a URL and the job summary: only plain characters are taken.
const AcceptedSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._~:-]{1,200}$/),
  state: z.literal('following'),
});
// The contract's refusal names a `reason`; the bridge also sends its OIDC refusal as a code and a `message`.
const RefusalSchema = z.looseObject({
  error: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  problems: z.array(z.unknown()).optional(),
});

/** Errors where the request never left this runner: repeating it cannot register the build twice. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A final answer of the bridge, or a reason to try again (429, 5xx, a bridge the request never reached). */
type Exchange =
  { kind: 'answer'; statusCode: number; json: unknown } | { kind: 'retry'; reason: string; pauseMs?: number };

/** Registers the handoff; throws a ReleaseError whose message says what to fix. */
export async function registerHandoff(options: RegisterHandoffOptions): Promise<HandoffReceipt> {
  const url = handoffsUrl(options.bridgeUrl);
  const answer = await exchange(
    options,
    // sentAt lets the bridge turn this runner's times (countFrom, deadline) into its own clock's.
    (now) => JSON.stringify({ ...options.registration, sentAt: now }),
    // The request may have reached the bridge: a second one could follow the build twice.
    (detail) =>
      refused(
        `the registration's answer was lost (${detail}); the bridge may have registered it: list its ` +
          'handoffs with the read token before handing this build off again',
      ),
  );
  if (answer.statusCode !== 201) throw refused(refusalOf(answer, options));
  const accepted = AcceptedSchema.safeParse(answer.json);
  if (!accepted.success) {
    throw refused(
      'the release bridge answered 201 with a body this action does not understand: check bridge-url and the bridge version',
    );
  }
  const { id } = accepted.data;
  return { id, statusUrl: `${url.href}/${encodeURIComponent(id)}` };
}

/**
 * Proves, before anything is sent to Streampixel, that the bridge takes this caller's handoffs: an empty
 * registration, which the bridge authenticates before it reads the body, so 400 means "accepted, nothing
 * registered" and a wrong token, or a bridge without handoffs, is found while nothing is on its way yet.
 * Throws a ReleaseError whose message says what to fix.
 */
export async function checkHandoffAuth(options: HandoffCallOptions): Promise<void> {
  // An empty body registers nothing: a lost answer is simply asked again.
  const answer = await exchange(options, () => '{}', null);
  if (answer.statusCode !== 400) throw refused(refusalOf(answer, options));
}

const handoffsUrl = (bridgeUrl: string): URL => new URL('v1/handoffs', `${handoffAudience(bridgeUrl)}/`);

/** POSTs until a final answer, within the budget; `lost`: the error for an answer lost in flight (null: retry). */
async function exchange(
  options: HandoffCallOptions,
  bodyAt: (now: number) => string,
  lost: ((detail: string) => ReleaseError) | null,
): Promise<{ statusCode: number; json: unknown }> {
  const clock = options.clock ?? systemClock;
  const budgetMs = options.budgetMs ?? DEFAULT_HANDOFF_BUDGET_MS;
  const giveUpAt = clock.now() + budgetMs;
  const { auth } = options;
  const bearer = auth.kind === 'github-oidc' ? await auth.token() : auth.token;
  for (let failures = 0; ; failures += 1) {
    const attempt = await post(handoffsUrl(options.bridgeUrl), bodyAt(clock.now()), bearer, options, lost);
    if (attempt.kind === 'answer') return attempt;
    const left = giveUpAt - clock.now();
    if (left <= 0) throw refused(`the release bridge ${attempt.reason} for ${Math.round(budgetMs / 1000)} s`);
    // The bridge's Retry-After is kept to, but the last try comes when the budget ends.
    const pause = Math.max(attempt.pauseMs ?? 0, Math.min(MAX_PAUSE_MS, 500 * 2 ** failures));
    await clock.sleep(Math.min(pause, left));
  }
}

async function post(
  url: URL,
  body: string,
  bearer: string,
  options: HandoffCallOptions,
  lost: ((detail: string) => ReleaseError) | null,
): Promise<Exchange> {
  let statusCode: number;
  let text: string;
  let retryAfter: string | string[] | undefined;
  try {
    const response = await request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body,
      dispatcher: options.dispatcher,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    statusCode = response.statusCode;
    retryAfter = response.headers['retry-after'];
    text = await response.body.text();
  } catch (error) {
    const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
    if (NOT_SENT.has(code)) return { kind: 'retry', reason: `was unreachable (${code})` };
    const detail = code || displayText(messageOf(error));
    if (lost) throw lost(detail);
    return { kind: 'retry', reason: `did not answer (${detail})` };
  }
  if (statusCode === 429 || statusCode >= 500) {
    const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    return {
      kind: 'retry',
      reason: `answered ${statusCode}`,
      ...(Number.isFinite(seconds) && seconds > 0 ? { pauseMs: seconds * 1000 } : {}),
    };
  }
  return { kind: 'answer', statusCode, json: parseJsonSafely(text) };
}

/** What a final refusal means, and what to fix: the bridge's own words are outside text. */
function refusalOf(
  { statusCode, json }: { statusCode: number; json: unknown },
  options: HandoffCallOptions,
): string {
  const audience = handoffAudience(options.bridgeUrl);
  const auth = options.auth.kind;
  const refusal = RefusalSchema.safeParse(json);
  const said = refusal.success ? refusal.data : {};
  const words = (text: string | undefined) => (text ? `: ${displayText(text, 300)}` : '');
  switch (statusCode) {
    case 400: {
      const problems = (said.problems ?? []).map((problem) =>
        displayText(typeof problem === 'string' ? problem : JSON.stringify(problem), 200),
      );
      return (
        `the release bridge refused the registration (400${words(said.error)})` +
        (problems.length > 0 ? `: ${problems.slice(0, 10).join('; ')}` : '')
      );
    }
    case 401:
    case 403: {
      const reason = words([said.reason ?? said.error, said.message].filter(Boolean).join(': '));
      return auth === 'github-oidc'
        ? `the release bridge refused the job's OIDC token (${statusCode}${reason}): ` +
            "give the job `permissions: id-token: write`, and check that the bridge's BRIDGE_PUBLIC_URL is " +
            `${audience} and its BRIDGE_GITHUB_REPOS lists this repository`
        : `the release bridge refused the handoff token (${statusCode}${reason}): check that it is the ` +
            `BRIDGE_HANDOFF_TOKEN of the bridge at ${audience}`;
    }
    case 404:
      return (
        `the release bridge at ${audience} has no handoff configured (404 from POST /v1/handoffs): give it ` +
        (auth === 'github-oidc'
          ? 'BRIDGE_PUBLIC_URL, BRIDGE_GITHUB_REPOS and its GitHub App'
          : 'a BRIDGE_HANDOFF_TOKEN') +
        ' (README, "Handoff"), or check bridge-url'
      );
    default:
      return `the release bridge answered ${statusCode} to the registration${words(said.error)}`;
  }
}

const refused = (message: string): ReleaseError => new ReleaseError(ERROR_CODE.bridge, message);
