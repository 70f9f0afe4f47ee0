import { createDeploymentTracker, workflowRunUrl, type DeploymentTracker } from '../github/deployments.ts';
import type { Settings } from '../release/inputs.ts';
import type { ReleaseObserver, RunRecord } from '../release/observers.ts';
import { OUTPUT, type SetOutput } from '../release/outputs.ts';
import { shareUrl } from '../streampixel/schemas.ts';

// The release as a GitHub Deployment (DESIGN §8.1), from the runner's GITHUB_* context. Made once the build
// is known (at once for distribute and wait, when the upload is accepted for release) for the commands that
// make a build live; `upload`, `test-webhook`, `wait-via: none` and other providers' waits release nothing.

export function deploymentObserver(
  settings: Settings,
  setOutput: SetOutput,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): ReleaseObserver | null {
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
  const start = async (record: RunRecord) => {
    if (tracker || !record.uploadId) return;
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
    const id = await tracker.start();
    if (id !== null) setOutput(OUTPUT.deploymentId, String(id));
  };
  return {
    name: 'record the GitHub Deployment',
    started: start,
    uploadId: start,
    async finished(record) {
      if (!tracker) return;
      const outcome = record.result?.outcome ?? null;
      if (outcome === 'approved')
        await tracker.finish({ state: 'success', shareUrl: shareUrl(settings.projectId) });
      else if (outcome === 'rejected')
        await tracker.finish({ state: 'failure', objection: record.result?.objection ?? null });
      else
        await tracker.finish({
          state: 'error',
          reason: record.result?.failure ?? record.error ?? 'no outcome',
        });
    },
  };
}
