import { CodedError } from '../lib/coded-error.ts';
import type { GitHubAnswer } from './rest-client.ts';

export const GITHUB_ERROR_CODE = {
  /** GitHub answered with a status of 400 or more. */
  status: 'github-status',
  /** No answer: the connection failed or broke. */
  unreachable: 'github-unreachable',
  /** No answer within the time allowed. */
  timeout: 'github-timeout',
  /** A 2xx answer that lacks what the call needs (a deployment id, say). */
  unexpected: 'github-unexpected-answer',
} as const;
export type GitHubErrorCode = (typeof GITHUB_ERROR_CODE)[keyof typeof GITHUB_ERROR_CODE];

/**
 * A failed GitHub call. `status`, `response.data` and `response.headers` have the names Octokit's RequestError
 * gives them, so one reader (`gitHubFailureOf`) handles both. `message` never holds a token or a request header.
 */
export class GitHubApiError extends CodedError<GitHubErrorCode> {
  override readonly name = 'GitHubApiError';
  readonly status: number | null;
  readonly response: Pick<GitHubAnswer, 'data' | 'headers'> | undefined;

  constructor(
    code: GitHubErrorCode,
    message: string,
    details: { status?: number; answer?: GitHubAnswer; cause?: unknown } = {},
  ) {
    super(code, message, { cause: details.cause });
    this.status = details.status ?? details.answer?.status ?? null;
    this.response = details.answer && { data: details.answer.data, headers: details.answer.headers };
  }

  static fromAnswer(answer: GitHubAnswer): GitHubApiError {
    return new GitHubApiError(GITHUB_ERROR_CODE.status, `GitHub answered ${answer.status}`, { answer });
  }

  static fromTransport(error: unknown, origin: string, timeoutMs: number): GitHubApiError {
    const codes = errorCodes(error);
    if (codes.some((code) => TIMEOUT_CODES.has(code)))
      return new GitHubApiError(
        GITHUB_ERROR_CODE.timeout,
        `${origin} did not answer within ${timeoutMs / 1000} s`,
        { cause: error },
      );
    return new GitHubApiError(
      GITHUB_ERROR_CODE.unreachable,
      `could not reach ${origin} (${codes[0] ?? 'connection failed'})`,
      { cause: error },
    );
  }
}

// AbortSignal.timeout aborts with a TimeoutError; undici's own timers have their codes.
const TIMEOUT_CODES = new Set(['TimeoutError', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Error codes (or names) along the cause chain, outermost first: `ECONNREFUSED`, `TimeoutError`. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (current.name === 'TimeoutError' || current.name === 'AbortError') codes.push(current.name);
    current = current.cause;
  }
  return codes;
}

/** What went wrong with a GitHub call, whichever client made it. */
export type GitHubFailure =
  | { kind: 'status'; status: number; serverMessage: string | null; rateLimited: boolean }
  | { kind: 'no-answer'; detail: string }
  | { kind: 'unexpected'; detail: string };

export function gitHubFailureOf(error: unknown): GitHubFailure {
  if (error instanceof GitHubApiError && error.code !== GITHUB_ERROR_CODE.status)
    return error.code === GITHUB_ERROR_CODE.unexpected
      ? { kind: 'unexpected', detail: error.message }
      : { kind: 'no-answer', detail: error.message };
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number')
    return { kind: 'no-answer', detail: 'the call failed before GitHub answered' };
  const response = (error as { response?: { data?: unknown; headers?: Record<string, unknown> } }).response;
  const serverMessage = messageField(response?.data);
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (String(response?.headers?.['x-ratelimit-remaining']) === '0' ||
        /rate limit/i.test(serverMessage ?? '')));
  return { kind: 'status', status, serverMessage, rateLimited };
}

function messageField(data: unknown): string | null {
  const message = (data as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.length > 0 ? message : null;
}

/** Worth trying again later (the bridge's handoff retries with backoff; the action does not). */
export function isRetryableGitHubFailure(failure: GitHubFailure): boolean {
  if (failure.kind === 'no-answer') return true;
  if (failure.kind === 'unexpected') return false;
  return failure.status >= 500 || failure.rateLimited;
}
