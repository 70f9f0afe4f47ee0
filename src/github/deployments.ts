import type { Dispatcher } from 'undici';
import {
  createDeployment,
  createDeploymentStatus,
  type DeploymentState,
  type NewDeploymentStatus,
} from './deployment-api.ts';
import { deploymentWarning, type DeploymentCall, type WarningContext } from './deployment-warnings.ts';
import { deploymentDescription } from './description.ts';
import { createGitHubRestClient } from './rest-client.ts';

// A release as a GitHub Deployment (DESIGN §8.1): created for the commit once the build is known, in_progress
// with a link to the run, then success, failure or error. It is a side feature: every GitHub failure becomes
// one warning and nothing here throws, so a deployment can never change a release's outcome.

/** What the deployment's payload carries, so a workflow reading the deployment can find the build. */
export interface DeploymentBuild {
  projectId: string;
  uploadId: string;
  command: string;
}

export interface DeploymentTrackerOptions {
  token: string;
  /** Default https://api.github.com; GitHub Enterprise Server's https://<host>/api/v3, or a test server. */
  baseUrl?: string;
  owner: string;
  repo: string;
  /** The commit sha (GITHUB_SHA). */
  ref: string;
  environment: string;
  /** The `environment-url` input; when absent, success links the share URL the finish hands over. */
  environmentUrl?: string | null;
  /** The run's page (`workflowRunUrl`), shown beside every status. */
  logUrl?: string | null;
  build: DeploymentBuild;
  /** Omitted: GitHub's default (true only for an environment named `production`). */
  production?: boolean;
  warn(message: string): void;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
}

/** How the release ended, in the Deployment's terms. */
export type DeploymentOutcome =
  /** Live. `shareUrl`: the build's share link, the environment URL unless `environment-url` was given. */
  | { state: 'success'; shareUrl?: string | null }
  /** Rejected (or another provider's unit of work failed): the objection is the status's description. */
  | { state: 'failure'; objection: string | null }
  /** No outcome: the deadline passed, or the step ended before one arrived. */
  | { state: 'error'; reason: string };

export interface DeploymentTracker {
  /** Creates the deployment and sets it in_progress; the deployment id, or null when it could not be made. */
  start(): Promise<number | null>;
  /** Sets the final status once; true when GitHub took it. Does nothing when start() made no deployment. */
  finish(outcome: DeploymentOutcome): Promise<boolean>;
}

/** The run's page: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` (GITHUB_SERVER_URL, GITHUB_RUN_ID). */
export function workflowRunUrl(run: {
  serverUrl: string;
  owner: string;
  repo: string;
  runId: string | number;
}): string {
  return `${run.serverUrl.replace(/\/+$/, '')}/${run.owner}/${run.repo}/actions/runs/${run.runId}`;
}

export function createDeploymentTracker(options: DeploymentTrackerOptions): DeploymentTracker {
  const github = createGitHubRestClient({
    token: options.token,
    baseUrl: options.baseUrl,
    dispatcher: options.dispatcher,
    timeoutMs: options.timeoutMs,
  });
  const { owner, repo, build } = options;
  const context: WarningContext = {
    owner,
    repo,
    ref: options.ref,
    environment: options.environment,
    secrets: [options.token],
  };
  const safeWarn = (message: string) => {
    try {
      options.warn(message);
    } catch {
      // a failing logger must not end the release either
    }
  };
  const logUrl = webUrlOrWarn(options.logUrl, 'the run URL', safeWarn);
  const environmentUrl = webUrlOrWarn(options.environmentUrl, 'environment-url', safeWarn);

  let started: Promise<number | null> | null = null;
  let finished = false;

  async function setStatus(
    deploymentId: number,
    state: DeploymentState,
    extra: Pick<NewDeploymentStatus, 'description' | 'logUrl' | 'environmentUrl'>,
  ) {
    try {
      await createDeploymentStatus(github, { owner, repo, deploymentId, state, ...extra });
      return true;
    } catch (error) {
      warn({ call: 'status', deploymentId, state }, error);
      return false;
    }
  }

  const warn = (call: DeploymentCall, error: unknown) => safeWarn(deploymentWarning(call, error, context));

  async function start(): Promise<number | null> {
    let deploymentId: number;
    try {
      deploymentId = await createDeployment(github, {
        owner,
        repo,
        ref: options.ref,
        environment: options.environment,
        description: deploymentDescription(
          `Streampixel build ${build.uploadId} of project ${build.projectId}`,
        ),
        payload: { tool: 'streampixel-release', ...build },
        ...(options.production === undefined ? {} : { production: options.production }),
      });
    } catch (error) {
      warn({ call: 'create' }, error);
      return null;
    }
    await setStatus(deploymentId, 'in_progress', {
      description: deploymentDescription(`Releasing build ${build.uploadId}`),
      ...(logUrl === undefined ? {} : { logUrl }),
    });
    return deploymentId;
  }

  return {
    start() {
      started ??= start();
      return started;
    },
    async finish(outcome) {
      if (finished || started === null) return false;
      finished = true;
      const deploymentId = await started;
      if (deploymentId === null) return false;
      const link = logUrl === undefined ? {} : { logUrl };
      switch (outcome.state) {
        case 'success': {
          const url = environmentUrl ?? webUrlOrWarn(outcome.shareUrl, 'the share URL', safeWarn);
          return setStatus(deploymentId, 'success', {
            ...link,
            description: deploymentDescription(`Build ${build.uploadId} is live`),
            ...(url === undefined ? {} : { environmentUrl: url }),
          });
        }
        case 'failure':
          return setStatus(deploymentId, 'failure', {
            ...link,
            description: deploymentDescription(
              outcome.objection === null || outcome.objection.trim() === ''
                ? `Build ${build.uploadId} was rejected`
                : outcome.objection,
            ),
          });
        case 'error':
          return setStatus(deploymentId, 'error', {
            ...link,
            description: deploymentDescription(outcome.reason),
          });
      }
    },
  };
}

/** An http(s) URL as given, or undefined (with a warning when something else was given): GitHub refuses the
 * whole status for a URL it cannot read, and the status matters more than the link. */
function webUrlOrWarn(value: string | null | undefined, name: string, warn: (message: string) => void) {
  if (value === null || value === undefined || value === '') return undefined;
  if (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)) return value;
  warn(`The GitHub Deployment gets no link to ${name}: it is not an http(s) URL.`);
  return undefined;
}
