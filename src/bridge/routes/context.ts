import type { FastifyReply } from 'fastify';
import type { ProviderId } from '../../webhooks/event.ts';
import type { BridgeConfig } from '../config.ts';
import type { BridgeIntake } from '../intakes.ts';
import type { AuthFailureLimiter } from '../limits/auth-failure-limiter.ts';
import type { BridgeMetrics } from '../metrics.ts';
import type { EventStore } from '../store/store.ts';
import type { WaiterRegistry } from '../waiters.ts';

/** The limits on greedy clients; each one left out takes its default (config.ts LIMIT_DEFAULTS). */
export type BridgeLimits = Pick<
  BridgeConfig,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'authFailuresPerMinute' | 'maxWaiters'
>;

/** The part of the configuration the HTTP app reads (the process shell reads the rest). */
export type BridgeAppConfig = Pick<BridgeConfig, 'ingestToken' | 'readToken' | 'projectIds'> &
  Partial<BridgeLimits> &
  /** BRIDGE_HANDOFF_TOKEN: registers handoffs without GitHub (routes/handoffs.ts); none when left out. */
  Partial<Pick<BridgeConfig, 'handoffToken'>> &
  /** The other providers; none when left out (Streampixel is always on). */
  Partial<Pick<BridgeConfig, 'providers'>>;

/** What every route needs, built once by buildBridgeApp. */
export interface RouteContext {
  config: BridgeAppConfig;
  store: EventStore;
  /** The intake of each provider that is on, by provider id. */
  intakes: ReadonlyMap<ProviderId, BridgeIntake>;
  metrics: BridgeMetrics;
  waiters: WaiterRegistry;
  /** Failed authentications per client address (429 past the limit). */
  authFailures: AuthFailureLimiter;
  now: () => number;
  /** Aborts when the app starts closing: long-polls answer, streams end. */
  closing: AbortSignal;
  heartbeatMs: number;
}

// Error bodies are constants: the same refusal must look the same whatever provoked it.
export const NOT_FOUND_BODY = { error: 'not found' } as const;
export const UNAUTHORIZED_BODY = { error: 'unauthorized' } as const;
export const STORE_UNAVAILABLE_BODY = { error: 'the event store is unavailable; try again' } as const;
export const TOO_MANY_FAILURES_BODY = {
  error: 'too many failed attempts from this address; retry later',
} as const;
export const TOO_MANY_WAITERS_BODY = { error: 'too many open long-polls and streams; retry later' } as const;

export interface WaitScope {
  /** Aborts when the client leaves, the app closes, or the timeout (if any) passes. */
  signal: AbortSignal;
  /** True once the client left before its answer was complete. */
  readonly clientGone: boolean;
  /** Removes the listeners and the timer; call it in `finally`. */
  dispose(): void;
}

/**
 * What ends a held request. The response's 'close' (not the request's) is the one that means "connection
 * gone" on every Node version this runs on; the socket's 'end' (the client closed its side: the server keeps
 * half-open connections so a webhook's answer is not lost, app.ts) means the same for a reader. Plain listeners and one timer, all removed by dispose(), rather
 * than AbortSignal.any/timeout, whose timers and links would outlive thousands of short waits.
 */
export function createWaitScope(reply: FastifyReply, closing: AbortSignal, timeoutMs?: number): WaitScope {
  const controller = new AbortController();
  const response = reply.raw;
  let gone = false;
  const onResponseClose = () => {
    if (response.writableFinished) return;
    gone = true;
    controller.abort();
  };
  const onClosing = () => controller.abort();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(), timeoutMs);
  const socket = response.socket;
  if (response.destroyed || socket?.readableEnded) onResponseClose();
  response.once('close', onResponseClose);
  socket?.once('end', onResponseClose);
  if (closing.aborted) controller.abort();
  else closing.addEventListener('abort', onClosing, { once: true });
  return {
    signal: controller.signal,
    get clientGone() {
      return gone;
    },
    dispose() {
      clearTimeout(timer);
      response.off('close', onResponseClose);
      socket?.off('end', onResponseClose);
      closing.removeEventListener('abort', onClosing);
    },
  };
}
