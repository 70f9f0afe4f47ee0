import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { formatSseFrame, toEventView } from '../event-view.ts';
import type { StoredEvent } from '../store/store.ts';
import { createWaitScope, STORE_UNAVAILABLE_BODY, type RouteContext } from './context.ts';
import { CursorSchema, parseQuery, StreamQuerySchema } from './query.ts';
import { refuseTooManyWaiters } from './refuse.ts';

// GET /v1/events/stream: the same events as Server-Sent Events, for as long as the client stays. Each frame
// carries its cursor as `id`, so a client that reconnects with Last-Event-ID resumes exactly after the last
// frame it received: reads are by cursor, so there is no gap and no duplicate. Last-Event-ID wins over
// `after`. A comment line every heartbeat keeps proxies from closing an idle stream.
//
// HEAD (fastify runs this handler for it) answers at once with the stream's headers and nothing else, after
// the same auth and query checks. A stream past BRIDGE_MAX_WAITERS is refused 503 before it starts.

const BATCH = 500;

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

export async function streamRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get('/events/stream', async (request, reply) => {
    const parsed = parseQuery(StreamQuerySchema, request.query);
    const lastEventId = request.headers['last-event-id'];
    const resume = lastEventId === undefined ? undefined : CursorSchema.safeParse(lastEventId);
    if (!parsed.ok || resume?.success === false) {
      ctx.metrics.rejected('bad_query');
      const problems = [
        ...(parsed.ok ? [] : parsed.problems),
        ...(resume?.success === false ? ['Last-Event-ID: must be a cursor (a whole number)'] : []),
      ];
      return reply.code(400).send({ error: 'invalid query', problems });
    }
    const { provider, subject } = parsed.query;
    const from = resume?.success ? resume.data : parsed.query.after;

    if (request.method === 'HEAD') {
      reply.hijack();
      reply.raw.writeHead(200, STREAM_HEADERS);
      reply.raw.end();
      return reply;
    }
    if (ctx.waiters.full) return refuseTooManyWaiters(ctx, reply);

    // Everything that can fail before the first byte is answered with a status; after it, the stream ends
    // and the client reconnects with its Last-Event-ID.
    const subscription = ctx.waiters.subscribe(provider, subject);
    let cursor: number;
    let first: StoredEvent[];
    try {
      cursor = from === 'latest' ? await ctx.store.latestCursor(provider, subject) : from;
      first = await ctx.store.read({ provider, subject, after: cursor, limit: BATCH });
    } catch (error) {
      subscription.close();
      request.log.error({ err: error }, 'could not read events');
      ctx.metrics.rejected('store_error');
      return reply.code(503).send(STORE_UNAVAILABLE_BODY);
    }

    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { ...STREAM_HEADERS, connection: 'keep-alive' });
    // Tells the client how soon to reconnect, and flushes the headers at once. The `id` fixes where a
    // reconnect resumes even before the first event: `after=latest` must not be resolved anew.
    response.write(`retry: 1000\nid: ${cursor}\n\n`);

    const scope = createWaitScope(reply, ctx.closing);
    const heartbeat = setInterval(() => {
      if (!response.destroyed && !response.writableEnded) response.write(': heartbeat\n\n');
    }, ctx.heartbeatMs);
    heartbeat.unref();
    try {
      let batch = first;
      for (;;) {
        for (const event of batch) {
          if (!response.write(formatSseFrame(toEventView(event)))) await drained(response, scope.signal);
          if (scope.signal.aborted) return;
          cursor = event.cursor;
        }
        if (batch.length < BATCH) {
          const reason = await subscription.next(scope.signal);
          if (reason === 'aborted' || reason === 'closed') return;
        }
        batch = await ctx.store.read({ provider, subject, after: cursor, limit: BATCH });
      }
    } catch (error) {
      request.log.warn({ err: error }, 'event stream ended early; the client resumes from its Last-Event-ID');
    } finally {
      clearInterval(heartbeat);
      subscription.close();
      scope.dispose();
      if (!response.destroyed) response.end();
    }
  });
}

/** Waits for the socket to take more, or for the stream to end. */
async function drained(response: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  try {
    await once(response, 'drain', { signal });
  } catch {
    // Aborted: the caller checks the signal.
  }
}
