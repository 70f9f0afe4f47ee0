import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { MAX_WEBHOOK_BYTES } from '../webhooks/intake.ts';
import { LIMIT_DEFAULTS } from './config.ts';
import { createAuthFailureLimiter } from './limits/auth-failure-limiter.ts';
import { httpTimeoutOptions } from './limits/http-timeouts.ts';
import {
  createBridgeLogController,
  createBridgeLoggerOptions,
  UNMATCHED_ROUTE,
  type BridgeLoggerOptions,
} from './logger.ts';
import type { OidcVerifier } from '../github/oidc.ts';
import { createIntakes } from './intakes.ts';
import { handoffStatusRoutes, registerHandoffRoutes } from './routes/handoffs.ts';
import { NO_PROVIDERS } from './provider-config.ts';
import { createBridgeMetrics, type BridgeMetrics } from './metrics.ts';
import {
  NOT_FOUND_BODY,
  type BridgeAppConfig,
  type BridgeLimits,
  type RouteContext,
} from './routes/context.ts';
import { eventsRoutes } from './routes/events.ts';
import { healthRoutes, PROBE_ROUTES } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { createReadAuth } from './routes/read-auth.ts';
import { refuseUnauthenticated } from './routes/refuse.ts';
import { streamRoutes } from './routes/stream.ts';
import type { EventStore } from './store/store.ts';
import { createWaiterRegistry, DEFAULT_REQUERY_INTERVAL_MS } from './waiters.ts';

// The bridge's HTTP surface (DESIGN §4) as a fastify instance that is built, not started: the process shell
// (index.ts) listens, tests inject or listen on 127.0.0.1:0.

export type { BridgeAppConfig, BridgeLimits } from './routes/context.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's metrics, for what runs beside it in the process (the handoff worker). */
    bridgeMetrics: BridgeMetrics;
  }
}

export interface BridgeAppOptions {
  config: BridgeAppConfig;
  /** The app never opens, migrates or closes it: its owner does. */
  store: EventStore;
  /** Pino options (level, stream…); the redacting serializers are always added. Default: no logs. */
  logger?: BridgeLoggerOptions | false;
  /** Stamps `receivedAt`. */
  now?: () => number;
  /** How often a waiter re-queries without a notification (default 5 s). */
  requeryIntervalMs?: number;
  /** Comment line on idle event streams (default 15 s). */
  heartbeatMs?: number;
  /**
   * Checks the OIDC token of a handoff's registration; absent: no handoff by GitHub OIDC. With neither it nor
   * config.handoffToken, handoff is off (its routes answer 404).
   */
  handoffVerifier?: OidcVerifier;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;
const CLIENT_CLOSED_REQUEST = 499;
/** Above the longest ingest token (config.ts) so a valid token always reaches the route. */
const MAX_PARAM_LENGTH = 256;

export function buildBridgeApp(options: BridgeAppOptions): FastifyInstance {
  const limits = limitsOf(options.config);
  const timeouts = httpTimeoutOptions(limits);
  const app = Fastify({
    logger: options.logger ? createBridgeLoggerOptions(options.logger) : false,
    logController: createBridgeLogController(Object.values(PROBE_ROUTES)),
    bodyLimit: MAX_WEBHOOK_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Slow headers and bodies are cut (limits/http-timeouts.ts). Only the time to receive a request: held
    // long-polls and streams are responses and are not cut.
    requestTimeout: timeouts.requestTimeout,
    http: timeouts,
    // A malformed URL is answered like any bad request, without echoing it (it may hold the ingest token).
    frameworkErrors: (_error, _request, reply) =>
      (reply as FastifyReply).code(400).send({ error: 'bad request' }),
  });

  const waiters = createWaiterRegistry({
    store: options.store,
    requeryIntervalMs: options.requeryIntervalMs ?? DEFAULT_REQUERY_INTERVAL_MS,
    maxSize: limits.maxWaiters,
  });
  const { handoffVerifier } = options;
  const handoffs = handoffVerifier !== undefined || options.config.handoffToken !== undefined;
  const store = options.store;
  const metrics: BridgeMetrics = createBridgeMetrics({
    waiters: () => waiters.size,
    maxWaiters: limits.maxWaiters,
    ...(handoffs ? { openHandoffs: () => store.handoffs.countOpen() } : {}),
  });
  app.decorate('bridgeMetrics', metrics);
  const closing = new AbortController();
  const ctx: RouteContext = {
    config: options.config,
    store: options.store,
    intakes: createIntakes(options.config.providers ?? NO_PROVIDERS, { logger: app.log, now: options.now }),
    metrics,
    waiters,
    authFailures: createAuthFailureLimiter({ perMinute: limits.authFailuresPerMinute }),
    now: options.now ?? Date.now,
    closing: closing.signal,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  };

  // preClose runs before the server stops accepting and waits for open requests: end long-polls (they
  // answer with no events) and streams now, or close() would wait for them forever.
  app.addHook('preClose', async () => {
    closing.abort();
    waiters.close();
  });
  app.addHook('onClose', async () => waiters.close());
  // Answers finished while closing drop their keep-alive connection, so the server can close at once.
  // The per-request hooks take a callback, not async: no promise and microtask turn on every webhook.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing.signal.aborted) reply.header('connection', 'close');
    done(null, payload);
  });

  // A client may half-close its side once the request is sent (shutdown(SHUT_WR)) and still read the answer.
  // By default Node then aborts the request and ends the socket, so a webhook stored a moment later would lose
  // its acknowledgement; with this, the answer is written and the socket closed after it.
  // (A documented property of node:http's Server that @types/node leaves out.)
  (app.server as typeof app.server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

  // Node answers a request cut for slowness itself (408, through fastify's clientError handler); count it.
  app.server.on('clientError', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') metrics.rejected('slow_request');
  });

  // Requests by route pattern (never the URL, which may hold the ingest token) and status, counted when the
  // connection is done with them: fastify's onResponse misses streams and long-polls whose client left.
  // A request whose client left before any answer is counted as 499 (nginx's "client closed request").
  app.addHook('onRequest', (request, reply, done) => {
    const response = reply.raw;
    response.once('close', () => {
      metrics.requestCompleted({
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status: response.headersSent ? response.statusCode : CLIENT_CLOSED_REQUEST,
      });
    });
    done();
  });

  // An unknown route and a wrong ingest token look the same, and count alike towards an address's limit.
  app.setNotFoundHandler((request, reply) =>
    refuseUnauthenticated(ctx, request, reply, { status: 404, body: NOT_FOUND_BODY }),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      metrics.rejected('too_large');
      return reply.code(413).send({ error: `body is over the limit of ${MAX_WEBHOOK_BYTES} bytes` });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      metrics.rejected('unsupported_media_type');
      return reply.code(415).send({ error: 'send the webhook as application/json' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      request.log.info({ err: error }, 'bad request');
      return reply.code(status).send({ error: 'bad request' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  app.register(async (scope) => ingestRoutes(scope, ctx));
  app.register(async (scope) => healthRoutes(scope, ctx));
  // Registration carries the job's OIDC token or the handoff token, not the read token: outside the
  // read-authenticated scope.
  if (handoffs) app.register(async (scope) => registerHandoffRoutes(scope, ctx, handoffVerifier));
  app.register(
    async (scope) => {
      scope.addHook('onRequest', createReadAuth(ctx));
      await eventsRoutes(scope, ctx);
      await streamRoutes(scope, ctx);
      if (handoffs) await handoffStatusRoutes(scope, ctx);
    },
    { prefix: '/v1' },
  );

  return app;
}

/** The configured limits, each one left out at its default. */
function limitsOf(config: BridgeAppConfig): BridgeLimits {
  return {
    headersTimeoutMs: config.headersTimeoutMs ?? LIMIT_DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs ?? LIMIT_DEFAULTS.requestTimeoutMs,
    authFailuresPerMinute: config.authFailuresPerMinute ?? LIMIT_DEFAULTS.authFailuresPerMinute,
    maxWaiters: config.maxWaiters ?? LIMIT_DEFAULTS.maxWaiters,
  };
}
