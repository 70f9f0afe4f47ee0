import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createBridgeMetrics, REJECT_REASONS } from '../../../src/bridge/metrics.ts';
import { BRIDGE_VERSION } from '../../../src/bridge/version.ts';
import { metric } from './harness.ts';

const create = (waiters: () => number = () => 0) => createBridgeMetrics({ waiters, maxWaiters: 2_000 });

describe('createBridgeMetrics', () => {
  it('renders Prometheus text with every bridge series present from the start', async () => {
    const text = await create().render();
    expect(text.endsWith('\n')).toBe(true);
    for (const name of ['bridge_events_ingested_total', 'bridge_events_duplicate_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
      expect(metric(text, name)).toBe(0);
    }
    for (const reason of REJECT_REASONS) {
      expect(metric(text, `bridge_requests_rejected_total{reason="${reason}"}`)).toBe(0);
    }
    expect(text).toContain('# TYPE bridge_waiters gauge');
    expect(metric(text, 'bridge_waiters_max')).toBe(2_000);
    expect(text).toContain('# TYPE bridge_ingest_ack_seconds histogram');
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="+Inf"}')).toBe(0);
    expect(text).toContain('# TYPE bridge_http_requests_total counter');
    expect(text).toContain('# TYPE bridge_events_by_type_total counter');
    expect(text).toContain('# TYPE bridge_last_event_timestamp_seconds gauge');
  });

  it('carries the process metrics an operator expects', async () => {
    const text = await create().render();
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'process_open_fds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name} [\\d.e+-]+$`, 'm'));
    }
    expect(metric(text, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
  });

  it('names the version and the Node.js that runs it in bridge_build_info', async () => {
    const text = await create().render();
    expect(metric(text, `bridge_build_info{version="${BRIDGE_VERSION}",node="${process.version}"}`)).toBe(1);
    const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect(BRIDGE_VERSION).toBe(manifest.version);
  });

  it('counts events by provider and type, duplicates apart, and keeps the time of the last one', async () => {
    const metrics = create();
    const at = Date.parse('2025-06-01T12:00:00.000Z');
    const event = { provider: 'streampixel', duplicate: false, receivedAtMs: at };
    metrics.eventAcknowledged({ ...event, type: 'build.approved', phase: 'success' });
    metrics.eventAcknowledged({
      ...event,
      type: 'build.approved',
      phase: 'success',
      receivedAtMs: at + 1_500,
    });
    metrics.eventAcknowledged({ ...event, type: 'build.rejected', phase: 'failure' });
    metrics.eventAcknowledged({ ...event, type: 'build.made-up-stage', phase: 'other' });
    metrics.eventAcknowledged({
      ...event,
      type: 'build.rejected',
      phase: 'failure',
      duplicate: true,
      receivedAtMs: at + 3_000,
    });
    const text = await metrics.render();
    expect(metric(text, 'bridge_events_ingested_total')).toBe(4);
    expect(metric(text, 'bridge_events_duplicate_total')).toBe(1);
    const byType = (type: string) =>
      metric(text, `bridge_events_by_type_total{provider="streampixel",type="${type}"}`);
    expect(byType('build.approved')).toBe(2);
    expect(byType('build.rejected')).toBe(1);
    expect(byType('other')).toBe(1);
    expect(text).not.toContain('made-up-stage');
    const byPhase = (phase: string) =>
      metric(text, `bridge_events_by_phase_total{provider="streampixel",phase="${phase}"}`);
    expect([byPhase('success'), byPhase('failure'), byPhase('other')]).toEqual([2, 1, 1]);
    expect(metric(text, 'bridge_last_event_timestamp_seconds{provider="streampixel"}')).toBe(at / 1000 + 3);
  });

  it('counts requests by method, route pattern and status', async () => {
    const metrics = create();
    metrics.requestCompleted({ method: 'POST', route: '/hooks/streampixel/:token', status: 200 });
    metrics.requestCompleted({ method: 'POST', route: '/hooks/streampixel/:token', status: 200 });
    metrics.requestCompleted({ method: 'HEAD', route: '/healthz', status: 200 });
    const text = await metrics.render();
    expect(
      metric(
        text,
        'bridge_http_requests_total{method="POST",route="/hooks/streampixel/:token",status="200"}',
      ),
    ).toBe(2);
    expect(metric(text, 'bridge_http_requests_total{method="HEAD",route="/healthz",status="200"}')).toBe(1);
  });

  it('counts rejections, reads the gauge at render time, and fills cumulative histogram buckets', async () => {
    let waiters = 3;
    const metrics = create(() => waiters);
    metrics.rejected('wrong_token');
    metrics.rejected('wrong_token');
    metrics.rejected('rate_limited');
    metrics.observeIngestAck(0.0004);
    metrics.observeIngestAck(0.003);
    metrics.observeIngestAck(5);
    metrics.observeIngestAck(Number.NaN);
    waiters = 7;
    const text = await metrics.render();
    expect(metric(text, 'bridge_requests_rejected_total{reason="wrong_token"}')).toBe(2);
    expect(metric(text, 'bridge_requests_rejected_total{reason="rate_limited"}')).toBe(1);
    expect(metric(text, 'bridge_waiters')).toBe(7);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="0.0005"}')).toBe(1);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="0.0025"}')).toBe(1);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="0.005"}')).toBe(2);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="1"}')).toBe(2);
    expect(metric(text, 'bridge_ingest_ack_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(metric(text, 'bridge_ingest_ack_seconds_count')).toBe(3);
    expect(metric(text, 'bridge_ingest_ack_seconds_sum')).toBeCloseTo(5.0034, 6);
  });

  it('keeps the counters of two apps in one process apart', async () => {
    const first = create();
    const second = create();
    first.rejected('too_large');
    expect(metric(await first.render(), 'bridge_requests_rejected_total{reason="too_large"}')).toBe(1);
    expect(metric(await second.render(), 'bridge_requests_rejected_total{reason="too_large"}')).toBe(0);
  });

  it('writes only valid exposition lines', async () => {
    const metrics = create(() => 1);
    metrics.requestCompleted({ method: 'GET', route: '(no route)', status: 404 });
    const text = await metrics.render();
    // Prometheus ignores empty lines, which prom-client puts between registries, and reads NaN in any case
    // (prom-client writes `Nan` for an event-loop lag not yet sampled).
    for (const line of text.split('\n').filter((l) => l !== '')) {
      expect(line).toMatch(
        /^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (-?[\d.e+-]+|[Nn]a[Nn]|[+-]Inf))$/,
      );
    }
  });
});
