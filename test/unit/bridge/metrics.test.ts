import { describe, expect, it } from 'vitest';
import { createBridgeMetrics, REJECT_REASONS } from '../../../src/bridge/metrics.ts';
import { metric } from './harness.ts';

describe('createBridgeMetrics', () => {
  it('renders Prometheus text with every series present from the start', () => {
    const text = createBridgeMetrics({ waiters: () => 0 }).render();
    expect(text.endsWith('\n')).toBe(true);
    for (const name of ['bridge_events_ingested_total', 'bridge_events_duplicate_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
      expect(metric(text, name)).toBe(0);
    }
    for (const reason of REJECT_REASONS) {
      expect(metric(text, `bridge_requests_rejected_total{reason="${reason}"}`)).toBe(0);
    }
    expect(text).toContain('# TYPE bridge_waiters gauge');
    expect(text).toContain('# TYPE bridge_ingest_ack_seconds histogram');
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="+Inf"}')).toBe(0);
  });

  it('counts, reads the gauge at render time, and fills cumulative histogram buckets', () => {
    let waiters = 3;
    const metrics = createBridgeMetrics({ waiters: () => waiters });
    metrics.eventIngested();
    metrics.eventIngested();
    metrics.eventDuplicate();
    metrics.rejected('wrong_token');
    metrics.rejected('wrong_token');
    metrics.rejected('too_large');
    metrics.observeIngestAck(0.0004);
    metrics.observeIngestAck(0.003);
    metrics.observeIngestAck(5);
    metrics.observeIngestAck(Number.NaN);
    waiters = 7;
    const text = metrics.render();
    expect(metric(text, 'bridge_events_ingested_total')).toBe(2);
    expect(metric(text, 'bridge_events_duplicate_total')).toBe(1);
    expect(metric(text, 'bridge_requests_rejected_total{reason="wrong_token"}')).toBe(2);
    expect(metric(text, 'bridge_requests_rejected_total{reason="too_large"}')).toBe(1);
    expect(metric(text, 'bridge_waiters')).toBe(7);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="0.0005"}')).toBe(1);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="0.0025"}')).toBe(1);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="0.005"}')).toBe(2);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="1"}')).toBe(2);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(metric(text, 'bridge_ingest_ack_seconds_count')).toBe(3);
    expect(metric(text, 'bridge_ingest_ack_seconds_sum')).toBeCloseTo(5.0034, 6);
  });

  it('writes only valid exposition lines', () => {
    const text = createBridgeMetrics({ waiters: () => 1 }).render();
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z]+="[^"]*"\})? -?[\d.e+-]+)$/);
    }
  });
});
