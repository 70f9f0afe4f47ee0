import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { createBridgeSource } from './bridge-source.ts';
import type { Settings } from './inputs.ts';
import type { OpenEventSource } from './orchestrate.ts';
import { startReceiver } from './receiver.ts';
import { receiverIntake } from './receiver-intake.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';

/** The webhook path `wait-via` names: the release bridge, this runner's own receiver, or none. */
export function eventSourceFor(settings: Settings, clock: Clock, logger: Logger): OpenEventSource | null {
  switch (settings.waitVia) {
    case 'none':
      return null;
    case 'receiver':
      return async (sink) => {
        const intake = receiverIntake(settings.provider, settings.webhookSecret ?? '');
        // parseInputs has checked the secret; this is only the type's due.
        if (!intake.ok)
          throw new ReleaseError(ERROR_CODE.invalidInputs, `webhook-secret ${intake.problems.join('; ')}`);
        const receiver = await startReceiver({
          port: settings.receiverPort,
          path: settings.receiverPath,
          intake: intake.value,
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
        provider: settings.provider,
        token: settings.bridgeToken ?? '',
        clock,
        logger,
      });
  }
}
