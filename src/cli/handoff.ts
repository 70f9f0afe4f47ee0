import type { Dispatcher } from 'undici';
import type { Clock } from '../lib/clock.ts';
import { registerHandoff } from '../release/handoff-client.ts';
import type { Settings } from '../release/inputs.ts';
import type { HandoffRegistrar } from '../release/orchestrate.ts';

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
  return {
    // The token's presence was checked with the flags; the bridge itself is proven by the read-token
    // pre-flight of the event source (wait-via handoff needs bridge-token, as in the action).
    preflight: async () => {},
    register: (facts) =>
      registerHandoff({
        bridgeUrl: settings.bridgeUrl ?? '',
        auth: { kind: 'handoff-token', token: options.handoffToken },
        registration: {
          provider: 'streampixel',
          ...facts,
          deployment: null,
          notify: settings.notifyInputs,
          dispatch: false,
        },
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      }),
  };
}
