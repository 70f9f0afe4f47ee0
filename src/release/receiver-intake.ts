import type { ProviderId } from '../webhooks/event.ts';
import { intakeFor, type Intake } from '../webhooks/intake.ts';
import {
  parseBase64Secrets,
  parsePixopPublicKeys,
  parsePlainSecrets,
  type Parsed,
} from '../webhooks/provider-secrets.ts';
import { buildpixel } from '../webhooks/providers/buildpixel.ts';
import { fastpix } from '../webhooks/providers/fastpix.ts';
import { pixop } from '../webhooks/providers/pixop.ts';
import { streampixel } from '../webhooks/providers/streampixel.ts';

// What the short-lived receiver verifies with, from the `provider` and `webhook-secret` inputs.

const map = <A, B>(parsed: Parsed<A>, f: (value: A) => B): Parsed<B> =>
  parsed.ok ? { ok: true, value: f(parsed.value) } : parsed;

/**
 * Standard Webhooks is left to the bridge: which event types end the work is its configuration
 * (BRIDGE_STANDARD_*), which the action has no inputs for.
 */
export function receiverIntake(provider: ProviderId, webhookSecret: string): Parsed<Intake> {
  switch (provider) {
    case 'streampixel':
      return { ok: true, value: intakeFor(streampixel, null) };
    case 'buildpixel':
      return map(parsePlainSecrets(webhookSecret), (secrets) => intakeFor(buildpixel, { secrets }));
    case 'fastpix':
      return map(parseBase64Secrets(webhookSecret), (secrets) => intakeFor(fastpix, { secrets }));
    case 'pixop':
      return map(parsePixopPublicKeys(webhookSecret), (keys) => intakeFor(pixop, { keys }));
    case 'standard-webhooks':
      return {
        ok: false,
        problems: [
          'standard-webhooks is awaited through the bridge (wait-via: bridge), which knows its event types',
        ],
      };
  }
}
