import type { Dispatcher } from 'undici';
import type { Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import { checkHandoffAuth, registerHandoff, type HandoffAuth } from '../release/handoff-client.ts';
import type { Settings } from '../release/inputs.ts';
import type { HandoffRegistrar } from '../release/orchestrate.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';

// The CLI's registration of a handoff (DESIGN §10, from other CI): no GitHub OIDC token, so the bridge's
// handoff token authenticates it. Such a handoff has no repository: no Deployment, no dispatch; the bridge
// sends the notify-* notification once it has the outcome, and nothing on GitHub.

export interface CliHandoffOptions {
  settings: Settings;
  /** --handoff-token (STREAMPIXEL_HANDOFF_TOKEN): the bridge's BRIDGE_HANDOFF_TOKEN. */
  handoffToken: string;
  clock?: Clock;
  dispatcher?: Dispatcher;
}

export function cliHandoff(options: CliHandoffOptions): HandoffRegistrar {
  const { settings } = options;
  const call = {
    bridgeUrl: settings.bridgeUrl ?? '',
    auth: { kind: 'handoff-token', token: options.handoffToken } satisfies HandoffAuth,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  };
  return {
    // A wrong token found only at registration would leave a build on its way that nobody follows: the bridge
    // is asked first whether it takes this token. (The event source's pre-flight proves the read token.)
    async preflight() {
      try {
        await checkHandoffAuth(call);
      } catch (error) {
        throw new ReleaseError(ERROR_CODE.bridge, `${messageOf(error)}. Nothing was sent to Streampixel.`, {
          cause: error,
        });
      }
    },
    register: (facts) =>
      registerHandoff({
        ...call,
        registration: {
          provider: 'streampixel',
          ...facts,
          deployment: null,
          notify: settings.notifyInputs,
          dispatch: false,
        },
      }),
  };
}
