import { describe, expect, it } from 'vitest';
import {
  AUTH,
  createHarness,
  envelope,
  INGEST_TOKEN,
  openTestStore,
  rawGet,
  READ_TOKEN,
  type StoreKind,
} from '../unit/bridge/harness.ts';

// GET /v1/events (long-poll), read auth on every /v1 route, and the unauthenticated probes.

const STORES: StoreKind[] = ['memory', 'sqlite'];

describe('read auth', () => {
  const routes = [
    '/v1/events?subject=up-1',
    '/v1/events?subject=up-1&wait=30',
    '/v1/events/stream?subject=up-1',
  ];
  const refused: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['an empty header', { authorization: '' }],
    ['a wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
    ['the token with a character missing', { authorization: `Bearer ${READ_TOKEN.slice(0, -1)}` }],
    ['the token with one more character', { authorization: `Bearer ${READ_TOKEN}x` }],
    ['the ingest token', { authorization: `Bearer ${INGEST_TOKEN}` }],
    ['another scheme', { authorization: `Basic ${READ_TOKEN}` }],
    ['the bare token', { authorization: READ_TOKEN }],
    ['the token as a query parameter', {}],
  ];

  it.each(routes)('%s: missing and wrong tokens get one identical 401', async (route) => {
    const h = await createHarness();
    const answers = [];
    for (const [, headers] of refused) {
      const res = await h.app.inject({ method: 'GET', url: `${route}&token=${READ_TOKEN}`, headers });
      answers.push({ status: res.statusCode, body: res.body, auth: res.headers['www-authenticate'] });
    }
    expect(answers[0]).toEqual({
      status: 401,
      body: JSON.stringify({ error: 'unauthorized' }),
      auth: 'Bearer realm="release-bridge"',
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await h.waiters()).toBe(0);
  });

  it('lets the right token through, whatever the case of the scheme', async () => {
    const h = await createHarness();
    for (const authorization of [`Bearer ${READ_TOKEN}`, `bearer ${READ_TOKEN}`]) {
      expect((await h.poll({ subject: 'up-1' }, { authorization })).statusCode).toBe(200);
    }
  });

  it('leaves /healthz, /readyz and /metrics open', async () => {
    const h = await createHarness();
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect((await h.app.inject({ url })).statusCode, url).toBe(200);
    }
  });
});

describe('probes', () => {
  it('healthz is ok; readyz follows the store', async () => {
    const h = await createHarness();
    expect((await h.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
    h.store.failWith(new Error('connection refused'), ['ping']);
    const down = await h.app.inject({ url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unavailable' });
    expect((await h.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('healthz fails once the store is broken for good, so a liveness probe restarts the bridge', async () => {
    const h = await createHarness();
    h.store.breakForGood(new Error('the SQLite writer thread stopped (exit code 70)'));
    const health = await h.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: 'broken' });
  });
});

describe.each(STORES)('long-poll on the %s store', (kind) => {
  const start = async (options: Parameters<typeof createHarness>[0] = {}) =>
    createHarness({ store: await openTestStore(kind), ...options });

  it('answers at once when events follow the cursor, oldest first, with the next cursor', async () => {
    const h = await start();
    const a = (await h.ingest(envelope())).json().cursor;
    await h.ingest(envelope({ uploadId: 'up-2' }));
    const b = (await h.ingest(envelope({ event: 'build.downloading', status: 'Downloading Files' }))).json()
      .cursor;
    const started = performance.now();
    const res = await h.poll({ provider: 'streampixel', subject: 'up-1', after: 0, wait: 60 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      events: [
        {
          cursor: a,
          provider: 'streampixel',
          subject: 'up-1',
          type: 'build.uploaded',
          phase: 'progress',
          status: 'pending',
          occurredAt: '2025-06-01T11:59:59.000Z',
          dedupeKey: JSON.stringify([
            'streampixel',
            'proj-1',
            'up-1',
            'build.uploaded',
            '2025-06-01T11:59:59.000Z',
          ]),
          scope: 'proj-1',
          detail: null,
          links: { fileUrl: 'https://builds.example.com/game.zip' },
          receivedAt: '2025-06-01T12:00:00.000Z',
          payload: envelope(),
        },
        expect.objectContaining({ cursor: b, type: 'build.downloading' }),
      ],
      cursor: b,
    });
    expect(
      (await h.poll({ subject: 'up-1', after: a })).json().events.map((e: { cursor: number }) => e.cursor),
    ).toEqual([b]);
  });

  it('pages with limit', async () => {
    const h = await start();
    for (const event of ['build.uploaded', 'build.downloading', 'build.extracting']) {
      await h.ingest(envelope({ event }));
    }
    const first = (await h.poll({ subject: 'up-1', limit: 2 })).json();
    expect(first.events.map((e: { type: string }) => e.type)).toEqual([
      'build.uploaded',
      'build.downloading',
    ]);
    const second = (await h.poll({ subject: 'up-1', after: first.cursor, limit: 2 })).json();
    expect(second.events.map((e: { type: string }) => e.type)).toEqual(['build.extracting']);
  });

  it('times out with no events and the same cursor', async () => {
    const h = await start();
    await h.ingest(envelope({ uploadId: 'up-2' }));
    const res = await h.poll({ subject: 'up-1', after: 7, wait: 0.05 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ events: [], cursor: 7 });
    expect(await h.waiters()).toBe(0);
  });

  it('wakes up as soon as an event for the subject is stored', async () => {
    const h = await start();
    const polling = h.poll({ subject: 'up-1', wait: 60 });
    await expect.poll(h.waiters).toBe(1);
    // Another build's event does not end the wait.
    await h.ingest(envelope({ uploadId: 'up-2' }));
    const acked = (await h.ingest(envelope({ event: 'build.approved', status: 'Approved' }))).json();
    const ackedAt = performance.now();
    const res = await polling;
    expect(performance.now() - ackedAt).toBeLessThan(250);
    expect(res.json()).toEqual({
      events: [expect.objectContaining({ type: 'build.approved', cursor: acked.cursor })],
      cursor: acked.cursor,
    });
    expect(await h.waiters()).toBe(0);
  });

  it('after=latest answers at once with the newest cursor of the subject, so only new events count', async () => {
    const h = await start();
    await h.ingest(
      envelope({ event: 'build.approved', status: 'Approved', timestamp: '2025-05-01T00:00:00Z' }),
    );
    const latestOfUp1 = (await h.ingest(envelope({ timestamp: '2025-05-02T00:00:00Z' }))).json().cursor;
    await h.ingest(envelope({ uploadId: 'up-2' }));
    const res = await h.poll({ subject: 'up-1', after: 'latest', wait: 60 });
    expect(res.json()).toEqual({ events: [], cursor: latestOfUp1 });
    expect((await h.poll({ subject: 'never-seen', after: 'latest' })).json()).toEqual({
      events: [],
      cursor: 0,
    });

    const polling = h.poll({ subject: 'up-1', after: latestOfUp1, wait: 60 });
    await expect.poll(h.waiters).toBe(1);
    await h.ingest(
      envelope({ event: 'build.approved', status: 'Approved', timestamp: '2025-06-01T12:00:00Z' }),
    );
    const { events } = (await polling).json();
    expect(events.map((e: { payload: { timestamp: string } }) => e.payload.timestamp)).toEqual([
      '2025-06-01T12:00:00Z',
    ]);
  });

  it.each([
    ['subject missing', {}, 'subject'],
    ['after not a number', { subject: 'up-1', after: 'first' }, 'after'],
    ['after negative', { subject: 'up-1', after: -1 }, 'after'],
    ['wait over 60', { subject: 'up-1', wait: 61 }, 'wait'],
    ['wait negative', { subject: 'up-1', wait: -1 }, 'wait'],
    ['limit 0', { subject: 'up-1', limit: 0 }, 'limit'],
    ['limit over 500', { subject: 'up-1', limit: 501 }, 'limit'],
    ['provider empty', { subject: 'up-1', provider: '' }, 'provider'],
  ])('answers 400 listing the problem: %s', async (_name, query, field) => {
    const h = await start();
    const res = await h.poll(query as Record<string, string>);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid query',
      problems: [expect.stringMatching(new RegExp(`^${field}: `))],
    });
  });

  it('lists every query problem at once', async () => {
    const h = await start();
    const res = await h.poll({ after: 'x', wait: 'y', limit: 'z' });
    expect(res.json().problems).toHaveLength(4);
  });
});

describe('long-poll edge cases', () => {
  it('re-queries on the safety interval when a notification is lost', async () => {
    const h = await createHarness({ requeryIntervalMs: 20 });
    h.store.notifications = false;
    const polling = h.poll({ subject: 'up-1', wait: 60 });
    await expect.poll(h.waiters).toBe(1);
    await h.ingest(envelope());
    expect((await polling).json().events).toHaveLength(1);
  });

  it('wakes every waiter on a wildcard notification', async () => {
    const h = await createHarness({ requeryIntervalMs: 60_000 });
    h.store.notifications = false;
    const polling = h.poll({ subject: 'up-1', wait: 60 });
    await expect.poll(h.waiters).toBe(1);
    await h.ingest(envelope());
    h.store.notifyAll();
    expect((await polling).json().events).toHaveLength(1);
  });

  it('answers 503 when the store cannot be read', async () => {
    const h = await createHarness();
    h.store.failWith(new Error('connection lost'), ['read', 'latestCursor']);
    expect((await h.poll({ subject: 'up-1' })).statusCode).toBe(503);
    expect((await h.poll({ subject: 'up-1', after: 'latest' })).statusCode).toBe(503);
  });

  it('forgets a waiter whose client hung up', async () => {
    const h = await createHarness({ listen: true });
    const held = rawGet(`${h.origin}/v1/events?subject=up-1&wait=60`, AUTH);
    held.response.catch(() => {});
    await expect.poll(h.waiters).toBe(1);
    held.abort();
    await expect.poll(h.waiters).toBe(0);
    // The bridge keeps serving.
    await h.ingest(envelope());
    expect((await h.poll({ subject: 'up-1' })).json().events).toHaveLength(1);
  });

  it('serves many waiters of different builds, each woken by its own event', async () => {
    const h = await createHarness();
    const subjects = Array.from({ length: 20 }, (_, i) => `up-${i}`);
    const polls = subjects.map((subject) => h.poll({ subject, wait: 60 }));
    await expect.poll(h.waiters).toBe(20);
    for (const subject of [...subjects].reverse()) await h.ingest(envelope({ uploadId: subject }));
    const answers = await Promise.all(polls);
    answers.forEach((res, i) => expect(res.json().events[0].subject).toBe(subjects[i]));
  });
});
