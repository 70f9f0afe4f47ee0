import { describe, expect, it } from 'vitest';
import {
  AUTH,
  createHarness,
  envelope,
  openSse,
  openTestStore,
  rawGet,
  type StoreKind,
} from '../unit/bridge/harness.ts';

// GET /v1/events/stream (Server-Sent Events) over real loopback, and app.close() with clients still waiting.

const STORES: StoreKind[] = ['memory', 'sqlite'];
const stage = (event: string, timestamp = '2025-06-01T12:00:00Z') => envelope({ event, timestamp });

describe.each(STORES)('event stream on the %s store', (kind) => {
  const start = async (options: Parameters<typeof createHarness>[0] = {}) =>
    createHarness({ store: await openTestStore(kind), listen: true, ...options });

  it('sends stored events, then live ones, as id/event/data frames', async () => {
    const h = await start();
    const first = (await h.ingest(stage('build.uploaded'))).json().cursor;
    const stream = await openSse(`${h.origin}/v1/events/stream?provider=streampixel&subject=up-1`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache');
    expect(stream.headers['x-accel-buffering']).toBe('no');

    const stored = await stream.nextEvent();
    expect(stored.id).toBe(String(first));
    expect(stored.event).toBe('build.uploaded');
    expect(stored.json).toEqual({
      cursor: first,
      provider: 'streampixel',
      subject: 'up-1',
      type: 'build.uploaded',
      phase: 'progress',
      status: expect.any(String),
      occurredAt: stage('build.uploaded').timestamp,
      dedupeKey: expect.any(String),
      scope: 'proj-1',
      detail: null,
      links: expect.any(Object),
      receivedAt: '2025-06-01T12:00:00.000Z',
      payload: stage('build.uploaded'),
    });

    await h.ingest(envelope({ uploadId: 'up-2' }));
    const live = (await h.ingest(stage('build.downloading'))).json().cursor;
    const next = await stream.nextEvent();
    expect([next.id, next.event]).toEqual([String(live), 'build.downloading']);
    stream.close();
    await stream.ended;
    await expect.poll(h.waiters).toBe(0);
  });

  it('resumes after a reconnect with Last-Event-ID: no gap, no duplicate', async () => {
    const h = await start();
    const stages = [
      'build.uploaded',
      'build.downloading',
      'build.extracting',
      'build.saving',
      'build.distributing',
    ];
    const url = `${h.origin}/v1/events/stream?subject=up-1`;

    const one = await openSse(url);
    await h.ingest(stage(stages[0]!));
    await h.ingest(stage(stages[1]!));
    const received = [await one.nextEvent(), await one.nextEvent()];
    one.close();
    await one.ended;

    // Events that arrive while the client is away.
    await h.ingest(stage(stages[2]!));
    await h.ingest(stage(stages[3]!));

    // `after=0` would replay everything: Last-Event-ID wins.
    const two = await openSse(`${url}&after=0`, { ...AUTH, 'last-event-id': received[1]!.id! });
    received.push(await two.nextEvent(), await two.nextEvent());
    await h.ingest(stage(stages[4]!));
    received.push(await two.nextEvent());
    two.close();

    expect(received.map((frame) => frame.event)).toEqual(stages);
    const cursors = received.map((frame) => Number(frame.id));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(stages.length);
  });

  it('starts after `after`, or after the newest event with after=latest', async () => {
    const h = await start();
    const a = (await h.ingest(stage('build.uploaded'))).json().cursor;
    await h.ingest(stage('build.downloading'));
    const fromA = await openSse(`${h.origin}/v1/events/stream?subject=up-1&after=${a}`);
    expect((await fromA.nextEvent()).event).toBe('build.downloading');
    fromA.close();

    const latest = await openSse(`${h.origin}/v1/events/stream?subject=up-1&after=latest`);
    await h.ingest(stage('build.extracting'));
    expect((await latest.nextEvent()).event).toBe('build.extracting');
    latest.close();
  });

  it('names the resolved cursor of after=latest at once, so a reconnect before any event loses nothing', async () => {
    const h = await start();
    const newest = (await h.ingest(stage('build.uploaded'))).json().cursor;
    const latest = await openSse(`${h.origin}/v1/events/stream?subject=up-1&after=latest`);
    expect((await latest.next()).id).toBe(String(newest));
    latest.close();
    // The connection dropped before any event; the client resumes with the id it was given.
    await h.ingest(stage('build.downloading'));
    const resumed = await openSse(`${h.origin}/v1/events/stream?subject=up-1&after=latest`, {
      ...AUTH,
      'last-event-id': String(newest),
    });
    expect((await resumed.nextEvent()).event).toBe('build.downloading');
    resumed.close();
  });

  it('sends a heartbeat comment on an idle stream', async () => {
    const h = await start({ heartbeatMs: 10 });
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=up-1`);
    for (;;) {
      const frame = await stream.next();
      if (frame.comment !== undefined) {
        expect(frame.comment).toBe('heartbeat');
        break;
      }
    }
    stream.close();
  });

  it('delivers a burst larger than one read batch, in order', async () => {
    const h = await start();
    const total = 1_200;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        h.ingest(envelope({ timestamp: new Date(Date.UTC(2025, 5, 1, 12, 0, 0, i)).toISOString() })),
      ),
    );
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=up-1`);
    let previous = 0;
    for (let i = 0; i < total; i += 1) {
      const frame = await stream.nextEvent();
      expect(frame.json.cursor).toBeGreaterThan(previous);
      previous = frame.json.cursor;
    }
    stream.close();
  });
});

describe('event stream refusals', () => {
  it('answers 400 for a bad query or Last-Event-ID, and 401 without a token, before streaming', async () => {
    const h = await createHarness({ listen: true });
    const bad = await openSse(`${h.origin}/v1/events/stream?subject=up-1`, {
      ...AUTH,
      'last-event-id': 'abc',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(await bad.body())).toEqual({
      error: 'invalid query',
      problems: ['Last-Event-ID: must be a cursor (a whole number)'],
    });
    const noSubject = await openSse(`${h.origin}/v1/events/stream`);
    expect(noSubject.status).toBe(400);
    const anonymous = await openSse(`${h.origin}/v1/events/stream?subject=up-1`, {});
    expect(anonymous.status).toBe(401);
    await anonymous.body();
    expect(await h.waiters()).toBe(0);
  });

  it('answers 503 when the store cannot be read at the start', async () => {
    const h = await createHarness({ listen: true });
    h.store.failWith(new Error('connection lost'), ['read']);
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=up-1`);
    expect(stream.status).toBe(503);
    await stream.body();
    expect(await h.waiters()).toBe(0);
  });

  it('ends the stream when a later read fails, so the client resumes from its Last-Event-ID', async () => {
    const h = await createHarness({ listen: true });
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=up-1`);
    h.store.failWith(new Error('connection lost'), ['read']);
    await h.ingest(envelope());
    await stream.ended;
    await expect.poll(h.waiters).toBe(0);
  });
});

describe('app.close()', () => {
  it('resolves promptly with an open long-poll and an open stream, answering the long-poll', async () => {
    const h = await createHarness({ listen: true });
    const poll = rawGet(`${h.origin}/v1/events?subject=up-1&after=3&wait=60`);
    const stream = await openSse(`${h.origin}/v1/events/stream?subject=up-2`);
    await expect.poll(h.waiters).toBe(2);

    const started = performance.now();
    await h.app.close();
    expect(performance.now() - started).toBeLessThan(1000);

    const answer = await poll.response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ events: [], cursor: 3 });
    await stream.ended;
  });

  it('resolves promptly when only inject() was used', async () => {
    const h = await createHarness();
    const polling = h.poll({ subject: 'up-1', wait: 60 });
    await expect.poll(h.waiters).toBe(1);
    await h.app.close();
    expect((await polling).json()).toEqual({ events: [], cursor: 0 });
  });
});
