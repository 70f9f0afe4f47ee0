import type { Settings } from '../release/inputs.ts';
import type { NotifyContext } from '../release/notify/notify-observer.ts';
import { shareUrl } from '../streampixel/schemas.ts';

// The notification links the job that ran the CLI and the commit it built, read from whichever CI it runs
// in: GitLab CI, Jenkins (with its Git plugin), TeamCity, or GitHub Actions.

export function ciContext(env: NodeJS.ProcessEnv) {
  const github =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    runUrl: env.CI_JOB_URL || env.BUILD_URL || github || null,
    repository: env.CI_PROJECT_PATH || env.GITHUB_REPOSITORY || null,
    commit: env.CI_COMMIT_SHA || env.GIT_COMMIT || env.BUILD_VCS_NUMBER || env.GITHUB_SHA || null,
  };
}

export function notifyContextOf(settings: Settings, env: NodeJS.ProcessEnv): NotifyContext {
  const streampixel = settings.provider === 'streampixel';
  return {
    provider: settings.provider,
    command: settings.command,
    projectId: streampixel ? settings.projectId : null,
    shareUrl: streampixel ? shareUrl(settings.projectId) : null,
    ...ciContext(env),
  };
}
