import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createScaledClock } from '../lib/clock.ts';
import { RATE_LIMIT_WINDOW_MS, type WebhookEnvelope } from '../streampixel/schemas.ts';
import { createActivityTracker } from './activity.ts';
import { createFailureInjector } from './api-failures.ts';
import { testWebhookEnvelope } from './envelopes.ts';
import { createPipeline } from './pipeline.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { ScenarioSchema, type Scenario } from './scenario.ts';
import { createApiHandler } from './server.ts';
import type {
  ApiCall,
  Delivery,
  Simulator,
  SimulatorEvent,
  SimulatorEventMap,
  SimulatorOptions,
  SimulatorProject,
  WaitForOptions,
} from './types.ts';
import { sendWebhook } from './webhook-sender.ts';

const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
const DEFAULT_WAIT_FOR_TIMEOUT_MS = 5_000;

/** Starts the Streampixel stand-in; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0 && Number.isFinite(timeScale)))
    throw new RangeError('timeScale must be a positive number');
  const webhookTimeoutMs = options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  if (!(webhookTimeoutMs > 0)) throw new RangeError('webhookTimeoutMs must be positive');

  const clock = options.clock ?? createScaledClock(timeScale);
  let lastTimestamp = 0;
  // Strictly increasing: at tiny time scales two events can land in the same simulated millisecond, and a
  // re-distributed build must carry a newer timestamp than its first approval.
  const timestamp = (): string => {
    lastTimestamp = Math.max(Math.floor(clock.now()), lastTimestamp + 1);
    return new Date(lastTimestamp).toISOString();
  };

  const users = new Map(options.users.map((user) => [user.userId, user.apiKey]));
  const projects = new Map(options.projects.map((project) => [project.projectId, { ...project }]));
  let scenario: Scenario = ScenarioSchema.parse(options.scenario ?? {});
  let failures = createFailureInjector(scenario.apiFailures);

  const emitter = new EventEmitter();
  const emit = <K extends SimulatorEvent>(event: K, value: SimulatorEventMap[K]): void => {
    try {
      emitter.emit(event, value);
    } catch (error) {
      // A listener's bug must not break a delivery chain or an API answer.
      process.emitWarning(`simulator '${event}' listener threw: ${String(error)}`);
    }
  };
  const calls: ApiCall[] = [];
  const deliveries: Delivery[] = [];
  const activity = createActivityTracker(() => emit('idle', undefined));
  const shutdown = new AbortController();
  // Its own connection pool, so close() can drop every socket it opened.
  const dispatcher = new Agent();

  async function deliver(
    url: string,
    envelope: WebhookEnvelope,
    source: Delivery['source'],
  ): Promise<Delivery> {
    const end = activity.begin();
    try {
      const at = Date.now();
      const outcome = await sendWebhook(url, JSON.stringify(envelope), {
        timeoutMs: webhookTimeoutMs,
        signal: shutdown.signal,
        dispatcher,
      });
      const delivery: Delivery = { url, envelope, source, at, ...outcome };
      deliveries.push(delivery);
      emit('delivery', delivery);
      return delivery;
    } finally {
      end();
    }
  }

  const pipeline = createPipeline({
    timeScale,
    stageDelaysMs: options.stageDelaysMs ?? {},
    timestamp,
    project: (projectId) => projects.get(projectId),
    scenario: () => scenario,
    deliver: async (url, envelope, source) => void (await deliver(url, envelope, source)),
    activity,
  });

  const rateLimiter = createRateLimiter(options.rateLimitWindowMs ?? RATE_LIMIT_WINDOW_MS, () => clock.now());
  const server = createServer(
    createApiHandler({
      users,
      projects,
      failures: () => failures,
      rateLimiter,
      pipeline,
      testWebhook: (url) => deliver(url, testWebhookEnvelope(timestamp()), 'test-webhook'),
      record: (call) => {
        calls.push(call);
        emit('call', call);
      },
    }),
  );
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  // A wildcard address is where it listens, not where a client can reach it.
  const reachable =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const host = reachable.includes(':') ? `[${reachable}]` : reachable;

  let closing: Promise<void> | undefined;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    calls,
    deliveries,
    builds: pipeline.builds,

    setScenario(next) {
      scenario = ScenarioSchema.parse(next);
      failures = createFailureInjector(scenario.apiFailures);
    },

    setProject(project: SimulatorProject) {
      projects.set(project.projectId, { ...project });
    },

    on(event, listener) {
      emitter.on(event, listener);
      return () => void emitter.off(event, listener);
    },

    waitFor(event, predicate, waitOptions?: WaitForOptions) {
      type Value = SimulatorEventMap[typeof event];
      const matches = (value: Value) => !predicate || predicate(value);
      const past = event === 'call' ? calls : event === 'delivery' ? deliveries : [];
      const found = (past as Value[]).find(matches);
      if (found !== undefined) return Promise.resolve(found);
      if (event === 'idle' && activity.isIdle()) return Promise.resolve(undefined as Value);

      const timeoutMs = waitOptions?.timeoutMs ?? DEFAULT_WAIT_FOR_TIMEOUT_MS;
      return new Promise((resolve, reject) => {
        const listener = (value: Value) => {
          if (!matches(value)) return;
          cleanup();
          resolve(value);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`simulator.waitFor('${event}') saw no match within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          emitter.off(event, listener);
        };
        emitter.on(event, listener);
      });
    },

    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive clients and requests waiting on a delivery must not hold the port open.
        server.closeAllConnections();
        shutdown.abort();
        await pipeline.close();
        await serverClosed;
        await dispatcher.destroy();
      })();
      return closing;
    },
  };
}
