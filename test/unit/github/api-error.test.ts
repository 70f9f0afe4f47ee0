import { describe, expect, test } from 'vitest';
import {
  GITHUB_ERROR_CODE,
  GitHubApiError,
  gitHubFailureOf,
  isRetryableGitHubFailure,
} from '../../../src/github/api-error.ts';

// The bridge's handoff will decide between retrying and giving up from this reading, whichever client made
// the call: our GitHubApiError or Octokit's RequestError (same `status` and `response` names).

const octokitError = (status: number, message: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), { name: 'HttpError', status, response: { data: { message }, headers } });

describe('gitHubFailureOf', () => {
  test.each([
    [
      'our 500',
      GitHubApiError.fromAnswer({ status: 500, headers: {}, data: { message: 'boom' } }),
      500,
      'boom',
      false,
      true,
    ],
    [
      'Octokit’s 403',
      octokitError(403, 'Resource not accessible by integration'),
      403,
      'Resource not accessible by integration',
      false,
      false,
    ],
    [
      'a 403 with no requests left',
      octokitError(403, 'Forbidden', { 'x-ratelimit-remaining': '0' }),
      403,
      'Forbidden',
      true,
      true,
    ],
    [
      'a secondary rate limit',
      octokitError(403, 'You have exceeded a secondary rate limit'),
      403,
      'You have exceeded a secondary rate limit',
      true,
      true,
    ],
    ['a 429', octokitError(429, 'Too Many Requests'), 429, 'Too Many Requests', true, true],
    ['a 422', octokitError(422, 'Validation Failed'), 422, 'Validation Failed', false, false],
    [
      'a body that is not JSON',
      GitHubApiError.fromAnswer({ status: 502, headers: {}, data: '<html>' }),
      502,
      null,
      false,
      true,
    ],
  ])('%s', (_name, error, status, serverMessage, rateLimited, retryable) => {
    const failure = gitHubFailureOf(error);
    expect(failure).toEqual({ kind: 'status', status, serverMessage, rateLimited });
    expect(isRetryableGitHubFailure(failure)).toBe(retryable);
  });

  test('no answer is worth retrying', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const failure = gitHubFailureOf(
      GitHubApiError.fromTransport(
        new TypeError('fetch failed', { cause: refused }),
        'https://ghe.example',
        10_000,
      ),
    );
    expect(failure).toEqual({
      kind: 'no-answer',
      detail: 'could not reach https://ghe.example (ECONNREFUSED)',
    });
    expect(isRetryableGitHubFailure(failure)).toBe(true);
  });

  test('a timeout says how long it waited', () => {
    const error = GitHubApiError.fromTransport(
      new DOMException('aborted', 'TimeoutError'),
      'https://api.github.com',
      10_000,
    );
    expect(error.code).toBe(GITHUB_ERROR_CODE.timeout);
    expect(gitHubFailureOf(error)).toEqual({
      kind: 'no-answer',
      detail: 'https://api.github.com did not answer within 10 s',
    });
  });

  test('an answer without what the call needs is not retried', () => {
    const failure = gitHubFailureOf(
      new GitHubApiError(GITHUB_ERROR_CODE.unexpected, 'GitHub answered 202 without a deployment id'),
    );
    expect(failure.kind).toBe('unexpected');
    expect(isRetryableGitHubFailure(failure)).toBe(false);
  });

  test('anything else thrown is read as no answer', () => {
    expect(gitHubFailureOf(new Error('socket hang up')).kind).toBe('no-answer');
    expect(gitHubFailureOf(undefined).kind).toBe('no-answer');
  });
});
