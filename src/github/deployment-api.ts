import { GITHUB_ERROR_CODE, GitHubApiError } from './api-error.ts';
import type { GitHubRequester } from './rest-client.ts';
import type { Outcome } from '../wait/types.ts';

// The Deployments calls, one function each, so the action and the bridge's handoff make them the same way, and
// the final state an outcome gives.
// They throw (GitHubApiError, or Octokit's RequestError): the caller decides between a warning and a retry.

export interface RepositoryRef {
  owner: string;
  repo: string;
}

export interface NewDeployment extends RepositoryRef {
  /** The commit sha: a branch name would deploy whatever the branch points at when GitHub reads it. */
  ref: string;
  environment: string;
  description: string;
  payload: Record<string, unknown>;
  /** Omitted: GitHub's default (true only for an environment named `production`). */
  production?: boolean;
}

/** Creates the deployment and returns its id. */
export async function createDeployment(github: GitHubRequester, deployment: NewDeployment): Promise<number> {
  const answer = await github.request('POST /repos/{owner}/{repo}/deployments', {
    owner: deployment.owner,
    repo: deployment.repo,
    ref: deployment.ref,
    environment: deployment.environment,
    description: deployment.description,
    payload: deployment.payload,
    // Never merge the default branch into the ref first: the build being released is this commit's.
    auto_merge: false,
    // Commit statuses and checks of this commit must not block recording a release that already happened.
    required_contexts: [],
    // A Streampixel project outlives each build: the environment is not specific to this deployment.
    transient_environment: false,
    ...(deployment.production === undefined ? {} : { production_environment: deployment.production }),
  });
  const id = (answer.data as { id?: unknown } | null)?.id;
  // 202 is GitHub's "merged the default branch instead" answer, which carries no deployment.
  if (answer.status !== 201 || typeof id !== 'number')
    throw new GitHubApiError(
      GITHUB_ERROR_CODE.unexpected,
      `GitHub answered ${answer.status} without a deployment id`,
      { answer },
    );
  return id;
}

/** The states this project sets; `inactive` is GitHub's to set (on a later success), never ours. */
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error';

export interface NewDeploymentStatus extends RepositoryRef {
  deploymentId: number;
  state: DeploymentState;
  description: string;
  logUrl?: string;
  environmentUrl?: string;
}

export async function createDeploymentStatus(
  github: GitHubRequester,
  status: NewDeploymentStatus,
): Promise<void> {
  await github.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
    owner: status.owner,
    repo: status.repo,
    deployment_id: status.deploymentId,
    state: status.state,
    description: status.description,
    ...(status.logUrl === undefined ? {} : { log_url: status.logUrl }),
    ...(status.environmentUrl === undefined ? {} : { environment_url: status.environmentUrl }),
    // Only a build that went live replaces the previous one: a rejected or unfinished release leaves the
    // build Streampixel still serves marked active.
    auto_inactive: status.state === 'success',
  });
}

/** The deployment's newest status (GitHub lists them newest first), or null when it has none. */
export async function latestDeploymentState(
  github: GitHubRequester,
  deployment: RepositoryRef & { deploymentId: number },
): Promise<string | null> {
  const answer = await github.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
    owner: deployment.owner,
    repo: deployment.repo,
    deployment_id: deployment.deploymentId,
    per_page: 1,
  });
  const newest: unknown = Array.isArray(answer.data) ? answer.data[0] : undefined;
  const state = (newest as { state?: unknown } | undefined)?.state;
  return typeof state === 'string' ? state : null;
}

/**
 * The final state an outcome gives a release's Deployment, for the action and the bridge's handoff alike:
 * live, refused (rejected, or another provider's unit of work failed), or anything else (timed out,
 * cancelled, the step ended first).
 */
export function finalDeploymentState(
  outcome: Outcome | null,
): Extract<DeploymentState, 'success' | 'failure' | 'error'> {
  if (outcome === 'approved' || outcome === 'succeeded') return 'success';
  if (outcome === 'rejected' || outcome === 'failed') return 'failure';
  return 'error';
}
