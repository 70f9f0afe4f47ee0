import { describe, expect, it } from 'vitest';
import { AUTH, createHarness, envelope, INGEST_PATH } from '../unit/bridge/harness.ts';
import { rawExchange } from '../unit/bridge/raw-socket.ts';

// DESIGN §4: HEAD on every route answers at once, with headers only and the same auth rules. fastify's
// automatic HEAD route runs the GET handler: before this, HEAD /v1/events/stream never answered and HEAD
// /v1/events?wait=60 held for a minute.

/** Far below a long-poll's 60 s and a stream's forever; far above any honest answer on a busy machine. */
const AT_ONCE_MS = 10_000;

async function head(origin: string, path: string, headers: Record<string, string> = {}) {
  const lines = [
    `HEAD ${path} HTTP/1.1`,
    'Host: bridge.test',
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return rawExchange(origin, [`${lines.join('\r\n')}\r\n\r\n`], { giveUpMs: AT_ONCE_MS });
}

async function setup() {
  const h = await createHarness({ listen: true });
  // Events exist, so a body would have data in it to leak.
  await h.ingest(envelope({ uploadId: 'up-1', event: 'build.approved' }));
  return h;
}

describe('HEAD', () => {
  it.each([
    ['/healthz', 200, 'application/json'],
    ['/readyz', 200, 'application/json'],
    ['/metrics', 200, 'text/plain'],
  ])('%s answers %i with headers only', async (path, status, type) => {
    const h = await setup();
    const answer = await head(h.origin, path);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toContain(type);
    expect(answer.body).toBe('');
  });

  it.each([
    '/v1/events?subject=up-1',
    '/v1/events?subject=up-1&after=1&wait=60',
    '/v1/events?subject=nobody&wait=60',
    '/v1/events?subject=up-1&after=latest',
  ])('%s with the read token answers 200 at once, with no body and no waiter left', async (path) => {
    const h = await setup();
    const answer = await head(h.origin, path, AUTH);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(answer.body).toBe('');
    expect(await h.waiters()).toBe(0);
  });

  it('/v1/events/stream with the read token answers 200 with the stream headers, at once and empty', async () => {
    const h = await setup();
    const answer = await head(h.origin, '/v1/events/stream?subject=up-1', AUTH);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.body).toBe('');
    expect(await h.waiters()).toBe(0);
  });

  it.each(['/v1/events?subject=up-1&wait=60', '/v1/events/stream?subject=up-1'])(
    '%s keeps the read auth: a missing or wrong token gets the 401 of a GET, headers only',
    async (path) => {
      const h = await setup();
      const refused: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer wrong-token-0123456789abcdef' },
      ];
      for (const headers of refused) {
        const answer = await head(h.origin, path, headers);
        expect(answer.status).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Bearer realm="release-bridge"');
        expect(answer.body).toBe('');
        expect(answer.text).not.toContain('up-1');
      }
    },
  );

  it('/v1/events/stream refuses a bad query or Last-Event-ID with 400 and no body', async () => {
    const h = await setup();
    expect((await head(h.origin, '/v1/events/stream', AUTH)).status).toBe(400);
    const answer = await head(h.origin, '/v1/events/stream?subject=up-1', { ...AUTH, 'Last-Event-ID': 'x' });
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('');
  });

  it('the ingest route and unknown paths answer 404 with headers only, right token or not', async () => {
    const h = await setup();
    for (const path of [
      INGEST_PATH,
      '/hooks/streampixel/wrong-token-0123456789',
      '/nowhere',
      '/v1/nowhere',
    ]) {
      const answer = await head(h.origin, path, AUTH);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).toBe('');
    }
  });
});
