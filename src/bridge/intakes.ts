import type { Logger } from '../lib/logger.ts';
import type { ProviderId } from '../webhooks/event.ts';
import { intake, intakeFor, type IntakeResult } from '../webhooks/intake.ts';
import type { RawWebhook } from '../webhooks/providers/provider.ts';
import { buildpixel } from '../webhooks/providers/buildpixel.ts';
import { fastpix } from '../webhooks/providers/fastpix.ts';
import { PIXOP_HEADERS, pixop } from '../webhooks/providers/pixop.ts';
import { standardWebhooks } from '../webhooks/providers/standard-webhooks.ts';
import { streampixel } from '../webhooks/providers/streampixel.ts';
import { header } from '../webhooks/signature.ts';
import { createPixopKeyring } from './pixop-keyring.ts';
import type { ProvidersConfig } from './provider-config.ts';

// Each provider the bridge takes webhooks from, with its configuration bound: the ingest route looks one up
// by the provider id in the URL. Streampixel is always on; the others only when configured.

export type BridgeIntake = (webhook: RawWebhook, nowMs: number) => Promise<IntakeResult>;

export function createIntakes(
  providers: ProvidersConfig,
  options: { logger: Logger; now?: () => number; elapsedMs?: () => number },
): ReadonlyMap<ProviderId, BridgeIntake> {
  const intakes = new Map<ProviderId, BridgeIntake>();
  const sync =
    (run: ReturnType<typeof intakeFor>): BridgeIntake =>
    async (webhook, nowMs) =>
      run(webhook, nowMs);
  intakes.set('streampixel', sync(intakeFor(streampixel, null)));
  if (providers.buildpixel) intakes.set('buildpixel', sync(intakeFor(buildpixel, providers.buildpixel)));
  if (providers.fastpix) intakes.set('fastpix', sync(intakeFor(fastpix, providers.fastpix)));
  if (providers['standard-webhooks']) {
    intakes.set('standard-webhooks', sync(intakeFor(standardWebhooks, providers['standard-webhooks'])));
  }
  const pixopConfig = providers.pixop;
  if (pixopConfig) {
    const keyring = createPixopKeyring(pixopConfig, options);
    const verify = (webhook: RawWebhook, nowMs: number) =>
      intake(pixop, { keys: keyring.keysAt(nowMs) }, webhook, nowMs);
    intakes.set('pixop', async (webhook, nowMs) => {
      const keyId = header(webhook.headers, PIXOP_HEADERS.keyId) ?? '';
      const first = verify(webhook, nowMs);
      if (first.kind === 'refused') {
        if (first.signature !== 'unknown-key') return first;
        // A key not seen yet: Pixop's next one, most likely. Fetch it (within limits), then verify once more.
        return (await keyring.fetch(keyId)) ? verify(webhook, nowMs) : first;
      }
      // Verified with a key fetched long ago: Pixop is asked whether it still stands (a retired key does not).
      if (await keyring.stillValid(keyId)) return first;
      return verify(webhook, nowMs);
    });
  }
  return intakes;
}
