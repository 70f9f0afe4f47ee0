import { describe, expect, it } from 'vitest';
import {
  AUTH,
  createHarness,
  envelope,
  INGEST_PATH,
  metric,
  type HarnessOptions,
} from '../unit/bridge/harness.ts';

// DESIGN §4: floods of wrong-token requests from one address are answered 429 with Retry-After, and a
// correctly addressed, well-formed webhook is never refused for load: the right token is checked before the
// limit, so a flood from the same address (a shared proxy, say) never blocks the requests that know it.

const PER_MINUTE = 5;
const FLOODER = '203.0.113.66';
const NEIGHBOUR = '198.51.100.7';
const WRONG_INGEST = '/hooks/streampixel/wrong-token-0123456789abcdef';
const WRONG_AUTH = { authorization: 'Bearer wrong-token-0123456789abcdef' };
const TOO_MANY = JSON.stringify({ error: 'too many failed attempts from this address; retry later' });

async function setup(options: HarnessOptions = {}) {
  const h = await createHarness({ limits: { authFailuresPerMinute: PER_MINUTE }, ...options });
  const post = (path: string, body: unknown, remoteAddress = FLOODER) =>
    h.app.inject({
      method: 'POST',
      url: path,
      remoteAddress,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const get = (url: string, headers: Record<string, string>, remoteAddress = FLOODER) =>
    h.app.inject({ method: 'GET', url, headers, remoteAddress });
  const rejected = async (reason: string) =>
    metric(
      (await h.app.inject({ method: 'GET', url: '/metrics' })).body,
      `bridge_requests_rejected_total{reason="${reason}"}`,
    );
  return { ...h, post, get, rejected };
}

describe('wrong-token floods', () => {
  it('answers wrong ingest tokens 404 up to the limit, then 429 with Retry-After', async () => {
    const h = await setup();
    const answers = [];
    for (let i = 0; i < PER_MINUTE + 3; i += 1) answers.push(await h.post(WRONG_INGEST, envelope()));
    expect(answers.slice(0, PER_MINUTE).map((a) => a.statusCode)).toEqual(Array(PER_MINUTE).fill(404));
    for (const answer of answers.slice(PER_MINUTE)) {
      expect(answer.statusCode).toBe(429);
      expect(answer.body).toBe(TOO_MANY);
      // One failure comes back every 60 / PER_MINUTE seconds.
      const retryAfter = Number(answer.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60 / PER_MINUTE);
    }
    expect(await h.rejected('wrong_token')).toBe(PER_MINUTE);
    expect(await h.rejected('rate_limited')).toBe(3);
  });

  it('never refuses a correct webhook from the flooding address, before, during or after the flood', async () => {
    const h = await setup();
    const correct = (i: number) => h.post(INGEST_PATH, envelope({ uploadId: `up-${i}` }));
    const wrong = () => h.post(WRONG_INGEST, envelope());
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? correct(i) : wrong())),
    );
    const statuses = (want: (i: number) => boolean) =>
      new Set(answers.filter((_, i) => want(i)).map((a) => a.statusCode));
    expect(statuses((i) => i % 10 === 0)).toEqual(new Set([200]));
    expect(statuses((i) => i % 10 !== 0)).toEqual(new Set([404, 429]));
    expect((await correct(1_000)).statusCode).toBe(200);
    expect(h.store.events).toHaveLength(21);
  });

  it('limits wrong and missing bearer tokens on every read route, and never the right one', async () => {
    const h = await setup();
    const routes = [
      '/v1/events?subject=up-1',
      '/v1/events?subject=up-1&wait=30',
      '/v1/events/stream?subject=up-1',
    ];
    const statuses: number[] = [];
    for (let i = 0; i < 2 * PER_MINUTE; i += 1) {
      const answer = await h.get(routes[i % routes.length] as string, i % 2 === 0 ? WRONG_AUTH : {});
      statuses.push(answer.statusCode);
      if (answer.statusCode === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(answer.body).not.toContain('up-1');
    }
    expect(statuses).toEqual([...Array(PER_MINUTE).fill(401), ...Array(PER_MINUTE).fill(429)]);
    expect((await h.get('/v1/events?subject=up-1', AUTH)).statusCode).toBe(200);
    expect(await h.rejected('unauthorized')).toBe(PER_MINUTE);
  });

  it('counts unknown paths, wrong ingest tokens and wrong read tokens against one allowance', async () => {
    const h = await setup();
    const statuses = [
      (await h.get('/wp-login.php', {})).statusCode,
      (await h.post(WRONG_INGEST, envelope())).statusCode,
      (await h.get('/v1/events?subject=up-1', WRONG_AUTH)).statusCode,
      (await h.get('/.env', {})).statusCode,
      (await h.post('/hooks/other/x', {})).statusCode,
      (await h.get('/admin', {})).statusCode,
    ];
    expect(statuses).toEqual([404, 404, 401, 404, 404, 429]);
  });

  it('counts each address on its own', async () => {
    const h = await setup();
    for (let i = 0; i < PER_MINUTE + 1; i += 1) await h.post(WRONG_INGEST, envelope());
    expect((await h.post(WRONG_INGEST, envelope())).statusCode).toBe(429);
    expect((await h.post(WRONG_INGEST, envelope(), NEIGHBOUR)).statusCode).toBe(404);
    // One IPv6 /64 is one client: its other addresses share its allowance.
    for (let i = 0; i < PER_MINUTE; i += 1) await h.post(WRONG_INGEST, envelope(), `2001:db8:1:2::${i + 1}`);
    expect((await h.post(WRONG_INGEST, envelope(), '2001:db8:1:2:ffff::9')).statusCode).toBe(429);
    expect((await h.post(WRONG_INGEST, envelope(), '2001:db8:1:3::1')).statusCode).toBe(404);
  });

  it('keeps the exact refusals with the limit off (BRIDGE_AUTH_FAILURES_PER_MINUTE=0)', async () => {
    const h = await setup({ limits: { authFailuresPerMinute: 0 } });
    for (let i = 0; i < 200; i += 1) expect((await h.post(WRONG_INGEST, envelope())).statusCode).toBe(404);
  });

  it('holds over real connections: a keep-alive flood and correct webhooks from one address', async () => {
    const h = await createHarness({ listen: true, limits: { authFailuresPerMinute: PER_MINUTE } });
    const send = (path: string, uploadId: string) =>
      fetch(`${h.origin}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope({ uploadId })),
      }).then(async (res) => ({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: await res.text(),
      }));
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        i % 15 === 0 ? send(INGEST_PATH, `up-${i}`) : send(WRONG_INGEST, `up-${i}`),
      ),
    );
    const correct = answers.filter((_, i) => i % 15 === 0);
    const wrong = answers.filter((_, i) => i % 15 !== 0);
    expect(correct.map((a) => a.status)).toEqual(Array(20).fill(200));
    // A slow machine may see the allowance refill (one every 12 s) while the flood is still going.
    const refilled = Math.floor(((performance.now() - started) * PER_MINUTE) / 60_000);
    const notFound = wrong.filter((a) => a.status === 404).length;
    expect(notFound).toBeGreaterThanOrEqual(PER_MINUTE);
    expect(notFound).toBeLessThanOrEqual(PER_MINUTE + refilled);
    expect(wrong.filter((a) => a.status === 429)).toHaveLength(wrong.length - notFound);
    expect(wrong.every((a) => a.status === 404 || Number(a.retryAfter) >= 1)).toBe(true);
    expect(h.store.events).toHaveLength(20);
  });
});
