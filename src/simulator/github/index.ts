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
    runnerEnv: () => ({
      GITHUB_API_URL: api.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: SIMULATED_REPOSITORY,
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      GITHUB_RUN_ID: '5550001234',
      ACTIONS_ID_TOKEN_REQUEST_URL: runnerTokens.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: runnerTokens.requestToken,
    }),
    close: async () => {
      await Promise.all([api.close(), issuer.close(), runnerTokens.close()]);
    },
  };
}
