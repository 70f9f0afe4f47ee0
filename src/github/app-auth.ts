import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Dispatcher } from 'undici';
import { GITHUB_ERROR_CODE, GitHubApiError } from './api-error.ts';
import { readAppPrivateKey } from './app-config.ts';
import { parseRepositoryFullName } from './oidc-config.ts';
import { createGitHubRestClient, type GitHubRequester } from './rest-client.ts';

// The bridge acts on a repository as a GitHub App (DESIGN §10): a JWT signed with the App's key finds the
// App's installation on the repository, which gives an installation token (one hour) for that repository
// only. Tokens are cached per repository until shortly before they expire, so a handoff's few calls share one.
//
// Not @octokit/auth-app: it takes neither a clock nor an undici dispatcher, caches a token for 59 minutes of
// wall-clock time whatever its expires_at says, signs with iat 30 s back, and makes its calls with its own
// client (global fetch, Octokit's errors). The two calls below go through the project's REST client instead,
// so they share its timeout, dispatcher, size cap and GitHubApiError (which gitHubFailureOf reads for retries).

/** GitHub refuses a JWT whose iat is in its future; 60 s back absorbs a slow clock here. */
const JWT_BACKDATE_SECONDS = 60;
/** GitHub's limit is exp at most 10 minutes after now; iat + 10 min (9 min from now) stays inside it. */
const JWT_LIFETIME_SECONDS = 600;
/** A token handed out is good for at least this long, enough for a call and its retries. */
export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export interface InstallationTokensOptions {
  /** The App ID or Client ID: the JWT's issuer. */
  appId: string;
  /** A KeyObject (GitHubAppConfig.privateKey) or PEM text (`\n`-escaped newlines accepted). */
  privateKey: KeyObject | string;
  /** https://api.github.com (default), GHES's https://<host>/api/v3. */
  baseUrl?: string;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
  refreshBeforeExpiryMs?: number;
  /** Ask for a token scoped to the one repository (default true), not every repository of the installation. */
  limitToRepository?: boolean;
}

export interface InstallationTokens {
  /**
   * A token for `owner/name` valid for at least refreshBeforeExpiryMs. Throws a GitHubApiError whose message
   * says what to do (App not installed, JWT refused); never one holding the key or a token.
   */
  tokenFor(repository: string): Promise<string>;
}

/** The App's own JWT (RS256, iss = the App, iat a minute back, exp 9 minutes ahead). */
export function createAppJwt(appId: string, privateKey: KeyObject, nowMs: number): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(appId)
    .setIssuedAt(now - JWT_BACKDATE_SECONDS)
    .setExpirationTime(now - JWT_BACKDATE_SECONDS + JWT_LIFETIME_SECONDS)
    .sign(privateKey);
}

export function createInstallationTokens(options: InstallationTokensOptions): InstallationTokens {
  const privateKey = keyOf(options.privateKey);
  const now = options.now ?? Date.now;
  const refreshBefore = options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS;
  const cached = new Map<string, { token: string; expiresAt: number }>();
  // Concurrent callers for one repository share one fetch rather than minting tokens side by side.
  const pending = new Map<string, Promise<string>>();

  async function fetchToken(repository: string, key: string): Promise<string> {
    const name = parseRepositoryFullName(repository);
    if (!name) throw new RangeError('the repository must be given as owner/name');
    const app = createGitHubRestClient({
      token: await createAppJwt(options.appId, privateKey, now()),
      baseUrl: options.baseUrl,
      dispatcher: options.dispatcher,
      timeoutMs: options.timeoutMs,
    });
    const installationId = await installationOf(app, name.owner, name.repo);
    const answer = await app
      .request('POST /app/installations/{installation_id}/access_tokens', {
        installation_id: installationId,
        ...(options.limitToRepository === false ? {} : { repositories: [name.repo] }),
      })
      .catch((error: unknown) => {
        throw explained(error, `GitHub refused an installation token for ${repository}`);
      });
    const data = answer.data as { token?: unknown; expires_at?: unknown } | null;
    const expiresAt = typeof data?.expires_at === 'string' ? Date.parse(data.expires_at) : NaN;
    if (typeof data?.token !== 'string' || data.token === '' || Number.isNaN(expiresAt))
      throw new GitHubApiError(
        GITHUB_ERROR_CODE.unexpected,
        `GitHub answered ${answer.status} without an installation token and its expiry`,
      );
    cached.set(key, { token: data.token, expiresAt });
    return data.token;
  }

  return {
    tokenFor(repository) {
      const key = repository.trim().toLowerCase();
      const hit = cached.get(key);
      if (hit && now() < hit.expiresAt - refreshBefore) return Promise.resolve(hit.token);
      let fetching = pending.get(key);
      if (!fetching) {
        fetching = fetchToken(repository.trim(), key).finally(() => pending.delete(key));
        pending.set(key, fetching);
      }
      return fetching;
    },
  };
}

async function installationOf(app: GitHubRequester, owner: string, repo: string): Promise<number> {
  const answer = await app
    .request('GET /repos/{owner}/{repo}/installation', { owner, repo })
    .catch((error) => {
      const status = (error as { status?: unknown }).status;
      throw explained(
        error,
        status === 404
          ? `the GitHub App is not installed on ${owner}/${repo}: install it there (or add the repository to its installation)`
          : `the GitHub App's installation on ${owner}/${repo} could not be found`,
      );
    });
  const id = (answer.data as { id?: unknown } | null)?.id;
  if (typeof id !== 'number')
    throw new GitHubApiError(
      GITHUB_ERROR_CODE.unexpected,
      `GitHub answered ${answer.status} without an installation id`,
      {
        answer,
      },
    );
  return id;
}

/**
 * The same failure (code, status, GitHub's answer: what gitHubFailureOf reads to decide on a retry) with a
 * sentence saying what it means for the App. A 401 is the App's own credentials or this machine's clock.
 */
function explained(error: unknown, sentence: string): GitHubApiError {
  if (!(error instanceof GitHubApiError))
    return new GitHubApiError(GITHUB_ERROR_CODE.unreachable, sentence, { cause: error });
  const hint =
    error.status === 401
      ? ' (GitHub refused the App’s JWT: check BRIDGE_GITHUB_APP_ID, BRIDGE_GITHUB_PRIVATE_KEY and this machine’s clock)'
      : '';
  const answer =
    error.status !== null && error.response
      ? { status: error.status, data: error.response.data, headers: error.response.headers }
      : undefined;
  return new GitHubApiError(error.code, `${sentence}: ${error.message}${hint}`, {
    ...(error.status === null ? {} : { status: error.status }),
    answer,
    cause: error,
  });
}

function keyOf(privateKey: KeyObject | string): KeyObject {
  if (typeof privateKey !== 'string') return privateKey;
  const read = readAppPrivateKey(privateKey);
  if (!read.ok) throw new TypeError(`the GitHub App's private key ${read.problem}`);
  return read.key;
}
