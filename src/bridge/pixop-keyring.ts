import { createPublicKey, type KeyObject } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { messageOf } from '../lib/error-message.ts';
import type { Logger } from '../lib/logger.ts';
import { readCapped } from '../lib/read-capped.ts';
import { decodeBase64 } from '../webhooks/signature.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import type { PixopBridgeConfig } from './provider-config.ts';

// Pixop's signing keys (shared/reference/providers.md §3): configured ones, plus, with an API key, ones
// fetched by id from Pixop's public-key API the first time a webhook names them. Pixop rotates keys with a
// grace period and sets `expiresAt` on the outgoing one, so a fetched key is used until its `expiresAt`, and
// once it has been held an hour, the next webhook it verifies asks Pixop about it again first: a key Pixop no
// longer serves, or now says has expired, is dropped and that webhook refused. When Pixop cannot be asked
// (its API down, the limits below), the key is kept: an outage of Pixop's API must not lose deliveries.
//
// The id comes from a request header, so asking is bounded: ids must look like Pixop's (UUIDs); webhooks
// naming the same id at once share one answer; an id is asked about at most once a minute, one Pixop does
// not know at most once an hour; and the bridge asks at most thirty times a minute in all. Those thirty can
// still be spent by someone holding the ingest URL and sending made-up ids (the bridge cannot tell them from
// Pixop's next key without asking, and behind a proxy every sender has the same address), so each refusal
// by that limit is logged, once a minute at most, with the way out: configured keys need no fetch.

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PER_ID_INTERVAL_MS = 60_000;
/** An id Pixop answered 404 for: made up, or deleted. */
const UNKNOWN_ID_INTERVAL_MS = 60 * 60_000;
const MAX_FETCHES_PER_MINUTE = 30;
/** How long a fetched key is used before Pixop is asked about it again. */
const RECHECK_AFTER_MS = 60 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_REMEMBERED_IDS = 1_000;
/** Pixop's answer is one key; anything longer is not that. */
const MAX_ANSWER_BYTES = 64 * 1024;

const PublicKeyAnswer = z.looseObject({
  publicKey: z.string().min(1).max(4096),
  expiresAt: z.string().nullish(),
});

export interface PixopKeyring {
  /** The keys to verify with at `nowMs`: configured ones, and fetched ones not past their `expiresAt`. */
  keysAt(nowMs: number): ReadonlyMap<string, KeyObject>;
  /** Fetches `keyId`, not known yet, unless the limits say no; resolves true when the key is now known. */
  fetch(keyId: string): Promise<boolean>;
  /**
   * For a key that has just verified a webhook: resolves false only when Pixop, asked again because the key
   * was fetched over an hour ago, says it is gone or expired (the key is dropped); true otherwise.
   */
  stillValid(keyId: string): Promise<boolean>;
}

export interface PixopKeyringOptions {
  /** Wall-clock milliseconds, for `expiresAt` (a date). */
  now?: () => number;
  /** Monotonic milliseconds, for the limits and the hourly check: a wall clock set back must not stall them. */
  elapsedMs?: () => number;
  logger: Logger;
  dispatcher?: Dispatcher;
}

interface FetchedKey {
  key: KeyObject;
  /** On the monotonic clock. */
  fetchedAt: number;
  /** Epoch ms, or null for Pixop's active key. */
  expiresAt: number | null;
}

/** What Pixop said about one key id. */
type Lookup = { kind: 'key'; fetched: FetchedKey } | { kind: 'gone' } | { kind: 'unanswered' };

interface Asked {
  at: number;
  /** Not to be asked about again before `at` + this. */
  intervalMs: number;
}

export function createPixopKeyring(config: PixopBridgeConfig, options: PixopKeyringOptions): PixopKeyring {
  const now = options.now ?? Date.now;
  const elapsedMs = options.elapsedMs ?? (() => performance.now());
  const fetched = new Map<string, FetchedKey>();
  const lastAsked = new Map<string, Asked>();
  const inFlight = new Map<string, Promise<Lookup>>();
  let recent: number[] = [];
  let limitLoggedAt = Number.NEGATIVE_INFINITY;

  function askedRecently(keyId: string, at: number): boolean {
    const asked = lastAsked.get(keyId);
    return asked !== undefined && at - asked.at < asked.intervalMs;
  }

  function noteAsked(keyId: string, intervalMs: number): void {
    lastAsked.delete(keyId);
    lastAsked.set(keyId, { at: elapsedMs(), intervalMs });
    // Map order is insertion order: drop the id asked about longest ago.
    if (lastAsked.size > MAX_REMEMBERED_IDS) lastAsked.delete(lastAsked.keys().next().value as string);
  }

  function withinGlobalLimit(at: number): boolean {
    recent = recent.filter((time) => at - time < 60_000);
    if (recent.length < MAX_FETCHES_PER_MINUTE) {
      recent.push(at);
      return true;
    }
    if (at - limitLoggedAt >= 60_000) {
      limitLoggedAt = at;
      options.logger.warn(
        `a webhook named a Pixop signing key not known yet, and the bridge has asked Pixop for ${MAX_FETCHES_PER_MINUTE} keys in the last minute, its limit: it was refused. If this repeats, someone may be sending made-up key ids; configured keys (BRIDGE_PIXOP_PUBLIC_KEYS) need no fetch`,
      );
    }
    return false;
  }

  /** One question to Pixop per id at a time: a webhook naming an id already being asked about waits for it. */
  function lookUp(keyId: string): Promise<Lookup> {
    let pending = inFlight.get(keyId);
    if (!pending) {
      noteAsked(keyId, PER_ID_INTERVAL_MS);
      pending = ask(keyId)
        .then((lookup) => {
          if (lookup.kind === 'gone') noteAsked(keyId, UNKNOWN_ID_INTERVAL_MS);
          return lookup;
        })
        .finally(() => inFlight.delete(keyId));
      inFlight.set(keyId, pending);
    }
    return pending;
  }

  async function ask(keyId: string): Promise<Lookup> {
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
      const { buffer, truncated } = await readCapped(response.body, MAX_ANSWER_BYTES);
      if (response.statusCode === 404) return { kind: 'gone' };
      if (response.statusCode !== 200) {
        options.logger.warn(`Pixop's public-key API answered ${response.statusCode} for a key id`);
        return { kind: 'unanswered' };
      }
      const answer = PublicKeyAnswer.safeParse(
        truncated ? undefined : parseJsonSafely(buffer.toString('utf8')),
      );
      const der = answer.success ? decodeBase64(answer.data.publicKey) : undefined;
      if (!answer.success || der === undefined) {
        options.logger.warn("Pixop's public-key API sent an answer that holds no public key");
        return { kind: 'unanswered' };
      }
      const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ec') return { kind: 'unanswered' };
      const expiresAt = Date.parse(answer.data.expiresAt ?? '');
      return {
        kind: 'key',
        fetched: { key, fetchedAt: elapsedMs(), expiresAt: Number.isNaN(expiresAt) ? null : expiresAt },
      };
    } catch (error) {
      options.logger.warn(`could not fetch a Pixop signing key: ${messageOf(error)}`);
      return { kind: 'unanswered' };
    }
  }

  /** Keeps what Pixop said; true when the key is usable now. */
  function keep(keyId: string, lookup: Lookup): boolean {
    if (lookup.kind === 'unanswered') return fetched.has(keyId);
    if (lookup.kind === 'key' && !expired(lookup.fetched, now())) {
      if (!fetched.has(keyId)) options.logger.info('fetched a new Pixop signing key');
      fetched.set(keyId, lookup.fetched);
      return true;
    }
    if (fetched.delete(keyId)) options.logger.warn('dropped a Pixop signing key that Pixop has retired');
    else if (lookup.kind === 'key')
      options.logger.warn('a webhook named a Pixop signing key that has expired');
    else options.logger.info("Pixop's public-key API does not know a key id a webhook named");
    return false;
  }

  return {
    keysAt(nowMs) {
      const keys = new Map(config.keys);
      for (const [keyId, entry] of fetched) if (!expired(entry, nowMs)) keys.set(keyId, entry.key);
      return keys;
    },
    async fetch(keyId) {
      if (config.keys.has(keyId)) return true;
      // Known but past its expiresAt (or it would have verified): Pixop has retired it.
      const known = fetched.get(keyId);
      if (known) return !expired(known, now());
      if (config.apiKey === null || !KEY_ID.test(keyId)) return false;
      if (!inFlight.has(keyId)) {
        const at = elapsedMs();
        if (askedRecently(keyId, at) || !withinGlobalLimit(at)) return false;
      }
      return keep(keyId, await lookUp(keyId));
    },
    async stillValid(keyId) {
      const entry = fetched.get(keyId);
      if (!entry || config.keys.has(keyId)) return true;
      const at = elapsedMs();
      if (at - entry.fetchedAt < RECHECK_AFTER_MS) return true;
      if (!inFlight.has(keyId) && askedRecently(keyId, at)) return true;
      return keep(keyId, await lookUp(keyId));
    },
  };
}

const expired = (entry: FetchedKey, nowMs: number): boolean =>
  entry.expiresAt !== null && entry.expiresAt <= nowMs;
