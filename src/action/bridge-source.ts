import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import type { Clock } from '../lib/clock.ts';
import { messageOf } from '../lib/error-message.ts';
import type { Logger } from '../lib/logger.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import { WebhookEnvelopeSchema } from '../streampixel/schemas.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import type { EventSource, FollowFrom, OpenEventSource } from './orchestrate.ts';

// The action's side of the release bridge: long-polls GET /v1/events for one build at a time and hands
// each event to the orchestrator. Survives the bridge restarting or being unreachable (backoff, resume
// from the cursor) until the step's deadline; a wrong token or URL ends the step at once.

export interface BridgeSourceOptions {
  bridgeUrl: string;
  token: string;
  clock: Clock;
  logger: Logger;
  dispatcher?: Dispatcher;
  /** Seconds the bridge may hold each long-poll (≤ 60). */
  pollWaitSeconds?: number;
  /** Longest pause between attempts while the bridge is unreachable. */
  maxBackoffMs?: number;
}

const EventsResponseSchema = z.object({
  events: z.array(
    z.object({
      cursor: z.number().int().nonnegative(),
      type: z.string(),
      receivedAt: z.string(),
      payload: z.unknown(),
    }),
  ),
  cursor: z.number().int().nonnegative(),
});

/** How a bridge answer ends up: data, a pause and retry, or the end of the step. */
type PollAnswer =
  { kind: 'ok'; body: unknown } | { kind: 'retry'; reason: string } | { kind: 'fatal'; error: ReleaseError };

export function createBridgeSource(options: BridgeSourceOptions): OpenEventSource {
  const { clock, logger } = options;
  const pollWaitSeconds = options.pollWaitSeconds ?? 30;
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  const base = options.bridgeUrl.endsWith('/') ? options.bridgeUrl : `${options.bridgeUrl}/`;

  return async (deliver, fail): Promise<EventSource> => {
    const stop = new AbortController();
    const loops: Array<Promise<void>> = [];

    async function get(query: Record<string, string>): Promise<PollAnswer> {
      const url = new URL('v1/events', base);
      url.search = new URLSearchParams({ provider: 'streampixel', ...query }).toString();
      try {
        const response = await request(url, {
          headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
          dispatcher: options.dispatcher,
          signal: stop.signal,
          // The bridge holds a long-poll for up to `wait` seconds: give it room before calling it dead.
          headersTimeout: (pollWaitSeconds + 15) * 1000,
          bodyTimeout: 15_000,
        });
        const text = await response.body.text();
        if (response.statusCode === 401) {
          return fatal(`401 from the release bridge: check bridge-token (the bridge's BRIDGE_READ_TOKEN)`);
        }
        if (response.statusCode === 404)
          return fatal(`404 from the release bridge: check bridge-url (${url.origin})`);
        if (response.statusCode >= 500 || response.statusCode === 429) {
          return { kind: 'retry', reason: `the bridge answered ${response.statusCode}` };
        }
        if (response.statusCode !== 200)
          return fatal(`the release bridge answered ${response.statusCode}: ${text.slice(0, 200)}`);
        const body = parseJsonSafely(text);
        // A login page or a web app at bridge-url: no amount of waiting will make it a bridge.
        if (body === undefined) return { kind: 'fatal', error: notUnderstood() };
        return { kind: 'ok', body };
      } catch (error) {
        if (stop.signal.aborted) return { kind: 'retry', reason: 'closed' };
        return { kind: 'retry', reason: `the bridge is unreachable (${describe(error)})` };
      }
    }

    /** Repeats `get` with backoff until it answers or the source closes; null once closed. */
    async function getWithBackoff(query: Record<string, string>): Promise<unknown> {
      let failures = 0;
      while (!stop.signal.aborted) {
        const answer = await get(query);
        if (answer.kind === 'fatal') throw answer.error;
        if (answer.kind === 'ok') {
          if (failures > 0) logger.info('The release bridge answers again; resuming from the last cursor');
          return answer.body;
        }
        if (stop.signal.aborted) break;
        if (failures === 0)
          logger.warn(`Waiting for the release bridge: ${answer.reason}; retrying until the deadline`);
        else logger.debug(`Bridge retry ${failures}: ${answer.reason}`);
        failures += 1;
        await clock.sleep(Math.min(maxBackoffMs, 250 * 2 ** Math.min(failures, 10)), stop.signal);
      }
      return null;
    }

    async function poll(subject: string, from: FollowFrom, startCursor: number): Promise<void> {
      let cursor = startCursor;
      while (!stop.signal.aborted) {
        const body = await getWithBackoff({ subject, after: String(cursor), wait: String(pollWaitSeconds) });
        if (body === null) return;
        const page = parseEvents(body);
        for (const event of page.events) {
          const envelope = WebhookEnvelopeSchema.safeParse(event.payload);
          if (!envelope.success) {
            logger.debug(
              `Ignored a stored event that is not a Streampixel envelope (cursor ${event.cursor})`,
            );
            continue;
          }
          // Events followed from 'latest' are new by construction; stamping them with this runner's clock
          // keeps the state machine's "after the call" rule free of clock skew between runner and bridge.
          const receivedAt = from === 'latest' ? clock.now() : Date.parse(event.receivedAt);
          deliver({
            envelope: envelope.data,
            receivedAt: Number.isNaN(receivedAt) ? clock.now() : receivedAt,
          });
        }
        cursor = page.cursor;
      }
    }

    return {
      async follow(subject, from) {
        let cursor = 0;
        if (from === 'latest') {
          const body = await getWithBackoff({ subject, after: 'latest' });
          if (body === null) return;
          cursor = parseEvents(body).cursor;
        }
        loops.push(poll(subject, from, cursor).catch(fail));
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

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return messageOf(error);
}
