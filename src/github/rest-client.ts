import { request, type Dispatcher } from 'undici';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import { readCapped } from '../lib/read-capped.ts';
import { GitHubApiError } from './api-error.ts';

// A few REST calls do not need Octokit: undici is already the project's HTTP client, takes an injected
// dispatcher (tests, proxies), and keeps the Actions toolkit (which reads the runner's environment when
// imported) out of the bridge. The `request(route, parameters)` shape is Octokit's, so the endpoint functions
// of this folder run unchanged on an Octokit instance too (one authenticated as a GitHub App, say).

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
export const DEFAULT_GITHUB_TIMEOUT_MS = 10_000;
/** GitHub's answers to these calls are a few KiB; anything past this is not one of them. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const API_VERSION = '2022-11-28';

export interface GitHubAnswer {
  status: number;
  /** Octokit's type, which allows numbers; this client only ever gives strings. */
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

/** What the endpoint functions need: Octokit's `request`, or the client below. */
export interface GitHubRequester {
  request(route: string, parameters?: Record<string, unknown>): Promise<GitHubAnswer>;
}

export interface GitHubRestClientOptions {
  /** A token, or a function that returns a fresh one (a GitHub App's installation token expires). */
  token: string | (() => Promise<string>);
  /** https://api.github.com, or GitHub Enterprise Server's https://<host>/api/v3. */
  baseUrl?: string;
  dispatcher?: Dispatcher;
  /** Per call, from sending to the last byte of the answer. */
  timeoutMs?: number;
}

/**
 * A GitHub REST client for `request('POST /repos/{owner}/{repo}/deployments', { owner, repo, ref })`: the
 * parameters named in the route fill it (encoded), the rest are the JSON body. Resolves with 2xx and 3xx
 * answers; throws a GitHubApiError for any other status, no answer, or a timeout, as Octokit throws its own.
 */
export function createGitHubRestClient(options: GitHubRestClientOptions): GitHubRequester {
  const baseUrl = (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, '');
  const origin = new URL(baseUrl).origin;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
  const tokenOf = typeof options.token === 'string' ? async () => options.token as string : options.token;

  return {
    async request(route, parameters = {}) {
      const { method, path, body } = expandRoute(route, parameters);
      const token = await tokenOf();
      let answer: GitHubAnswer;
      try {
        const response = await request(`${baseUrl}${path}`, {
          method: method as Dispatcher.HttpMethod,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${token}`,
            'user-agent': 'streampixel-release',
            'x-github-api-version': API_VERSION,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          dispatcher: options.dispatcher,
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const text = (await readCapped(response.body, MAX_ANSWER_BYTES)).buffer.toString('utf8');
        answer = {
          status: response.statusCode,
          headers: flatHeaders(response.headers),
          data: parseAnswer(text),
        };
      } catch (error) {
        throw GitHubApiError.fromTransport(error, origin, timeoutMs);
      }
      if (answer.status >= 400) throw GitHubApiError.fromAnswer(answer);
      return answer;
    },
  };
}

function expandRoute(route: string, parameters: Record<string, unknown>) {
  const [method = '', template = ''] = route.split(' ');
  const used = new Set<string>();
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    used.add(name);
    return encodeURIComponent(String(parameters[name] ?? ''));
  });
  const rest = Object.fromEntries(Object.entries(parameters).filter(([name]) => !used.has(name)));
  // As Octokit does: a GET's other parameters are its query, anything else's are its JSON body.
  if (method === 'GET' || method === 'HEAD') {
    const query = new URLSearchParams(
      Object.entries(rest).map(([name, value]): [string, string] => [name, String(value)]),
    );
    return { method, path: query.size > 0 ? `${path}?${query}` : path, body: undefined };
  }
  return { method, path, body: Object.keys(rest).length > 0 ? rest : undefined };
}

const parseAnswer = (text: string): unknown => (text === '' ? null : (parseJsonSafely(text) ?? text));

function flatHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );
}
