import { createPublicKey, type KeyObject } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { messageOf } from '../lib/error-message.ts';
import type { Logger } from '../lib/logger.ts';
import { decodeBase64 } from '../webhooks/signature.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import type { PixopBridgeConfig } from './provider-config.ts';

// Pixop's signing keys (shared/reference/providers.md §3): configured ones, plus, with an API key, ones
// fetched by id from Pixop's public-key API the first time a webhook names them, and kept. Pixop rotates keys
// with a grace period, so an unknown id is usually the new key. The id comes from a request header, so
// fetching is bounded: ids must look like Pixop's (UUIDs), each id is asked for at most once a minute, and
// the bridge asks at most ten times a minute in all.

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PER_ID_INTERVAL_MS = 60_000;
const MAX_FETCHES_PER_MINUTE = 10;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_REMEMBERED_IDS = 1_000;

const PublicKeyAnswer = z.looseObject({ publicKey: z.string().min(1).max(4096) });

export interface PixopKeyring {
  /** Every key known now, configured or fetched. */
  readonly keys: ReadonlyMap<string, KeyObject>;
  /** Asks Pixop for `keyId` unless the limits say no; resolves true when the key is now known. */
  fetch(keyId: string): Promise<boolean>;
}

export interface PixopKeyringOptions {
  now?: () => number;
  logger: Logger;
  dispatcher?: Dispatcher;
}

export function createPixopKeyring(config: PixopBridgeConfig, options: PixopKeyringOptions): PixopKeyring {
  const keys = new Map(config.keys);
  const now = options.now ?? Date.now;
  const lastAsked = new Map<string, number>();
  let recent: number[] = [];

  function mayAsk(keyId: string): boolean {
    const at = now();
    if (config.apiKey === null || !KEY_ID.test(keyId)) return false;
    if (at - (lastAsked.get(keyId) ?? Number.NEGATIVE_INFINITY) < PER_ID_INTERVAL_MS) return false;
    recent = recent.filter((time) => at - time < 60_000);
    if (recent.length >= MAX_FETCHES_PER_MINUTE) return false;
    recent.push(at);
    lastAsked.delete(keyId);
    lastAsked.set(keyId, at);
    // Map order is insertion order: drop the id asked about longest ago.
    if (lastAsked.size > MAX_REMEMBERED_IDS) lastAsked.delete(lastAsked.keys().next().value as string);
    return true;
  }

  return {
    keys,
    async fetch(keyId) {
      if (keys.has(keyId)) return true;
      if (!mayAsk(keyId)) return false;
      const url = new URL(
        `v1/webhooks/public-keys/${encodeURIComponent(keyId)}`,
        `${config.apiUrl.replace(/\/?$/, '/')}`,
      );
      try {
        const response = await request(url, {
          headers: { 'x-api-key': config.apiKey ?? '', accept: 'application/json' },
          dispatcher: options.dispatcher,
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        });
        const text = await response.body.text();
        if (response.statusCode !== 200) {
          options.logger.warn(`Pixop's public-key API answered ${response.statusCode} for a key id`);
          return false;
        }
        const answer = PublicKeyAnswer.safeParse(parseJsonSafely(text));
        const der = answer.success ? decodeBase64(answer.data.publicKey) : undefined;
        if (der === undefined) {
          options.logger.warn("Pixop's public-key API sent an answer that holds no public key");
          return false;
        }
        const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
        if (key.asymmetricKeyType !== 'ec') return false;
        keys.set(keyId, key);
        options.logger.info('fetched a new Pixop signing key');
        return true;
      } catch (error) {
        options.logger.warn(`could not fetch a Pixop signing key: ${messageOf(error)}`);
        return false;
      }
    },
  };
}
