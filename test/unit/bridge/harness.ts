import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import type { BridgeAppConfig } from '../../../src/bridge/routes/context.ts';
import { buildBridgeApp, type BridgeAppOptions, type BridgeLimits } from '../../../src/bridge/app.ts';
import type { EventStore } from '../../../src/bridge/store/store.ts';
import { createMemoryStore, type MemoryStore } from './memory-store.ts';

// Shared by the bridge's unit and integration tests: tokens, envelopes, an app on a chosen store (closed when
// the test ends), and small clients for the ingest, long-poll and SSE routes.

export const INGEST_TOKEN = 'ingest-Tok3n_0123456789abcdef';
export const READ_TOKEN = 'read-T0ken/0123456789+abcdef';
export const INGEST_PATH = `/hooks/streampixel/${INGEST_TOKEN}`;
export const NOW = Date.parse('2025-06-01T12:00:00.000Z');
export const AUTH = { authorization: `Bearer ${READ_TOKEN}` };

export function envelope(overrides: Record<string, unknown> = {}) {
  return {
    event: 'build.uploaded',
    projectId: 'proj-1',
    uploadId: 'up-1',
    fileUrl: 'https://builds.example.com/game.zip',
    status: 'pending',
    timestamp: '2025-06-01T11:59:59.000Z',
    ...overrides,
  };
}

export type StoreKind = 'memory' | 'sqlite';

/** A migrated store, closed (and its file removed) when the test ends. */
export async function openTestStore(kind: StoreKind): Promise<EventStore> {
  if (kind === 'memory') return createMemoryStore();
  const { createSqliteStore } = await import('../../../src/bridge/store/sqlite.ts');
  const dir = await mkdtemp(join(tmpdir(), 'bridge-test-'));
  const store = createSqliteStore({ path: join(dir, 'bridge.db') });
  await store.migrate();
  onTestFinished(async () => {
    await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

export interface HarnessOptions extends Partial<Omit<BridgeAppOptions, 'config' | 'store'>> {
  store?: EventStore;
  projectIds?: string[];
  /** Limits on greedy clients; the defaults otherwise. */
  limits?: Partial<BridgeLimits>;
  /** Listen on 127.0.0.1:0 (for SSE, disconnects and close()); inject otherwise. */
  listen?: boolean;
  /** The other providers; none by default. */
  providers?: BridgeAppConfig['providers'];
}

export async function createHarness<S extends EventStore = MemoryStore>(options: HarnessOptions = {}) {
  const store = (options.store ?? createMemoryStore()) as S;
  const app = buildBridgeApp({
    config: {
      ingestToken: INGEST_TOKEN,
      readToken: READ_TOKEN,
      projectIds: options.projectIds,
      ...options.limits,
      ...(options.providers ? { providers: options.providers } : {}),
    },
    store,
    now: options.now ?? (() => NOW),
    logger: options.logger,
    requeryIntervalMs: options.requeryIntervalMs,
    heartbeatMs: options.heartbeatMs,
  });
  onTestFinished(() => app.close());
  let origin = '';
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  } else {
    await app.ready();
  }

  const ingest = (body: unknown, headers: Record<string, string> = {}, path = INGEST_PATH) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });

  const poll = (query: Record<string, string | number>, headers: Record<string, string> = AUTH) =>
    app.inject({
      method: 'GET',
      url: `/v1/events?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`,
      headers,
    });

  return { app, store, origin, ingest, poll, waiters: () => waiterCount(app) };
}

/** The bridge_waiters gauge, read the way Prometheus reads it. */
export async function waiterCount(app: FastifyInstance): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  const match = /^bridge_waiters (\d+)$/m.exec(res.body);
  return Number(match?.[1] ?? NaN);
}

/** Reads a metric sample line's value, e.g. metric(text, 'bridge_requests_rejected_total{reason="too_large"}'). */
export function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? NaN : Number(line.slice(sample.length + 1));
}

/** A log destination for pino that keeps every line. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** A minimal EventSource over node:http: frames as they arrive, and close() to hang up. */
export function openSse(url: string, headers: Record<string, string> = AUTH) {
  return new Promise<{
    status: number;
    headers: IncomingHttpHeaders;
    body: () => Promise<string>;
    next: () => Promise<SseFrame>;
    nextEvent: () => Promise<SseFrame & { json: { cursor: number; type: string; payload: unknown } }>;
    ended: Promise<void>;
    close: () => void;
  }>((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const frames: SseFrame[] = [];
      const waiting: Array<(frame: SseFrame) => void> = [];
      let buffer = '';
      let raw = '';
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const frame: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else {
              const colon = line.indexOf(':');
              const field = line.slice(0, colon) as keyof SseFrame;
              frame[field] = line.slice(colon + 1).replace(/^ /, '');
            }
          }
          const waiter = waiting.shift();
          if (waiter) waiter(frame);
          else frames.push(frame);
        }
      });
      res.on('close', endedResolve);
      res.on('error', () => {});
      const next = () =>
        new Promise<SseFrame>((r) => {
          const frame = frames.shift();
          if (frame) r(frame);
          else waiting.push(r);
        });
      const nextEvent = async () => {
        for (;;) {
          const frame = await next();
          if (frame.data !== undefined) return { ...frame, json: JSON.parse(frame.data) };
        }
      };
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: async () => {
          await ended;
          return raw;
        },
        next,
        nextEvent,
        ended,
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}

/** A GET whose socket the test can cut, for disconnects during a long-poll. */
export function rawGet(url: string, headers: Record<string, string> = AUTH) {
  const req = httpRequest(url, { headers, agent: false });
  const response = new Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>(
    (resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      });
    },
  );
  req.end();
  return { response, abort: () => req.destroy() };
}
