import type { FastifyInstance, FastifyReply } from 'fastify';
import { toEventView } from '../event-view.ts';
import type { StoredEvent } from '../store/store.ts';
import { createWaitScope, STORE_UNAVAILABLE_BODY, type RouteContext } from './context.ts';
import { EventsQuerySchema, parseQuery } from './query.ts';
import { refuseTooManyWaiters } from './refuse.ts';

// GET /v1/events: the long-poll the action uses. Answers at once when events follow `after`; otherwise holds
// the request until an append for the subject (or the safety re-query) finds some, or `wait` passes. The
// answer's `cursor` is where the next call resumes: the last event's, or `after` unchanged.
//
// `after=latest` answers at once with no events and the newest cursor of the subject: the action calls it
// just before Distribute, so only events stored after the call can end its wait (DESIGN §3.3).
//
// HEAD (fastify runs this handler for it) never waits: it answers at once with the headers a GET with
// wait=0 would get. A wait past BRIDGE_MAX_WAITERS is refused 503; answers that need no wait never are.

export async function eventsRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get('/events', async (request, reply) => {
    const parsed = parseQuery(EventsQuerySchema, request.query);
    if (!parsed.ok) {
      ctx.metrics.rejected('bad_query');
      return reply.code(400).send({ error: 'invalid query', problems: parsed.problems });
    }
    const { provider, subject, after, limit } = parsed.query;
    const wait = request.method === 'HEAD' ? 0 : parsed.query.wait;

    try {
      if (after === 'latest') return { events: [], cursor: await ctx.store.latestCursor(provider, subject) };

      const read = () => ctx.store.read({ provider, subject, after, limit });
      const answer = (events: StoredEvent[]) => ({
        events: events.map(toEventView),
        cursor: events.at(-1)?.cursor ?? after,
      });

      const first = await read();
      if (first.length > 0 || wait === 0 || ctx.closing.aborted) return answer(first);

      if (ctx.waiters.full) return refuseTooManyWaiters(ctx, reply);
      // Subscribe, then read again: an append between the first read and the subscription is not lost.
      const subscription = ctx.waiters.subscribe(provider, subject);
      const scope = createWaitScope(reply, ctx.closing, wait * 1000);
      try {
        for (;;) {
          const events = await read();
          if (events.length > 0) return answer(events);
          const reason = await subscription.next(scope.signal);
          if (reason === 'aborted' || reason === 'closed') break;
        }
      } finally {
        subscription.close();
        scope.dispose();
      }
      if (scope.clientGone) return abandon(reply);
      return answer([]);
    } catch (error) {
      request.log.error({ err: error }, 'could not read events');
      ctx.metrics.rejected('store_error');
      return reply.code(503).send(STORE_UNAVAILABLE_BODY);
    }
  });
}

/** The client left during the wait: nothing to send, and nothing for fastify to write to a dead socket. */
function abandon(reply: FastifyReply) {
  reply.hijack();
  reply.raw.destroy();
  return reply;
}
