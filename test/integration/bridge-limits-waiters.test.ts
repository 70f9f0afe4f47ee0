import { describe, expect, it, onTestFinished } from 'vitest';
import { AUTH, createHarness, envelope, metric, openSse, rawGet } from '../unit/bridge/harness.ts';

// DESIGN §4: concurrent long-polls and streams are capped (BRIDGE_MAX_WAITERS), answered 503 with
// Retry-After when full. Only what would be held counts and is refused: an answer that needs no wait, a
// HEAD and, above all, a webhook are served as usual.

const MAX_WAITERS = 3;
const POLL = { timeout: 10_000 };

async function setup() {
  const h = await createHarness({ listen: true, limits: { maxWaiters: MAX_WAITERS } });
  const hold = (subject: string) => {
    const held = rawGet(`${h.origin}/v1/events?subject=${subject}&wait=60`, AUTH);
    held.response.catch(() => {});
    return held;
  };
  return { ...h, hold };
}

function expectFull(answer: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(answer.statusCode).toBe(503);
  expect(answer.headers['retry-after']).toBe('5');
  expect(JSON.parse(answer.body)).toEqual({ error: 'too many open long-polls and streams; retry later' });
}

describe('the cap on waiters', () => {
  it('refuses a long-poll and a stream past the cap with 503 and Retry-After, and counts them', async () => {
    const h = await setup();
    const held = [h.hold('a'), h.hold('b')];
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=c`);
    onTestFinishedClose(stream);
    expect(stream.status).toBe(200);
    await expect.poll(h.waiters, POLL).toBe(MAX_WAITERS);

    expectFull(await h.poll({ subject: 'd', wait: 30 }));
    expectFull(await h.app.inject({ method: 'GET', url: '/v1/events/stream?subject=d', headers: AUTH }));
    expect(await h.waiters()).toBe(MAX_WAITERS);
    expect(metric((await h.app.inject({ method: 'GET', url: '/metrics' })).body, 'bridge_waiters_max')).toBe(
      MAX_WAITERS,
    );
    expect(
      metric(
        (await h.app.inject({ method: 'GET', url: '/metrics' })).body,
        'bridge_requests_rejected_total{reason="too_many_waiters"}',
      ),
    ).toBe(2);
    for (const poll of held) poll.abort();
  });

  it('still takes webhooks, answers reads that need no wait, and HEAD, when full', async () => {
    const h = await setup();
    for (const subject of ['a', 'b', 'c']) h.hold(subject);
    await expect.poll(h.waiters, POLL).toBe(MAX_WAITERS);

    const stored = await h.ingest(envelope({ uploadId: 'z', event: 'build.approved' }));
    expect(stored.statusCode).toBe(200);
    const ready = await h.poll({ subject: 'z', wait: 30 });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().events).toHaveLength(1);
    expect((await h.poll({ subject: 'nobody', wait: 0 })).statusCode).toBe(200);
    expect((await h.poll({ subject: 'nobody', after: 'latest' })).statusCode).toBe(200);
    const head = await h.app.inject({ method: 'HEAD', url: '/v1/events/stream?subject=z', headers: AUTH });
    expect(head.statusCode).toBe(200);
  });

  it('has room again as soon as a waiter is answered or its client leaves', async () => {
    const h = await setup();
    const held = [h.hold('a'), h.hold('b'), h.hold('c')];
    await expect.poll(h.waiters, POLL).toBe(MAX_WAITERS);
    expectFull(await h.poll({ subject: 'd', wait: 30 }));

    // An event answers the long-poll of `a`…
    await h.ingest(envelope({ uploadId: 'a' }));
    expect((await held[0]!.response).status).toBe(200);
    await expect.poll(h.waiters, POLL).toBe(MAX_WAITERS - 1);
    const next = h.hold('d');
    await expect.poll(h.waiters, POLL).toBe(MAX_WAITERS);
    expectFull(await h.poll({ subject: 'e', wait: 30 }));

    // …and a client that hangs up frees its slot too.
    held[1]!.abort();
    await expect.poll(h.waiters, POLL).toBe(MAX_WAITERS - 1);
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=e`);
    onTestFinishedClose(stream);
    expect(stream.status).toBe(200);
    next.abort();
  });
});

function onTestFinishedClose(stream: { close: () => void }) {
  onTestFinished(() => stream.close());
}
