import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BUILD_EVENT } from '../streampixel/schemas.ts';
import type { Phase } from '../webhooks/event.ts';
import type { SignatureFailure } from '../webhooks/signature.ts';
import { BRIDGE_VERSION } from './version.ts';

// Prometheus metrics through prom-client. Each app has its own registry, so several apps in one process (the
// tests) never share a counter; the process metrics (CPU, memory, event loop, GC) describe the process, not an
// app, so they are collected once per process and merged into every app's registry. Nothing here holds a
// secret or a raw URL (requests are labelled by route pattern), so /metrics is public.

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Why a request was refused; the label values of bridge_requests_rejected_total. */
export const REJECT_REASONS = [
  'wrong_token',
  'too_large',
  'unsupported_media_type',
  'bad_json',
  'invalid_envelope',
  'forbidden_project',
  'store_error',
  'unauthorized',
  'bad_query',
  'rate_limited',
  'too_many_waiters',
  'slow_request',
  'bad_signature',
  'unknown_provider',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** From a fast group commit (~0.5 ms) to the sender's patience running thin (the sender waits 10 s). */
export const INGEST_ACK_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
] as const;

/** Event types get their own label value; anything else a sender invents is counted as `other`. */
const EVENT_TYPE_LABELS: ReadonlySet<string> = new Set(Object.values(BUILD_EVENT));
export const OTHER_EVENT_TYPE = 'other';

export interface AcknowledgedEvent {
  provider: string;
  type: string;
  phase: Phase;
  /** Already stored (same dedupe key): acknowledged, not stored again. */
  duplicate: boolean;
  /** When the bridge received it (the stored receivedAt), in milliseconds since the epoch. */
  receivedAtMs: number;
}

export interface CompletedRequest {
  method: string;
  /** The route pattern, never the URL: the ingest URL holds its token. */
  route: string;
  status: number;
}

export interface BridgeMetrics {
  eventAcknowledged(event: AcknowledgedEvent): void;
  rejected(reason: RejectReason): void;
  /** A webhook whose signature did not verify, by provider and why (a 401, nothing stored). */
  signatureFailed(provider: string, reason: SignatureFailure): void;
  /** Seconds from the request's arrival to its acknowledgement. */
  observeIngestAck(seconds: number): void;
  requestCompleted(request: CompletedRequest): void;
  /** A handoff finished (DESIGN §10), by its outcome. */
  handoffFinished(outcome: string): void;
  /** A GitHub call of a handoff failed: to be retried, refused for good, or given up after the last retry. */
  handoffGitHubFailed(result: HandoffGitHubFailure): void;
  /** The whole exposition in METRICS_CONTENT_TYPE. */
  render(): Promise<string>;
}

export type HandoffGitHubFailure = 'retrying' | 'refused' | 'gave_up';

export interface BridgeMetricsOptions {
  /** Read at every scrape: open long-polls and streams. */
  waiters: () => number;
  /** The cap on them (BRIDGE_MAX_WAITERS). */
  maxWaiters: number;
  /** With handoff on, read at every scrape: the handoffs still following, in the shared database. */
  openHandoffs?: () => Promise<number>;
}

let processRegistry: Registry | undefined;

function sharedProcessRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createBridgeMetrics(options: BridgeMetricsOptions): BridgeMetrics {
  const registry = new Registry();
  const registers = [registry];

  new Gauge({
    name: 'bridge_build_info',
    help: 'The running bridge: its version and Node.js version (always 1).',
    labelNames: ['version', 'node'],
    registers,
  }).set({ version: BRIDGE_VERSION, node: process.version }, 1);
  const requests = new Counter({
    name: 'bridge_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const ingested = new Counter({
    name: 'bridge_events_ingested_total',
    help: 'Webhook events stored (first delivery).',
    registers,
  });
  const byType = new Counter({
    name: 'bridge_events_by_type_total',
    help: `Webhook events stored (first delivery), by provider and type (unknown types as "${OTHER_EVENT_TYPE}").`,
    labelNames: ['provider', 'type'],
    registers,
  });
  const byPhase = new Counter({
    name: 'bridge_events_by_phase_total',
    help: 'Webhook events stored (first delivery), by provider and phase: the outcomes of every provider.',
    labelNames: ['provider', 'phase'],
    registers,
  });
  const signatureFailures = new Counter({
    name: 'bridge_signature_failures_total',
    help: 'Webhooks refused because their signature did not verify, by provider and reason.',
    labelNames: ['provider', 'reason'],
    registers,
  });
  const duplicates = new Counter({
    name: 'bridge_events_duplicate_total',
    help: 'Webhook events acknowledged but already stored (same dedupe key).',
    registers,
  });
  const lastEvent = new Gauge({
    name: 'bridge_last_event_timestamp_seconds',
    help: 'When the last webhook event of each provider was acknowledged (duplicates included), in Unix seconds.',
    labelNames: ['provider'],
    registers,
  });
  const rejected = new Counter({
    name: 'bridge_requests_rejected_total',
    help: 'Requests refused, by reason.',
    labelNames: ['reason'],
    registers,
  });
  for (const reason of REJECT_REASONS) rejected.inc({ reason }, 0);
  new Gauge({
    name: 'bridge_waiters',
    help: 'Open long-polls and event streams.',
    registers,
    collect() {
      this.set(options.waiters());
    },
  });
  new Gauge({
    name: 'bridge_waiters_max',
    help: 'The cap on open long-polls and event streams; more are answered 503.',
    registers,
  }).set(options.maxWaiters);
  const ingestAck = new Histogram({
    name: 'bridge_ingest_ack_seconds',
    help: 'Time from a webhook request arriving to its durable acknowledgement.',
    buckets: [...INGEST_ACK_BUCKETS],
    registers,
  });

  const handoffsFinished = new Counter({
    name: 'bridge_handoffs_finished_total',
    help: 'Handoffs this process finished, by outcome (approved, rejected, timed-out, …).',
    labelNames: ['outcome'],
    registers,
  });
  const handoffGitHubFailures = new Counter({
    name: 'bridge_handoff_github_failures_total',
    help: 'Failed GitHub calls of handoffs: retrying (tried again with backoff), refused (not retried), gave_up.',
    labelNames: ['result'],
    registers,
  });
  const { openHandoffs } = options;
  if (openHandoffs) {
    for (const result of ['retrying', 'refused', 'gave_up'] as const)
      handoffGitHubFailures.inc({ result }, 0);
    new Gauge({
      name: 'bridge_handoffs_open',
      help: 'Handoffs still following their build, across every replica (from the database).',
      registers,
      async collect() {
        // NaN (unknown) while the database cannot answer: /readyz says why.
        this.set(await openHandoffs().catch(() => NaN));
      },
    });
  }

  const exposition = Registry.merge([sharedProcessRegistry(), registry]);

  return {
    eventAcknowledged(event) {
      lastEvent.set({ provider: event.provider }, event.receivedAtMs / 1000);
      if (event.duplicate) return duplicates.inc();
      ingested.inc();
      const type = EVENT_TYPE_LABELS.has(event.type) ? event.type : OTHER_EVENT_TYPE;
      byType.inc({ provider: event.provider, type });
      byPhase.inc({ provider: event.provider, phase: event.phase });
    },
    rejected: (reason) => rejected.inc({ reason }),
    signatureFailed: (provider, reason) => signatureFailures.inc({ provider, reason }),
    observeIngestAck(seconds) {
      if (Number.isFinite(seconds)) ingestAck.observe(seconds);
    },
    requestCompleted: ({ method, route, status }) => requests.inc({ method, route, status }),
    handoffFinished: (outcome) => handoffsFinished.inc({ outcome }),
    handoffGitHubFailed: (result) => handoffGitHubFailures.inc({ result }),
    render: () => exposition.metrics(),
  };
}
