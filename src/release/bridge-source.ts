import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import type { Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import type { Logger } from '../lib/logger.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { WebhookEnvelopeSchema } from '../streampixel/schemas.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import { displayText } from '../webhooks/display-text.ts';
import { NormalizedEventSchema, type NormalizedEvent, type ProviderId } from '../webhooks/event.ts';
import { normalizeStreampixelEnvelope } from '../webhooks/providers/streampixel.ts';
import { formatTimeOfDay } from '../wait/format.ts';
import type { EventSource, FollowFrom, OpenEventSource } from './orchestrate.ts';

// The action's side of the release bridge: long-polls GET /v1/events for one build at a time and hands
// each event to the orchestrator. Before anything is sent to Streampixel, a pre-flight read proves the
// bridge is there and takes the token. Afterwards it survives the bridge restarting or being unreachable
// (backoff, resume from the cursor) until the step's deadline, reporting what holds events back; a wrong
// token or URL ends the step at once.

export interface BridgeSourceOptions {
  bridgeUrl: string;
  /** Whose events to read. Default streampixel. */
  provider?: ProviderId;
  token: string;
  clock: Clock;
  logger: Logger;
  dispatcher?: Dispatcher;
  /** Seconds the bridge may hold each long-poll (≤ 60). */
  pollWaitSeconds?: number;
  /** Longest pause between attempts while the bridge is unreachable. */
  maxBackoffMs?: number;
  /** How long the pre-flight read may keep retrying an unreachable or failing bridge. */
  preflightBudgetMs?: number;
}

export const DEFAULT_PREFLIGHT_BUDGET_MS = 30_000;
/** A bridge (or a proxy in front of it) that answers an empty long-poll at once is polled no faster. */
export const MIN_POLL_INTERVAL_MS = 1000;

const EventsResponseSchema = z.object({
  events: z.array(
    z.looseObject({
      cursor: z.number().int().nonnegative(),
      type: z.string(),
      receivedAt: z.string(),
      payload: z.unknown(),
    }),
  ),
  cursor: z.number().int().nonnegative(),
});
type StoredEvent = z.infer<typeof EventsResponseSchema>['events'][number];

/**
 * The normalised event the bridge sends with each stored one. A bridge from before the normalised columns
 * sends only Streampixel's payload, which is normalised here the same way the bridge would.
 */
function normalizedOf(stored: StoredEvent): NormalizedEvent | null {
  const given = NormalizedEventSchema.safeParse(stored);
  if (given.success) return given.data;
  if (stored.provider !== undefined && stored.provider !== 'streampixel') return null;
  const envelope = WebhookEnvelopeSchema.safeParse(stored.payload);
  return envelope.success ? normalizeStreampixelEnvelope(envelope.data) : null;
}

/** How a bridge answer ends up: data, a pause and retry (with what went wrong), or the end of the step. */
type PollAnswer =
  | { kind: 'ok'; body: unknown }
  /** `notBeforeMs`: the bridge's own Retry-After (a flood limit, the waiter cap, a store outage). */
  | { kind: 'retry'; reason: string; notBeforeMs?: number }
  | { kind: 'fatal'; error: ReleaseError };

/** The subject a pre-flight read asks for when the build is not known yet; it matches nothing. */
const PREFLIGHT_SUBJECT = '';

export function createBridgeSource(options: BridgeSourceOptions): OpenEventSource {
  const { clock, logger } = options;
  const pollWaitSeconds = options.pollWaitSeconds ?? 30;
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  const preflightBudgetMs = options.preflightBudgetMs ?? DEFAULT_PREFLIGHT_BUDGET_MS;
  const provider = options.provider ?? 'streampixel';
  const base = options.bridgeUrl.endsWith('/') ? options.bridgeUrl : `${options.bridgeUrl}/`;
  const origin = new URL(base).origin;
  const headersTimeoutMs = (pollWaitSeconds + 15) * 1000;

  return async (sink): Promise<EventSource> => {
    const stop = new AbortController();
    const loops: Array<Promise<void>> = [];

    // What currently holds events back, reported to the orchestrator once per change so a timeout can
    // name it: the bridge refusing connections is not the same as Streampixel never sending.
    let trouble: { reason: string; since: number } | null = null;
    const report = (reason: string | null, quiet = false) => {
      if (reason === null) {
        if (trouble === null) return;
        trouble = null;
        sink.health(null);
        logger.info('The release bridge answers again; resuming from the last cursor');
        return;
      }
      if (trouble?.reason === reason) return;
      const since = trouble?.since ?? clock.now();
      if (trouble === null && !quiet)
        logger.warn(`Waiting for the release bridge: ${reason}; retrying until the deadline`);
      trouble = { reason, since };
      sink.health(
        `the release bridge at ${origin} ${reason} since ${formatTimeOfDay(new Date(since).toISOString())}`,
      );
    };

    async function get(query: Record<string, string>): Promise<PollAnswer> {
      const url = new URL('v1/events', base);
      url.search = new URLSearchParams({ provider, ...query }).toString();
      try {
        const response = await request(url, {
          headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
          dispatcher: options.dispatcher,
          signal: stop.signal,
          // The bridge holds a long-poll for up to `wait` seconds: give it room before calling it dead.
          headersTimeout: headersTimeoutMs,
          bodyTimeout: 15_000,
        });
        const text = await response.body.text();
        if (response.statusCode === 401) {
          return fatal(`401 from the release bridge: check bridge-token (the bridge's BRIDGE_READ_TOKEN)`);
        }
        if (response.statusCode === 404)
          return fatal(`404 from the release bridge: check bridge-url (${url.origin})`);
        if (response.statusCode >= 500 || response.statusCode === 429) {
          const seconds = Number(response.headers['retry-after']);
          const notBeforeMs =
            Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : undefined;
          return { kind: 'retry', reason: `answered ${response.statusCode}`, notBeforeMs };
        }
        if (response.statusCode !== 200)
          return fatal(`the release bridge answered ${response.statusCode}: ${displayText(text)}`);
        // No depth limit: an older bridge may serve a payload nested deeper than today's intake takes (it
        // stored one before the limit), and only the event's normalised fields are read from it here.
        const body = parseJsonSafely(text, Number.POSITIVE_INFINITY);
        // A login page or a web app at bridge-url: no amount of waiting will make it a bridge.
        if (body === undefined) return { kind: 'fatal', error: notUnderstood() };
        return { kind: 'ok', body };
      } catch (error) {
        if (stop.signal.aborted) return { kind: 'retry', reason: 'closed' };
        return { kind: 'retry', reason: unreachable(error) };
      }
    }

    /**
     * Repeats `get` with backoff until it answers, the source closes (null), or `giveUpAt` passes (throws).
     * Problems are reported quietly during pre-flight, which says what went wrong in its own error.
     */
    async function getWithBackoff(query: Record<string, string>, giveUpAt?: number): Promise<unknown> {
      let failures = 0;
      while (!stop.signal.aborted) {
        const answer = await get(query);
        if (answer.kind === 'fatal') throw answer.error;
        if (answer.kind === 'ok') {
          report(null);
          return answer.body;
        }
        if (stop.signal.aborted) break;
        report(answer.reason, giveUpAt !== undefined);
        if (giveUpAt !== undefined && clock.now() >= giveUpAt) throw preflightFailed(answer.reason);
        logger.debug(`Bridge retry ${failures + 1}: ${answer.reason}`);
        failures += 1;
        const pause = Math.max(
          answer.notBeforeMs ?? 0,
          Math.min(maxBackoffMs, 250 * 2 ** Math.min(failures, 10)),
        );
        await clock.sleep(
          giveUpAt === undefined ? pause : Math.min(pause, giveUpAt - clock.now()),
          stop.signal,
        );
      }
      return null;
    }

    const preflightFailed = (reason: string): ReleaseError =>
      new ReleaseError(
        ERROR_CODE.bridge,
        `The release bridge at ${origin} ${reason} for ${Math.round(preflightBudgetMs / 1000)} s, so nothing was ` +
          'sent to Streampixel: check bridge-url and that the bridge is running, then re-run the job',
      );

    async function poll(subject: string, from: FollowFrom, startCursor: number): Promise<void> {
      let cursor = startCursor;
      while (!stop.signal.aborted) {
        const polledAt = clock.now();
        const body = await getWithBackoff({ subject, after: String(cursor), wait: String(pollWaitSeconds) });
        if (body === null) return;
        const page = parseEvents(body);
        for (const event of page.events) {
          const normalized = normalizedOf(event);
          if (normalized === null) {
            logger.debug(`Ignored a stored event the action cannot read (cursor ${event.cursor})`);
            continue;
          }
          // Events followed from 'latest' are new by construction; stamping them with this runner's clock
          // keeps the state machine's "after the call" rule free of clock skew between runner and bridge.
          const receivedAt = from === 'latest' ? clock.now() : Date.parse(event.receivedAt);
          sink.deliver({
            event: normalized,
            receivedAt: Number.isNaN(receivedAt) ? clock.now() : receivedAt,
          });
        }
        // A page that moved the cursor on is followed at once; an empty (or stuck) one that came back
        // early did not hold the poll as a bridge does, so the next one waits out the rest of a second.
        const movedOn = page.events.length > 0 && page.cursor > cursor;
        cursor = page.cursor;
        const early = polledAt + MIN_POLL_INTERVAL_MS - clock.now();
        if (!movedOn && early > 0) await clock.sleep(early, stop.signal);
      }
    }

    return {
      async preflight() {
        // The same read a wait makes, for no build: proves bridge-url is the bridge and takes the token.
        await getWithBackoff(
          { subject: PREFLIGHT_SUBJECT, after: 'latest' },
          clock.now() + preflightBudgetMs,
        );
      },
      async follow(subject, from) {
        let cursor = 0;
        if (from === 'latest') {
          const body = await getWithBackoff({ subject, after: 'latest' });
          if (body === null) return;
          cursor = parseEvents(body).cursor;
        }
        loops.push(poll(subject, from, cursor).catch(sink.fail));
      },
      async close() {
        stop.abort();
        await Promise.allSettled(loops);
      },
    };
  };
}

function parseEvents(body: unknown): z.infer<typeof EventsResponseSchema> {
  const parsed = EventsResponseSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw notUnderstood();
}

const notUnderstood = (): ReleaseError =>
  new ReleaseError(
    ERROR_CODE.invalidResponse,
    'The release bridge sent an answer this action does not understand: check bridge-url and the bridge version',
  );

const fatal = (message: string): PollAnswer => ({
  kind: 'fatal',
  error: new ReleaseError(ERROR_CODE.bridge, message),
});

/** What a failed request says about the bridge, as the end of "the release bridge at <url> …". */
function unreachable(error: unknown): string {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'accepted the connection but never answered';
  if (code === 'ECONNREFUSED') return 'refused connections (ECONNREFUSED)';
  return `was unreachable (${typeof code === 'string' ? code : displayText(messageOf(error))})`;
}
