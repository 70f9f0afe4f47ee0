import type { Dispatcher } from 'undici';
import { gitHubFailureOf, isRetryableGitHubFailure } from '../../github/api-error.ts';
import { createInstallationTokens } from '../../github/app-auth.ts';
import type { GitHubAppConfig } from '../../github/app-config.ts';
import {
  createDeploymentStatus,
  finalDeploymentState,
  latestDeploymentState,
  type RepositoryRef,
} from '../../github/deployment-api.ts';
import { deploymentDescription } from '../../github/description.ts';
import { createRepositoryDispatch } from '../../github/dispatch-api.ts';
import { parseRepositoryFullName } from '../../github/oidc-config.ts';
import { createGitHubRestClient, type GitHubRequester } from '../../github/rest-client.ts';
import { messageOf } from '../../lib/error-message.ts';
import type { Logger } from '../../lib/logger.ts';
import { notifyRelease } from '../../release/notify/notify-release.ts';
import type { SendOptions } from '../../release/notify/send.ts';
import { parseNotifySettings } from '../../release/notify/settings.ts';
import { shareUrl } from '../../streampixel/schemas.ts';
import type { Outcome, Result } from '../../wait/types.ts';
import type { HandoffRequest } from './handoff-request.ts';

// What the bridge does once a handed-off build has its outcome (DESIGN §10): the Deployment's final status,
// a repository_dispatch for follow-up workflows, then the notification. GitHub calls act as the App on the
// one repository the OIDC token named; a handoff registered with the handoff token (other CI) has none, and
// gets the notification only. A GitHub failure worth retrying asks for another attempt; the
// notification is sent once, last, and only warns. A finish may run again after a crash or a retry: the
// Deployment status is read back so it is set once; the dispatch is at least once (its payload carries the
// handoff id, so a follow-up workflow can run once per handoff with a concurrency group).

export const DISPATCH_EVENT_TYPE = 'streampixel-release';

/** Statuses that end a deployment: the job sets in_progress, the bridge one of these (GitHub: inactive). */
const FINAL_STATES: ReadonlySet<string> = new Set(['success', 'failure', 'error', 'inactive']);

export type FinishAttempt =
  /** `gitHubRefused`: GitHub refused a call for good (not retried); the warnings say which. */
  { done: true; warnings: string[]; gitHubRefused: boolean } | { done: false; retry: string };

export interface Finisher {
  finish(
    /** null: registered with the handoff token; nothing is done on GitHub. */
    repository: string | null,
    handoffId: string,
    request: HandoffRequest,
    result: Result,
  ): Promise<FinishAttempt>;
}

/** What every step of a finish says of the result, worked out once. */
interface Ending {
  outcome: Outcome | 'error';
  /** The objection or the failure, as the provider or the follower put it. */
  detail: string | null;
  /** The live build's share link, when it went live on Streampixel. */
  shareUrl: string | null;
}

function endingOf(request: HandoffRequest, result: Result): Ending {
  const outcome = result.outcome ?? 'error';
  return {
    outcome,
    detail: result.objection ?? result.failure,
    shareUrl: outcome === 'approved' && request.projectId ? shareUrl(request.projectId) : null,
  };
}

export function createFinisher(options: {
  /** null: a bridge with BRIDGE_HANDOFF_TOKEN only, whose handoffs have no repository: it only notifies. */
  app: GitHubAppConfig | null;
  logger: Logger;
  dispatcher?: Dispatcher;
  now?: () => number;
  /** Tests only: lets the notification reach a loopback endpoint. */
  notifyOptions?: SendOptions;
}): Finisher {
  const gitHub = options.app && {
    apiUrl: options.app.apiUrl,
    tokens: createInstallationTokens({
      appId: options.app.appId,
      privateKey: options.app.privateKey,
      baseUrl: options.app.apiUrl,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
  };

  /** The Deployment status and the dispatch, as the App; null when done, an attempt when that ends the finish. */
  async function finishOnGitHub(
    app: NonNullable<typeof gitHub>,
    repository: string,
    handoffId: string,
    request: HandoffRequest,
    ending: Ending,
  ): Promise<FinishAttempt | null> {
    const name = parseRepositoryFullName(repository);
    if (!name)
      return {
        done: true,
        warnings: [`${repository} is not a repository name; nothing was done`],
        gitHubRefused: false,
      };
    const github = createGitHubRestClient({
      token: () => app.tokens.tokenFor(repository),
      baseUrl: app.apiUrl,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    try {
      if (request.deployment)
        await setFinalStatus(
          github,
          { ...name, deploymentId: request.deployment.id },
          handoffId,
          request,
          ending,
        );
      if (request.dispatch) {
        await createRepositoryDispatch(github, {
          ...name,
          eventType: DISPATCH_EVENT_TYPE,
          clientPayload: {
            outcome: ending.outcome,
            provider: request.provider,
            subject: request.subject,
            projectId: request.projectId,
            deploymentId: request.deployment?.id ?? null,
            handoffId,
            detail: ending.detail,
            shareUrl: ending.shareUrl,
          },
        });
      }
    } catch (error) {
      const failure = gitHubFailureOf(error);
      if (isRetryableGitHubFailure(failure)) return { done: false, retry: messageOf(error) };
      return {
        done: true,
        warnings: [`GitHub refused the handoff's call: ${messageOf(error)}`],
        gitHubRefused: true,
      };
    }
    return null;
  }

  return {
    async finish(repository, handoffId, request, result) {
      const ending = endingOf(request, result);
      const warnings: string[] = [];
      // A handoff registered with the handoff token has no repository: nothing on GitHub, the notification only.
      if (repository !== null && (request.deployment || request.dispatch)) {
        if (gitHub) {
          const ended = await finishOnGitHub(gitHub, repository, handoffId, request, ending);
          if (ended) return ended;
        } else
          warnings.push(
            'the bridge has no GitHub App (BRIDGE_GITHUB_APP_ID) now: the Deployment status and the dispatch were not sent',
          );
      }
      if (request.notify) {
        const settings = parseNotifySettings(request.notify);
        if (!settings.ok) warnings.push(`notification not sent: ${settings.problems.join('; ')}`);
        else if (settings.value) {
          const sent = await notifyRelease(
            settings.value,
            {
              provider: request.provider,
              command: request.command,
              projectId: request.projectId,
              subject: request.subject,
              outcome: ending.outcome,
              detail: ending.detail,
              shareUrl: ending.shareUrl,
              runUrl: null,
              repository,
              commit: null,
            },
            options.notifyOptions,
          );
          if (sent && !sent.sent) warnings.push(sent.warning);
        }
      }
      for (const warning of warnings) options.logger.warn(`handoff ${handoffId}: ${warning}`);
      return { done: true, warnings, gitHubRefused: false };
    },
  };
}

// Read back first: a replica that died between setting the status and recording it leaves the handoff to be
// finished again, and the Deployment must still get its final status once.
async function setFinalStatus(
  github: GitHubRequester,
  deployment: RepositoryRef & { deploymentId: number },
  handoffId: string,
  request: HandoffRequest,
  { outcome, detail }: Ending,
): Promise<void> {
  if (FINAL_STATES.has((await latestDeploymentState(github, deployment)) ?? '')) return;
  const state = finalDeploymentState(outcome === 'error' ? null : outcome);
  const live = state === 'success';
  const environmentUrl =
    request.deployment?.environmentUrl ?? (request.projectId ? shareUrl(request.projectId) : null);
  await createDeploymentStatus(github, {
    ...deployment,
    state,
    description: deploymentDescription(live ? `Live (handed off ${handoffId})` : (detail ?? outcome)),
    ...(live && environmentUrl ? { environmentUrl } : {}),
  });
}
