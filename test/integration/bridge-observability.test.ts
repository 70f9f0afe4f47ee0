import { describe, expect, it } from 'vitest';
import {
  AUTH,
  captureLogs,
  createHarness,
  envelope,
  INGEST_TOKEN,
  metric,
  NOW,
  openSse,
  rawGet,
  READ_TOKEN,
} from '../unit/bridge/harness.ts';

// DESIGN §4 / issue 6: what an operator expects to see. Metrics by route pattern (never a URL: the ingest
// URL holds its token), outcomes by type, the last event per provider; probes logged at debug.

const PINO_LEVEL = { debug: 20, info: 30 } as const;

async function scrape(app: Awaited<ReturnType<typeof createHarness>>['app']) {
  return (await app.inject({ method: 'GET', url: '/metrics' })).body;
}

describe('/metrics after traffic', () => {
  it('counts requests by method, route pattern and status, and never shows a URL or token', async () => {
    const h = await createHarness({ listen: true });
    await h.ingest(envelope());
    await h.ingest(envelope({ event: 'build.approved' }));
    await h.ingest(envelope(), {}, `/hooks/streampixel/${READ_TOKEN.replace(/\W/g, 'x')}`);
    await h.poll({ subject: 'up-1' });
    await h.poll({ subject: 'up-1' }, {});
    await h.app.inject({ method: 'HEAD', url: '/healthz' });
    await h.app.inject({ method: 'GET', url: `/nowhere/${INGEST_TOKEN}` });
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=up-1`);
    await stream.next();
    stream.close();
    await stream.ended;

    await expect
      .poll(async () =>
        metric(
          await scrape(h.app),
          'bridge_http_requests_total{method="GET",route="/v1/events/stream",status="200"}',
        ),
      )
      .toBe(1);
    await expect.poll(h.waiters).toBe(0);
    const left = rawGet(`${h.origin}/v1/events?subject=nobody&wait=60`, AUTH);
    left.response.catch(() => {});
    await expect.poll(h.waiters).toBe(1);
    left.abort();
    await expect.poll(h.waiters).toBe(0);
    const text = await scrape(h.app);
    const requests = (method: string, route: string, status: number) =>
      metric(text, `bridge_http_requests_total{method="${method}",route="${route}",status="${status}"}`);
    expect(requests('POST', '/hooks/:provider/:token', 200)).toBe(2);
    expect(requests('POST', '/hooks/:provider/:token', 404)).toBe(1);
    expect(requests('GET', '/v1/events', 200)).toBe(1);
    expect(requests('GET', '/v1/events', 401)).toBe(1);
    expect(requests('HEAD', '/healthz', 200)).toBe(1);
    expect(requests('GET', '(no route)', 404)).toBe(1);
    await expect
      .poll(async () =>
        metric(
          await scrape(h.app),
          'bridge_http_requests_total{method="GET",route="/v1/events",status="499"}',
        ),
      )
      .toBe(1);
    for (const secret of [INGEST_TOKEN, READ_TOKEN, 'nowhere', 'subject='])
      expect(text).not.toContain(secret);
  });

  it('counts outcomes by type and keeps the time of the last event per provider', async () => {
    const h = await createHarness({ now: () => NOW });
    await h.ingest(envelope({ event: 'build.approved', uploadId: 'a' }));
    await h.ingest(envelope({ event: 'build.rejected', uploadId: 'b', objection: 'no' }));
    await h.ingest(envelope({ event: 'build.rejected', uploadId: 'c', objection: 'no' }));
    const text = await scrape(h.app);
    const byType = (type: string) =>
      metric(text, `bridge_events_by_type_total{provider="streampixel",type="${type}"}`);
    expect(byType('build.approved')).toBe(1);
    expect(byType('build.rejected')).toBe(2);
    expect(metric(text, 'bridge_last_event_timestamp_seconds{provider="streampixel"}')).toBe(NOW / 1000);
    expect(metric(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^bridge_build_info\{version="[^"]+",node="v\d+\.\d+\.\d+"\} 1$/m);
  });
});

describe('request logs', () => {
  const probes = ['/healthz', '/readyz', '/metrics'];

  async function traffic(level: 'info' | 'debug') {
    const logs = captureLogs();
    const h = await createHarness({ logger: { level, stream: logs.stream } });
    for (const url of probes) {
      await h.app.inject({ method: 'GET', url });
      await h.app.inject({ method: 'HEAD', url });
    }
    await h.ingest(envelope());
    await h.poll({ subject: 'up-1' }, AUTH);
    return logs.lines.map(
      (line) => JSON.parse(line) as { level: number; msg: string; req?: { route: string } },
    );
  }

  it('leaves health, readiness and metrics requests out at info, and keeps every other request', async () => {
    const lines = await traffic('info');
    const routes = lines.filter((l) => l.msg === 'incoming request').map((l) => l.req?.route);
    expect(routes).toEqual(['/hooks/:provider/:token', '/v1/events']);
    expect(lines.filter((l) => l.msg === 'request completed')).toHaveLength(2);
  });

  it('logs probes at debug, both lines of each, when the level is debug', async () => {
    const lines = await traffic('debug');
    const probeLines = lines.filter((l) => probes.includes(l.req?.route ?? ''));
    expect(probeLines).toHaveLength(probes.length * 2);
    expect(new Set(probeLines.map((l) => l.level))).toEqual(new Set([PINO_LEVEL.debug]));
    const incoming = lines.filter((l) => l.msg === 'incoming request');
    const ingest = incoming.find((l) => l.req?.route === '/hooks/:provider/:token');
    expect(ingest?.level).toBe(PINO_LEVEL.info);
    // "request completed" carries no req, so count them: every request has one, probes at debug.
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed.filter((l) => l.level === PINO_LEVEL.debug)).toHaveLength(probes.length * 2);
    expect(completed.filter((l) => l.level === PINO_LEVEL.info)).toHaveLength(2);
  });
});
