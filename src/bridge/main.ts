import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { messageOf } from '../lib/error-message.ts';
import type { Logger } from '../lib/logger.ts';
import { buildBridgeApp } from './app.ts';
import {
  BridgeConfigError,
  handoffsEnabled,
  parseBridgeConfig,
  type BridgeConfig,
  type DatabaseConfig,
} from './config.ts';
import type { SendOptions } from '../release/notify/send.ts';
import { createBridgeLoggerOptions, type BridgeLoggerOptions } from './logger.ts';
import { openEventStore } from './open-store.ts';
import { createRetentionJob, type RetentionJob } from './retention.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createOidcVerifier } from '../github/oidc.ts';
import { createFinisher } from './handoff/finisher.ts';
import { startHandoffWorker, type HandoffWorker, type HandoffWorkerOptions } from './handoff/worker.ts';
import { createConnectingStore, type ConnectBackoff } from './store/connecting-store.ts';
import type { EventStore } from './store/store.ts';

// The bridge as a process: config → store (migrated, or connecting in the background on PostgreSQL) → app →
// listen → retention, and back down in order on SIGTERM/SIGINT. startBridge is the same without the process
// concerns, for tests and the demo.

export interface StartBridgeOptions {
  config: BridgeConfig;
  logger?: BridgeLoggerOptions | false;
  /** Default: SQLite or PostgreSQL from config.database. */
  openStore?: (database: DatabaseConfig, logger: Logger) => Promise<EventStore>;
  now?: () => number;
  /** PostgreSQL only: the delays between connection attempts while the database cannot be reached. */
  connectBackoff?: ConnectBackoff;
  /** Tests: how often the handoff worker looks for due handoffs, and more. */
  handoffWorker?: Partial<Pick<HandoffWorkerOptions, 'intervalMs' | 'leaseMs' | 'maxAttempts'>>;
  /** TESTS ONLY: lets the handoffs' notifications reach a loopback endpoint (SendOptions.testOnly). */
  handoffNotify?: SendOptions;
}

export interface RunningBridge {
  app: FastifyInstance;
  store: EventStore;
  /** Where it listens, e.g. http://127.0.0.1:8080 (no token in it). */
  url: string;
  /**
   * Stops accepting, answers open long-polls, ends streams, lets in-flight appends finish and be
   * acknowledged, then closes the store (which flushes). Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Resolves once the bridge listens. On SQLite the store is opened and migrated first: a local file that
 * cannot be opened is a deployment error, so the start fails. On PostgreSQL the server may simply be down for
 * now (DESIGN §4): the bridge listens at once, answers /readyz and every store-backed route 503, and keeps
 * connecting in the background (connecting-store.ts) until it can serve.
 */
export async function startBridge(options: StartBridgeOptions): Promise<RunningBridge> {
  const { config } = options;
  // The store opens before the app (and its logger) exists: its few lines go to stderr until then.
  const storeLog = createLateLogger();
  const opened = await (options.openStore ?? openEventStore)(config.database, storeLog.logger);
  let store: EventStore = opened;
  let app: FastifyInstance | undefined;
  try {
    if (config.database.kind === 'postgres') {
      store = createConnectingStore(opened, { logger: storeLog.logger, backoff: options.connectBackoff });
    } else {
      await opened.migrate();
    }
    app = buildBridgeApp({
      config,
      store,
      logger: options.logger ?? false,
      now: options.now,
      ...(config.handoff ? { handoffVerifier: createOidcVerifier(config.handoff.oidc) } : {}),
    });
    storeLog.attach(app.log.child({ component: 'store' }));
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app?.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const ready = app;
  const connecting = store !== opened;
  const facts = {
    url,
    database: config.database.kind,
    projects: config.projectIds?.length ?? 'any',
    retentionDays: config.retentionDays,
    limits: {
      headersTimeoutMs: config.headersTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      authFailuresPerMinute: config.authFailuresPerMinute,
      maxWaiters: config.maxWaiters,
    },
  };
  if (connecting) ready.log.info(facts, 'release bridge listening; connecting to the event store');
  else ready.log.info(facts, 'release bridge ready');

  // Retention starts once the store can serve: purging a database that is not reachable yet would only log
  // a failure.
  let retention: RetentionJob | undefined;
  let handoffs: HandoffWorker | undefined;
  let closing: Promise<void> | undefined;
  const retentionStarted = (connecting ? store.migrate() : Promise.resolve()).then(
    () => {
      if (closing) return;
      if (connecting) ready.log.info(facts, 'release bridge ready');
      retention = createRetentionJob({
        store,
        retentionDays: config.retentionDays,
        logger: ready.log,
        now: options.now,
      });
      // With BRIDGE_HANDOFF_TOKEN alone there is no App: the finisher only notifies.
      if (handoffsEnabled(config)) {
        handoffs = startHandoffWorker({
          store,
          finisher: createFinisher({
            app: config.handoff?.app ?? null,
            logger: ready.log,
            now: options.now,
            ...(options.handoffNotify ? { notifyOptions: options.handoffNotify } : {}),
          }),
          logger: ready.log,
          metrics: ready.bridgeMetrics,
          owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
          now: options.now,
          ...options.handoffWorker,
        });
      }
    },
    () => undefined,
  );

  return {
    app: ready,
    store,
    url,
    close() {
      closing ??= (async () => {
        await retention?.close();
        await handoffs?.close();
        await ready.close();
        // Closing the store also ends a connect loop still in progress, which settles retentionStarted.
        await store.close();
        await retentionStarted;
      })();
      return closing;
    },
  };
}

/** Longest a graceful shutdown may take before the process gives up on it. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

/** The process shell: exits 1 on bad config or a failed start, 0 after a graceful shutdown. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: BridgeConfig;
  try {
    config = parseBridgeConfig(env);
  } catch (error) {
    process.stderr.write(`${error instanceof BridgeConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }

  let bridge: RunningBridge;
  try {
    bridge = await startBridge({ config, logger: createBridgeLoggerOptions({ level: config.logLevel }) });
  } catch (error) {
    process.stderr.write(`The release bridge could not start: ${messageOf(error)}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      bridge.app.log.warn({ signal }, 'second signal: exiting without finishing the shutdown');
      process.exit(1);
    }
    stopping = true;
    bridge.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      bridge.app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    bridge.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`The release bridge did not shut down cleanly: ${messageOf(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** A message-only Logger (what the stores take) that writes to pino once there is one. */
function createLateLogger(): { logger: Logger; attach(target: FastifyBaseLogger): void } {
  let target: FastifyBaseLogger | undefined;
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
    if (target) target[level](message);
    else if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
  };
  return {
    logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    attach: (logger) => void (target = logger),
  };
}
