import { displayText } from '../webhooks/display-text.ts';
import { gitHubFailureOf } from './api-error.ts';
import type { DeploymentState } from './deployment-api.ts';

// A deployment is a side feature (DESIGN §3.4): when GitHub refuses or never answers, the user reads one
// sentence that names the call, GitHub's status and message, and what to change; the release goes on.

export interface WarningContext {
  owner: string;
  repo: string;
  ref: string;
  environment: string;
  /** Cut out of anything GitHub sends back, in case an answer echoes the request. */
  secrets: readonly string[];
}

export type DeploymentCall =
  { call: 'create' } | { call: 'status'; deploymentId: number; state: DeploymentState };

export function deploymentWarning(call: DeploymentCall, error: unknown, context: WarningContext): string {
  const failure = gitHubFailureOf(error);
  const what =
    call.call === 'create'
      ? 'create a GitHub Deployment'
      : `set GitHub Deployment ${call.deploymentId} to ${call.state}`;
  const consequence =
    call.call === 'create'
      ? 'The release goes on without a deployment.'
      : 'The release is not affected; the deployment shows its previous state.';
  if (failure.kind !== 'status')
    return `Could not ${what} (${clean(failure.detail, context)}): check the runner's network and GITHUB_API_URL. ${consequence}`;
  const said = failure.serverMessage === null ? '' : `: ${clean(failure.serverMessage, context)}`;
  return `Could not ${what} (${failure.status}${said}): ${advice(call, failure.status, failure.rateLimited, context)}. ${consequence}`;
}

function advice(call: DeploymentCall, status: number, rateLimited: boolean, context: WarningContext): string {
  const repository = `${context.owner}/${context.repo}`;
  if (rateLimited) return 'GitHub is rate-limiting this token; re-run the job later';
  switch (status) {
    case 401:
      return 'GitHub refused github-token (invalid or expired); pass a valid token';
    case 403:
      return 'give the job `permissions: deployments: write`, or pass a github-token that may write deployments';
    case 404:
      return call.call === 'create'
        ? `this token cannot see ${repository}; check github-token (and GITHUB_API_URL on GitHub Enterprise Server)`
        : `deployment ${call.deploymentId} no longer exists in ${repository}, or this token cannot see it`;
    case 409:
      // With auto_merge off and no required contexts, neither of GitHub's documented conflicts should occur.
      return 'GitHub reported a conflict (an auto-merge or a required status check), which this deployment asks for neither of; re-run the job';
    case 422:
      return call.call === 'create'
        ? `check that commit ${clean(context.ref, context)} is pushed to ${repository} and that environment "${clean(context.environment, context)}" allows deployments from it (its protection rules)`
        : 'GitHub refused the status; check that environment-url is a full https:// URL';
    default:
      return status >= 500
        ? 'GitHub had a server error; it usually passes, re-run the job to record the deployment'
        : 'GitHub refused the request';
  }
}

function clean(text: string, context: WarningContext): string {
  const redacted = context.secrets
    .filter((secret) => secret.length > 0)
    .reduce((acc, secret) => acc.split(secret).join('***'), text);
  return displayText(redacted);
}
