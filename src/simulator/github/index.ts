import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from './fake-github.ts';
import { startFakeOidcIssuer, type FakeOidcIssuer } from './fake-oidc-issuer.ts';
import { startRunnerTokenService, type RunnerTokenService } from './runner-token-service.ts';

// The GitHub simulator: everything of GitHub a handoff touches, on loopback (DESIGN §10). The REST API
// records calls (Deployments, statuses, repository_dispatch, App installation tokens); the OIDC issuer
// publishes keys generated at start; the runner's ID-token endpoint hands a job tokens of that issuer.
// `runnerEnv` is what a runner gives the job, so the built action runs against it unchanged.

export { startFakeGitHub, type FakeGitHub } from './fake-github.ts';
export { githubClaims, startFakeOidcIssuer, type FakeOidcIssuer } from './fake-oidc-issuer.ts';
export { startRunnerTokenService, type RunnerTokenService } from './runner-token-service.ts';

/** The repository the issuer's tokens name (githubClaims). */
export const SIMULATED_REPOSITORY = 'acme/game';
/** The commit a simulated job runs on (GITHUB_SHA). */
export const SIMULATED_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/**
 * What a runner gives a job on the simulated GitHub at `apiUrl`; with `tokens`, also the ID-token endpoint
 * of a job with `id-token: write`.
 */
export function simulatedRunnerEnv(apiUrl: string, tokens?: RunnerTokenService): Record<string, string> {
  return {
    GITHUB_API_URL: apiUrl,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: SIMULATED_REPOSITORY,
    GITHUB_SHA: SIMULATED_SHA,
    GITHUB_RUN_ID: '5550001234',
    ...(tokens
      ? {
          ACTIONS_ID_TOKEN_REQUEST_URL: tokens.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: tokens.requestToken,
        }
      : {}),
  };
}

export interface GitHubSimulator {
  api: FakeGitHub;
  issuer: FakeOidcIssuer;
  runnerTokens: RunnerTokenService;
  /**
   * A job's environment on a runner with `id-token: write`: GITHUB_API_URL, GITHUB_REPOSITORY, …,
   * ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (a secret).
   */
  runnerEnv(): Record<string, string>;
  close(): Promise<void>;
}

export async function startGitHubSimulator(options: FakeGitHubOptions = {}): Promise<GitHubSimulator> {
  const [api, issuer] = await Promise.all([startFakeGitHub(options), startFakeOidcIssuer()]);
  const runnerTokens = await startRunnerTokenService({ issuer });
  return {
    api,
    issuer,
    runnerTokens,
    runnerEnv: () => simulatedRunnerEnv(api.url, runnerTokens),
    close: async () => {
      await Promise.all([api.close(), issuer.close(), runnerTokens.close()]);
    },
  };
}
