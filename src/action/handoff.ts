import type { Dispatcher } from 'undici';
import type { Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import { handoffAudience, registerHandoff } from '../release/handoff-client.ts';
import type { Settings } from '../release/inputs.ts';
import type { HandoffRegistrar } from '../release/orchestrate.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { displayText } from '../webhooks/display-text.ts';
import type { DeploymentRef } from './deployment-observer.ts';

// The action's registration of a handoff (DESIGN §10): the job's GitHub OIDC token for the bridge's audience,
// the Deployment it made, and the notify and dispatch inputs, which the bridge acts on once it has the outcome.

export interface ActionHandoffOptions {
  settings: Settings;
  /** core.getIDToken: GitHub's OIDC token for an audience. */
  getIdToken(audience: string): Promise<string>;
  /** The Deployment of this run's build, once in_progress; null when there is none. */
  deployment(): Promise<DeploymentRef | null>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  dispatcher?: Dispatcher;
}

const NEEDS_ID_TOKEN =
  "wait-via handoff needs the job's GitHub OIDC token: add `permissions: id-token: write` to the job " +
  '(a pull request from a fork never gets one)';

export function actionHandoff(options: ActionHandoffOptions): HandoffRegistrar {
  const { settings } = options;
  const env = options.env ?? process.env;
  const bridgeUrl = settings.bridgeUrl ?? '';
  return {
    // GitHub gives a job these two variables only with `id-token: write`. The token itself is asked for at
    // registration: GitHub's last a few minutes, and a Distribute may wait out a rate limit first.
    async preflight() {
      if (!env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
        throw new ReleaseError(
          ERROR_CODE.invalidInputs,
          `${NEEDS_ID_TOKEN}. Nothing was sent to Streampixel.`,
        );
      }
    },
    async register(facts) {
      const deployment = await options.deployment();
      const audience = handoffAudience(bridgeUrl);
      return registerHandoff({
        bridgeUrl,
        auth: {
          kind: 'github-oidc',
          async token() {
            try {
              return await options.getIdToken(audience);
            } catch (error) {
              throw new ReleaseError(
                ERROR_CODE.bridge,
                `GitHub gave no OIDC token for ${audience} (${displayText(messageOf(error), 300)}); ${NEEDS_ID_TOKEN}`,
                { cause: error },
              );
            }
          },
        },
        registration: {
          provider: 'streampixel',
          ...facts,
          deployment,
          notify: settings.notifyInputs,
          dispatch: settings.dispatchOnOutcome,
        },
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
    },
  };
}
