import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { createBridgeSource } from './bridge-source.ts';
import type { Settings } from './inputs.ts';
import type { OpenEventSource } from './orchestrate.ts';
import { startReceiver } from './receiver.ts';

/** The webhook path `wait-via` names: the release bridge, this runner's own receiver, or none. */
export function eventSourceFor(settings: Settings, clock: Clock, logger: Logger): OpenEventSource | null {
  switch (settings.waitVia) {
    case 'none':
      return null;
    case 'receiver':
      return async (sink) => {
        const receiver = await startReceiver({
          port: settings.receiverPort,
          path: settings.receiverPath,
          onWebhook: sink.deliver,
          logger,
          now: () => clock.now(),
        });
        // Listening is its pre-flight; every event reaches it, and the state machine picks this build's.
        return { preflight: async () => {}, follow: async () => {}, close: () => receiver.close() };
      };
    case 'bridge':
      return createBridgeSource({
        bridgeUrl: settings.bridgeUrl ?? '',
        token: settings.bridgeToken ?? '',
        clock,
        logger,
      });
  }
}
