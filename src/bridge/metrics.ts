// Prometheus text exposition (format 0.0.4), written by hand: the bridge needs three counters, a gauge and
// one histogram, which does not justify a dependency. Nothing here holds a secret, so /metrics is public.

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

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
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** From a fast group commit (~0.5 ms) to the sender's patience running thin (the sender waits 10 s). */
export const INGEST_ACK_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
] as const;

export interface BridgeMetrics {
  eventIngested(): void;
  eventDuplicate(): void;
  rejected(reason: RejectReason): void;
  /** Seconds from the request's arrival to its acknowledgement. */
  observeIngestAck(seconds: number): void;
  /** The whole exposition, ending with a newline. */
  render(): string;
}

export interface BridgeMetricsOptions {
  /** Read at every scrape: open long-polls and streams. */
  waiters: () => number;
}

export function createBridgeMetrics(options: BridgeMetricsOptions): BridgeMetrics {
  let ingested = 0;
  let duplicates = 0;
  const rejected = new Map<RejectReason, number>(REJECT_REASONS.map((reason) => [reason, 0]));
  const histogram = createHistogram(INGEST_ACK_BUCKETS);

  return {
    eventIngested: () => void (ingested += 1),
    eventDuplicate: () => void (duplicates += 1),
    rejected: (reason) => void rejected.set(reason, (rejected.get(reason) ?? 0) + 1),
    observeIngestAck: (seconds) => histogram.observe(seconds),
    render() {
      const lines = [
        ...header('bridge_events_ingested_total', 'counter', 'Webhook events stored (first delivery).'),
        `bridge_events_ingested_total ${ingested}`,
        ...header(
          'bridge_events_duplicate_total',
          'counter',
          'Webhook events acknowledged but already stored (same dedupe key).',
        ),
        `bridge_events_duplicate_total ${duplicates}`,
        ...header('bridge_requests_rejected_total', 'counter', 'Requests refused, by reason.'),
        ...[...rejected].map(
          ([reason, count]) => `bridge_requests_rejected_total{reason="${reason}"} ${count}`,
        ),
        ...header('bridge_waiters', 'gauge', 'Open long-polls and event streams.'),
        `bridge_waiters ${options.waiters()}`,
        ...header(
          'bridge_ingest_ack_seconds',
          'histogram',
          'Time from a webhook request arriving to its durable acknowledgement.',
        ),
        ...histogram.render('bridge_ingest_ack_seconds'),
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}

const header = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string) => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} ${type}`,
];

function createHistogram(bounds: readonly number[]) {
  const counts = bounds.map(() => 0);
  let count = 0;
  let sum = 0;
  return {
    observe(value: number) {
      if (!Number.isFinite(value)) return;
      count += 1;
      sum += value;
      for (let i = 0; i < bounds.length; i += 1)
        if (value <= (bounds[i] as number)) counts[i] = (counts[i] ?? 0) + 1;
    },
    render(name: string): string[] {
      return [
        ...bounds.map((bound, i) => `${name}_bucket{le="${bound}"} ${counts[i] ?? 0}`),
        `${name}_bucket{le="+Inf"} ${count}`,
        `${name}_sum ${sum}`,
        `${name}_count ${count}`,
      ];
    },
  };
}
