import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE } from '../metrics.ts';
import type { RouteContext } from './context.ts';

// Unauthenticated on purpose: load balancers and Prometheus probe them without a token, and none of them
// says more than "up" (or "broken"), "database reachable" and counts. They are called every few seconds, so their
// requests are logged at debug (logger.ts). HEAD runs the same handlers, which never wait.

export const PROBE_ROUTES = {
  health: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
} as const;

export async function healthRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  // Liveness: up, unless the store is broken for good (a restart is the cure). An unreachable database is not
  // that: the bridge reconnects by itself, and only readiness fails meanwhile.
  app.get(PROBE_ROUTES.health, async (request, reply) => {
    const broken = ctx.store.broken();
    if (!broken) return { status: 'ok' };
    request.log.error({ err: broken }, 'the event store is broken; the bridge needs a restart');
    return reply.code(503).send({ status: 'broken' });
  });

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
