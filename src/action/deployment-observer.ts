import { finalDeploymentState } from '../github/deployment-api.ts';
import { createDeploymentTracker, workflowRunUrl, type DeploymentTracker } from '../github/deployments.ts';
import type { Settings } from '../release/inputs.ts';
import type { ReleaseObserver, RunRecord } from '../release/observers.ts';
import { OUTPUT, type SetOutput } from '../release/outputs.ts';
import { shareUrl } from '../streampixel/schemas.ts';

// The release as a GitHub Deployment (DESIGN §8.1), from the runner's GITHUB_* context. Made once the build
// is known (at once for distribute and wait, when the upload is accepted for release) for the commands that
// make a build live; `upload`, `test-webhook`, `wait-via: none` and other providers' waits release nothing.
// Handed off (DESIGN §10), the Deployment is left in_progress: the bridge sets its final status.

/** The Deployment as a handoff passes it on, for the bridge to finish. */
export interface DeploymentRef {
  id: number;
  /** What success links: environment-url, else the share link (as the action itself would set it). */
  environmentUrl: string | null;
}

export interface DeploymentObserver extends ReleaseObserver {
  /** The Deployment of the build `record` names, once created and in_progress; null when none was made. */
  deployment(record: RunRecord): Promise<DeploymentRef | null>;
}

export function deploymentObserver(
  settings: Settings,
  setOutput: SetOutput,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): DeploymentObserver | null {
  const { environment } = settings;
  const releases =
    settings.provider === 'streampixel' &&
    settings.waitVia !== 'none' &&
    (settings.command === 'release' || settings.command === 'distribute' || settings.command === 'wait');
  if (!environment || !releases) return null;
  const [owner, repo] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (!owner || !repo || !env['GITHUB_SHA'] || !settings.githubToken) {
    warn(
      'No GitHub Deployment: the environment input needs GITHUB_REPOSITORY, GITHUB_SHA and a github-token',
    );
    return null;
  }
  const serverUrl = env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  let tracker: DeploymentTracker | null = null;
  let creating: Promise<number | null> | null = null;
  // Once per run, whichever asks first: the upload-id hook, or a handoff that needs the id before it.
  const start = (record: RunRecord): Promise<number | null> => {
    if (creating) return creating;
    if (!record.uploadId) return Promise.resolve(null);
    tracker = createDeploymentTracker({
      token: settings.githubToken ?? '',
      baseUrl: env['GITHUB_API_URL'] ?? 'https://api.github.com',
      owner,
      repo,
      ref: env['GITHUB_SHA'] ?? '',
      environment,
      environmentUrl: settings.environmentUrl,
      logUrl: env['GITHUB_RUN_ID']
        ? workflowRunUrl({ serverUrl, owner, repo, runId: env['GITHUB_RUN_ID'] })
        : null,
      build: { projectId: settings.projectId, uploadId: record.uploadId, command: settings.command },
      warn,
    });
    creating = tracker.start().then((id) => {
      if (id !== null) setOutput(OUTPUT.deploymentId, String(id));
      return id;
    });
    return creating;
  };
  return {
    name: 'record the GitHub Deployment',
    started: async (record) => void (await start(record)),
    uploadId: async (record) => void (await start(record)),
    async deployment(record) {
      const id = await start(record);
      return id === null
        ? null
        : { id, environmentUrl: settings.environmentUrl ?? shareUrl(settings.projectId) };
    },
    async finished(record) {
      if (!tracker) return;
      const outcome = record.result?.outcome ?? null;
      // The bridge follows the build now, and sets the status once the outcome is known.
      if (outcome === 'handed-off') return;
      const state = finalDeploymentState(outcome);
      if (state === 'success') await tracker.finish({ state, shareUrl: shareUrl(settings.projectId) });
      else if (state === 'failure')
        await tracker.finish({ state, objection: record.result?.objection ?? null });
      else await tracker.finish({ state, reason: record.result?.failure ?? record.error ?? 'no outcome' });
    },
  };
}
