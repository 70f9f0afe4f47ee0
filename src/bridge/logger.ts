import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';

// Structured JSON logs (fastify's pino) that never hold a secret: the ingest token is a path segment, so a
// request is logged by its route pattern (/hooks/streampixel/:token), never by its URL; headers are not
// logged at all, and Authorization is redacted should a later change log them.

/** Fastify's logger options (pino's, plus `stream`). */
export type BridgeLoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** Logged instead of a route pattern when no route matched: the raw URL may still hold a token. */
export const UNMATCHED_ROUTE = '(no route)';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
];

function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    route: request.routeOptions?.url ?? UNMATCHED_ROUTE,
  };
}

// Node's parser errors carry `rawPacket`, the request's first bytes (request line included): never log it.
function serializeError(error: Error) {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  const code: unknown = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    stack: error.stack ?? '',
  };
}

/** Pino options for the bridge: `overrides` (level, stream…) on top, the safe serializers always win. */
export function createBridgeLoggerOptions(overrides: BridgeLoggerOptions = {}): BridgeLoggerOptions {
  return {
    level: 'info',
    ...overrides,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: {
      ...overrides.serializers,
      req: serializeRequest,
      err: serializeError,
    },
  };
}

/**
 * Fastify's request lines ("incoming request", "request completed"), at debug for `quietRoutes` (health and
 * readiness probes, metrics scrapes: a load balancer and Prometheus call them every few seconds, and at info
 * they would bury everything else) and at info, as fastify logs them, for every other route.
 */
export function createBridgeLogController(quietRoutes: readonly string[]): LogController {
  const quiet = new Set(quietRoutes);
  const isQuiet = (request: FastifyRequest) => quiet.has(request.routeOptions?.url ?? '');
  return new (class extends LogController {
    override incomingRequest(request: FastifyRequest, reply: FastifyReply) {
      if (isQuiet(request)) request.log.debug({ req: request }, 'incoming request');
      else super.incomingRequest(request, reply);
    }
    override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
      if (isQuiet(request) && !error)
        reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
      else super.requestCompleted(error, request, reply);
    }
  })();
}
