import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildBridgeApp } from '../../src/bridge/app.ts';
import { MAX_TOKEN_LENGTH } from '../../src/bridge/config.ts';
import {
  AUTH,
  createHarness,
  envelope,
  INGEST_PATH,
  INGEST_TOKEN,
  metric,
  NOW,
  openTestStore,
  type StoreKind,
} from '../unit/bridge/harness.ts';
import { createMemoryStore } from '../unit/bridge/memory-store.ts';

// POST /hooks/streampixel/:token: every answer DESIGN §4 promises, on the in-memory double and on SQLite.

const STORES: StoreKind[] = ['memory', 'sqlite'];
const NOT_FOUND = { error: 'not found' };

describe.each(STORES)('ingest on the %s store', (kind) => {
  const start = async (options: { projectIds?: string[] } = {}) =>
    createHarness({ store: await openTestStore(kind), ...options });
  const stored = async (h: Awaited<ReturnType<typeof start>>, subject = 'up-1') =>
    (await h.store.read({ provider: 'streampixel', subject, after: 0, limit: 100 })).map((e) => e.type);

  it('stores a webhook and answers 200 with its cursor once it is durable', async () => {
    const h = await start();
    const body = JSON.stringify(envelope());
    const res = await h.ingest(body);
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(answer).toEqual({ ok: true, cursor: expect.any(Number), duplicate: false });
    const [event] = await h.store.read({ provider: 'streampixel', subject: 'up-1', after: 0, limit: 10 });
    expect(event).toEqual({
      cursor: answer.cursor,
      provider: 'streampixel',
      subject: 'up-1',
      type: 'build.uploaded',
      dedupeKey: JSON.stringify([
        'streampixel',
        'proj-1',
        'up-1',
        'build.uploaded',
        '2025-06-01T11:59:59.000Z',
      ]),
      receivedAt: new Date(NOW).toISOString(),
      body,
      // Normalised beside the body, so readers need no Streampixel parser.
      phase: 'progress',
      occurredAt: '2025-06-01T11:59:59.000Z',
      scope: 'proj-1',
      status: 'pending',
      detail: null,
      links: { fileUrl: 'https://builds.example.com/game.zip' },
    });
  });

  it('keeps the body byte for byte, extra fields and formatting included', async () => {
    const h = await start();
    const body = `{ "event":"build.saving", "projectId":"proj-1","uploadId":"up-1","status":"Saving to Repository",\n  "timestamp":"2025-06-01T12:00:00Z", "extra": {"a": [1, 2]}, "emoji": "🎮" }`;
    expect((await h.ingest(body)).statusCode).toBe(200);
    const [event] = await h.store.read({ provider: 'streampixel', subject: 'up-1', after: 0, limit: 10 });
    expect(event?.body).toBe(body);
  });

  it('acknowledges a re-sent event as a duplicate and stores it once', async () => {
    const h = await start();
    const first = (await h.ingest(envelope())).json();
    const again = await h.ingest(envelope({ status: 'pending (re-sent)' }));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ok: true, cursor: first.cursor, duplicate: true });
    expect(await stored(h)).toEqual(['build.uploaded']);
    // A re-distributed build fires build.approved again, with a new timestamp: that one is new.
    await h.ingest(envelope({ event: 'build.approved', timestamp: '2025-06-01T12:10:00Z' }));
    await h.ingest(envelope({ event: 'build.approved', timestamp: '2025-06-02T08:00:00Z' }));
    expect(await stored(h)).toEqual(['build.uploaded', 'build.approved', 'build.approved']);
  });

  it('answers a wrong token with the body of an unknown route, before reading anything else', async () => {
    const h = await start();
    const unknown = await h.app.inject({ method: 'POST', url: '/no/such/route', payload: 'x' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual(NOT_FOUND);
    for (const token of [
      'wrong-token-0123456789abcdef',
      INGEST_TOKEN.slice(0, -1),
      `${INGEST_TOKEN}x`,
      INGEST_TOKEN.toUpperCase(),
    ]) {
      // Even a body that is too large or not JSON gets the 404: the token is checked first.
      for (const [body, type] of [
        [JSON.stringify(envelope()), 'application/json'],
        ['x'.repeat(70_000), 'text/plain'],
      ] as const) {
        const res = await h.ingest(body, { 'content-type': type }, `/hooks/streampixel/${token}`);
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(unknown.body);
        expect(res.headers['content-type']).toBe(unknown.headers['content-type']);
      }
    }
    expect(await stored(h)).toEqual([]);
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const h = await start();
    const big = JSON.stringify(envelope({ objection: 'x'.repeat(64 * 1024) }));
    const res = await h.ingest(big);
    expect(res.statusCode).toBe(413);
    expect(await stored(h)).toEqual([]);
    // Exactly at the limit is still accepted when it is a valid envelope.
    const base = JSON.stringify(envelope({ padding: '' }));
    const fits = JSON.stringify(envelope({ padding: 'y'.repeat(64 * 1024 - base.length) }));
    expect(Buffer.byteLength(fits)).toBe(64 * 1024);
    expect((await h.ingest(fits)).statusCode).toBe(200);
    expect((await h.ingest(`${fits} `)).statusCode).toBe(413);
  });

  it('refuses a chunked body once it passes 64 KiB', async () => {
    const h = await createHarness({ store: await openTestStore(kind), listen: true });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const res = await request(`${h.origin}/hooks/streampixel/${INGEST_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // No content-length: the limit has to be enforced while reading.
      body: Readable.from(
        (function* () {
          for (let i = 0; i < 8; i += 1) yield chunk;
        })(),
      ),
    });
    expect(res.statusCode).toBe(413);
    await res.body.dump();
    expect(await stored(h)).toEqual([]);
  });

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
    ['application/jsonx', 415],
    ['application/json; charset=utf-8', 200],
    ['Application/JSON', 200],
  ])('content type %s → %i', async (type, status) => {
    const h = await start();
    const res = await h.ingest(envelope(), { 'content-type': type });
    expect(res.statusCode).toBe(status);
  });

  it('refuses a body without a content type with 415', async () => {
    const h = await start();
    const res = await h.app.inject({
      method: 'POST',
      url: `/hooks/streampixel/${INGEST_TOKEN}`,
      payload: '{}',
    });
    expect(res.statusCode).toBe(415);
  });

  it.each([
    ['not JSON', '{"event": "build.uploaded",'],
    ['empty', ''],
    ['JSON but not an object', '[1, 2, 3]'],
    ['missing fields', JSON.stringify({ event: 'build.uploaded' })],
    ['wrong types', JSON.stringify(envelope({ uploadId: 42 }))],
    ['a timestamp that is not one', JSON.stringify(envelope({ timestamp: 'yesterday' }))],
  ])('answers 400 with a short reason for a body that is %s', async (_name, body) => {
    const h = await start();
    const res = await h.ingest(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
    expect(res.json().error.length).toBeLessThan(400);
    expect(await stored(h)).toEqual([]);
  });

  it('refuses a project outside the allowlist with 403 and stores nothing', async () => {
    const h = await start({ projectIds: ['proj-1', 'proj-2'] });
    const res = await h.ingest(envelope({ projectId: 'proj-9' }));
    expect(res.statusCode).toBe(403);
    expect(await stored(h)).toEqual([]);
    expect((await h.ingest(envelope({ projectId: 'proj-2' }))).statusCode).toBe(200);
  });

  it("stores webhook.test with Streampixel's placeholder ids, even with an allowlist", async () => {
    const h = await start({ projectIds: ['proj-1'] });
    const test = envelope({
      event: 'webhook.test',
      projectId: 'test_project_id',
      uploadId: 'test_upload_id',
      status: 'test',
    });
    expect((await h.ingest(test)).statusCode).toBe(200);
    expect(await stored(h, 'test_upload_id')).toEqual(['webhook.test']);
    // The exemption is for the placeholder only, not for any project sending webhook.test.
    expect((await h.ingest({ ...test, projectId: 'proj-9' })).statusCode).toBe(403);
  });

  it('stores unknown event names too (readers ignore what they do not know)', async () => {
    const h = await start();
    expect((await h.ingest(envelope({ event: 'build.scanned', status: 'Scanned' }))).statusCode).toBe(200);
    expect(await stored(h)).toEqual(['build.scanned']);
  });

  it('stores an event with a null uploadId under the empty subject rather than lose it', async () => {
    const h = await start();
    const res = await h.ingest(envelope({ uploadId: null }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, duplicate: false });
  });

  it('answers 400, not 5xx, for an envelope no store can hold', async () => {
    const h = await start();
    const res = await h.ingest(envelope({ uploadId: 'up\u0000evil' }));
    expect(res.statusCode).toBe(400);
  });

  it('keeps stored events readable through /v1/events', async () => {
    const h = await start();
    await h.ingest(envelope());
    const res = await h.poll({ subject: 'up-1' }, AUTH);
    expect(res.json().events[0].payload).toEqual(envelope());
  });
});

describe('ingest when the store fails', () => {
  it('answers 503 and counts a store error', async () => {
    const h = await createHarness();
    h.store.failWith(new Error('database is locked'), ['append']);
    const res = await h.ingest(envelope());
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: expect.stringContaining('unavailable') });
    const text = (await h.app.inject({ url: '/metrics' })).body;
    expect(metric(text, 'bridge_requests_rejected_total{reason="store_error"}')).toBe(1);
    h.store.failWith(null);
    expect((await h.ingest(envelope())).statusCode).toBe(200);
  });

  it('does not answer before the append is durable', async () => {
    const h = await createHarness();
    const release = h.store.holdAppends();
    let answered = false;
    const pending = h.ingest(envelope()).then((res) => {
      answered = true;
      return res;
    });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    release();
    expect((await pending).statusCode).toBe(200);
  });
});

describe('ingest token length', () => {
  it('routes the longest token the configuration accepts', async () => {
    const token = 't'.repeat(MAX_TOKEN_LENGTH);
    const store = await openTestStore('memory');
    const app = buildBridgeApp({
      config: { ingestToken: token, readToken: 'r'.repeat(16), projectIds: undefined },
      store,
    });
    onTestFinished(() => app.close());
    const res = await app.inject({
      method: 'POST',
      url: `/hooks/streampixel/${token}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(envelope()),
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('metrics after traffic', () => {
  it('counts ingested, duplicate and rejected requests, and ack latency', async () => {
    const h = await createHarness({ projectIds: ['proj-1'] });
    await h.ingest(envelope());
    await h.ingest(envelope());
    await h.ingest(envelope({ event: 'build.downloading', status: 'Downloading Files' }));
    await h.ingest(envelope(), {}, '/hooks/streampixel/wrong-token-0123456789abc');
    await h.ingest('x'.repeat(70_000));
    await h.ingest(envelope(), { 'content-type': 'text/plain' });
    await h.ingest('{');
    await h.ingest({ event: 'build.uploaded' });
    await h.ingest(envelope({ projectId: 'proj-9' }));
    await h.poll({ subject: 'up-1' }, {});
    await h.poll({ subject: 'up-1', limit: 0 });
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    expect(metric(text, 'bridge_events_ingested_total')).toBe(2);
    expect(metric(text, 'bridge_events_duplicate_total')).toBe(1);
    for (const reason of [
      'wrong_token',
      'too_large',
      'unsupported_media_type',
      'bad_json',
      'invalid_envelope',
      'forbidden_project',
      'unauthorized',
      'bad_query',
    ]) {
      expect(metric(text, `bridge_requests_rejected_total{reason="${reason}"}`), reason).toBe(1);
    }
    expect(metric(text, 'bridge_ingest_ack_seconds_count')).toBe(3);
    expect(metric(text, 'bridge_waiters')).toBe(0);
  });
});

describe('a sender that half-closes once its request is sent', () => {
  it('still gets its acknowledgement when the event is stored after the half-close arrived', async () => {
    const store = createMemoryStore();
    // A commit slower than the sender's FIN: what a synced write on a busy disk looks like.
    const append = store.append.bind(store);
    Object.assign(store, {
      append: async (...args: Parameters<typeof append>) => {
        await delay(100);
        return append(...args);
      },
    });
    const h = await createHarness({ store, listen: true });
    const body = JSON.stringify(envelope());
    const socket = connect(Number(new URL(h.origin).port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end(
      `POST ${INGEST_PATH} HTTP/1.1\r\nhost: bridge\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await closed;
    const answer = Buffer.concat(chunks).toString('utf8');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('"duplicate":false');
    expect(await store.read({ provider: 'streampixel', subject: 'up-1', after: 0, limit: 10 })).toHaveLength(
      1,
    );
  });
});
