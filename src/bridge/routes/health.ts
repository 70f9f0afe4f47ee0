import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE } from '../metrics.ts';
import type { RouteContext } from './context.ts';

// Unauthenticated on purpose: load balancers and Prometheus probe them without a token, and none of them
// says more than "up", "database reachable" and counts. They are called every few seconds, so their
// requests are logged at debug (logger.ts). HEAD runs the same handlers, which never wait.

export const PROBE_ROUTES = {
  health: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
} as const;

export async function healthRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get(PROBE_ROUTES.health, async () => ({ status: 'ok' }));

  app.get(PROBE_ROUTES.ready, async (request, reply) => {
    try {
      await ctx.store.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'the event store does not answer');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  app.get(PROBE_ROUTES.metrics, async (_request, reply) =>
    reply.type(METRICS_CONTENT_TYPE).send(await ctx.metrics.render()),
  );
}
