import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { createBridgeSource } from './bridge-source.ts';
import type { OpenEventSource } from './orchestrate.ts';
import { startReceiver } from './receiver.ts';
import { receiverIntake } from './receiver-intake.ts';
import { providerOf, type ReleasePlan } from './request.ts';

/** The webhook path the plan names: the release bridge, this runner's own receiver, or none (handoff: a pre-flight only). */
export function eventSourceFor(plan: ReleasePlan, clock: Clock, logger: Logger): OpenEventSource | null {
  const { wait } = plan;
  const provider = providerOf(plan.request);
  switch (wait.via) {
    case 'none':
      return null;
    case 'receiver':
      return async (sink) => {
        const intake = receiverIntake(provider, wait.webhookSecret);
        // The inputs were checked before; this is only the type's due.
        if (!intake.ok)
          throw new ReleaseError(ERROR_CODE.invalidInputs, `webhook-secret ${intake.problems.join('; ')}`);
        const receiver = await startReceiver({
          port: wait.port,
          path: wait.path,
          intake: intake.value,
          onWebhook: sink.deliver,
          logger,
          now: () => clock.now(),
        });
        // Listening is its pre-flight; every event reaches it, and the state machine picks this build's.
        return { preflight: async () => {}, follow: async () => {}, close: () => receiver.close() };
      };
    case 'bridge':
      return createBridgeSource({ bridgeUrl: wait.url, provider, token: wait.token, clock, logger });
    case 'handoff': {
      // Only the pre-flight read: the bridge follows the build once the job has handed it off.
      const open = createBridgeSource({ bridgeUrl: wait.url, provider, token: wait.token, clock, logger });
      return async (sink) => {
        const bridge = await open(sink);
        return { preflight: () => bridge.preflight(), follow: async () => {}, close: () => bridge.close() };
      };
    }
  }
}
