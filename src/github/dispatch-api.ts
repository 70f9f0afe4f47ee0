import { GITHUB_ERROR_CODE, GitHubApiError } from './api-error.ts';
import type { RepositoryRef } from './deployment-api.ts';
import type { GitHubRequester } from './rest-client.ts';

// The handoff's last step (DESIGN §10): a `repository_dispatch` event, so a follow-up workflow
// (`on: repository_dispatch: types: [streampixel-release]`) can test the live build. Needs Contents: write.

/** GitHub's limits: https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event */
export const MAX_EVENT_TYPE_LENGTH = 100;
export const MAX_CLIENT_PAYLOAD_KEYS = 10;

export interface RepositoryDispatch extends RepositoryRef {
  /** `streampixel-release`: what `on: repository_dispatch: types: [...]` matches. */
  eventType: string;
  /** At most 10 top-level keys; nest anything more. */
  clientPayload: Record<string, unknown>;
}

/**
 * Sends the event (GitHub answers 204). A payload GitHub would refuse is refused here, before the call, as
 * a GitHubApiError `unexpected`, which gitHubFailureOf reads as not worth a retry: no later attempt would fix it.
 */
export async function createRepositoryDispatch(
  github: GitHubRequester,
  dispatch: RepositoryDispatch,
): Promise<void> {
  const keys = Object.keys(dispatch.clientPayload).length;
  if (keys > MAX_CLIENT_PAYLOAD_KEYS)
    throw new GitHubApiError(
      GITHUB_ERROR_CODE.unexpected,
      `a repository_dispatch client_payload has at most ${MAX_CLIENT_PAYLOAD_KEYS} top-level keys, not ${keys}`,
    );
  if (dispatch.eventType === '' || dispatch.eventType.length > MAX_EVENT_TYPE_LENGTH)
    throw new GitHubApiError(
      GITHUB_ERROR_CODE.unexpected,
      `a repository_dispatch event type has 1 to ${MAX_EVENT_TYPE_LENGTH} characters`,
    );
  await github.request('POST /repos/{owner}/{repo}/dispatches', {
    owner: dispatch.owner,
    repo: dispatch.repo,
    event_type: dispatch.eventType,
    client_payload: dispatch.clientPayload,
  });
}
