import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { sendWebhook, type SendOutcome } from '../webhook-sender.ts';
import { envelopeOf, unitOfWork, type SignedProviderId, type UnitOutcome } from './envelopes.ts';
import { signWebhook, type SigningCredentials } from './signers.ts';

// A signing sender for each provider other than Streampixel: posts a body signed the provider's way, and
// retries as that provider does (with a time scale, so tests and the demo need not wait hours).

/**
 * Simulated ms before each retry. Standard Webhooks: the spec's example schedule. The others publish no
 * numbers ("exponential backoff for a few attempts"): these are plausible stand-ins, named as such.
 */
export const RETRY_DELAYS_MS: Record<SignedProviderId, readonly number[]> = {
  buildpixel: [1_000, 4_000, 16_000],
  fastpix: [5_000, 30_000, 120_000],
  pixop: [10_000, 20_000, 40_000, 80_000],
  'standard-webhooks': [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
};

export interface ProviderSenderOptions {
  url: string;
  credentials: SigningCredentials;
  /** Real ms per simulated ms. Default 1. */
  timeScale?: number;
  /** Real ms an attempt may take. Default 10 000. */
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  /** Epoch ms for the signed timestamps. */
  now?: () => number;
}

export interface SignedDelivery extends SendOutcome {
  body: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface ProviderSender {
  /** Posts one body until it is answered 2xx or the retries run out; every attempt is returned. */
  send(body: object): Promise<SignedDelivery[]>;
  /**
   * Plays a unit of work (progress events, then its end), each event sent as `send` does, `gapMs` of
   * simulated time apart.
   */
  playUnit(subject: string, outcome: UnitOutcome, gapMs?: number): Promise<SignedDelivery[]>;
  close(): Promise<void>;
}

export function createProviderSender(options: ProviderSenderOptions): ProviderSender {
  const { credentials } = options;
  const provider = credentials.provider;
  const scale = options.timeScale ?? 1;
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS[provider];
  const now = options.now ?? Date.now;
  const dispatcher: Dispatcher = new Agent({ connections: 4 });
  const closing = new AbortController();

  async function send(payload: object): Promise<SignedDelivery[]> {
    const body = JSON.stringify(payload);
    // One id for every attempt: Standard Webhooks' idempotency key is the same across retries.
    const messageId = `msg_${randomUUID().replaceAll('-', '')}`;
    const attempts: SignedDelivery[] = [];
    for (let attempt = 1; ; attempt += 1) {
      const headers = signWebhook(credentials, body, messageId, Math.floor(now() / 1000));
      const outcome = await sendWebhook(options.url, body, {
        timeoutMs: options.timeoutMs ?? 10_000,
        signal: closing.signal,
        dispatcher,
        headers,
        userAgent: `${provider}-simulator`,
      });
      attempts.push({ ...outcome, body, attempt });
      const delivered = outcome.status >= 200 && outcome.status < 300;
      // 410 Gone tells a Standard Webhooks sender to stop for good.
      const delay = delays[attempt - 1];
      if (delivered || outcome.status === 410 || delay === undefined || closing.signal.aborted)
        return attempts;
      await new Promise((resolve) => setTimeout(resolve, delay * scale));
    }
  }

  return {
    send,
    async playUnit(subject, outcome, gapMs = 0) {
      const deliveries: SignedDelivery[] = [];
      for (const [index, type] of unitOfWork(provider, outcome).entries()) {
        if (index > 0 && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs * scale));
        // Built when sent, so each event carries its own time.
        deliveries.push(...(await send(envelopeOf(provider, type, subject))));
      }
      return deliveries;
    },
    async close() {
      closing.abort();
      await dispatcher.close();
    },
  };
}
