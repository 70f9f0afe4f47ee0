import { describe, expect, it } from 'vitest';
import { AUTH, createHarness, envelope, INGEST_PATH, metric, rawGet } from '../unit/bridge/harness.ts';
import { piecesOf, rawExchange } from '../unit/bridge/raw-socket.ts';

// DESIGN §4: slow headers and slow bodies are cut at the configured times. Node looks for expired requests
// only every connectionsCheckingInterval (30 s by default), so a 30 s request timeout used to hold 30-60 s;
// the bridge now checks often enough to cut within a fraction of the limit. The bounds are generous on
// purpose: the cut must not come early, and must come long before the old 30-60 s, on a busy machine too.

const HEADERS_TIMEOUT_MS = 600;
const REQUEST_TIMEOUT_MS = 1_200;
/** Whatever the machine's load: still far below the 30 s Node's default check interval alone added. */
const SLACK_MS = 10_000;

const limits = { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS };

/** The client's clock starts before it connects, so before the server's: a cut can only look later. */
function expectCutBetween(elapsedMs: number, timeoutMs: number) {
  process.stdout.write(`[bridge-limits] cut after ${Math.round(elapsedMs)} ms (limit ${timeoutMs} ms)\n`);
  expect(elapsedMs).toBeGreaterThanOrEqual(timeoutMs);
  expect(elapsedMs).toBeLessThan(timeoutMs + SLACK_MS);
}

describe('slow clients', () => {
  it('cuts a connection that sends nothing at the headers timeout, with 408', async () => {
    const h = await createHarness({ listen: true, limits });
    const answer = await rawExchange(h.origin, [], { giveUpMs: HEADERS_TIMEOUT_MS + SLACK_MS });
    expectCutBetween(answer.elapsedMs, HEADERS_TIMEOUT_MS);
    expect(answer.status).toBe(408);
  });

  it('cuts headers that trickle in at the headers timeout, however steady the trickle', async () => {
    const h = await createHarness({ listen: true, limits });
    const headers = `GET /healthz HTTP/1.1\r\nHost: bridge.test\r\nX-Padding: ${'a'.repeat(2_000)}`;
    const answer = await rawExchange(h.origin, piecesOf(headers, 2), {
      intervalMs: 50,
      giveUpMs: HEADERS_TIMEOUT_MS + SLACK_MS,
    });
    expectCutBetween(answer.elapsedMs, HEADERS_TIMEOUT_MS);
    expect(answer.status).toBe(408);
  });

  it('cuts a webhook body that trickles in at the request timeout, and stores nothing', async () => {
    const h = await createHarness({ listen: true, limits });
    const body = JSON.stringify(envelope({ padding: ' '.repeat(2_000) }));
    const head =
      `POST ${INGEST_PATH} HTTP/1.1\r\nHost: bridge.test\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`;
    const answer = await rawExchange(h.origin, [head, ...piecesOf(body, 2)], {
      intervalMs: 50,
      giveUpMs: REQUEST_TIMEOUT_MS + SLACK_MS,
    });
    expectCutBetween(answer.elapsedMs, REQUEST_TIMEOUT_MS);
    expect(answer.status).toBe(408);
    expect(h.store.events).toHaveLength(0);
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metric(text, 'bridge_requests_rejected_total{reason="slow_request"}')).toBe(1);
  });

  it('still takes a webhook sent in pieces that arrives in time', async () => {
    const h = await createHarness({ listen: true, limits });
    const body = JSON.stringify(envelope());
    const head =
      `POST ${INGEST_PATH} HTTP/1.1\r\nHost: bridge.test\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const answer = await rawExchange(h.origin, [head, ...piecesOf(body, Math.ceil(body.length / 3))], {
      intervalMs: 20,
      giveUpMs: SLACK_MS,
    });
    expect(answer.status).toBe(200);
    expect(h.store.events).toHaveLength(1);
  });

  it('never cuts a long-poll held past the request timeout: the limit is on receiving, not answering', async () => {
    const h = await createHarness({ listen: true, limits });
    const started = performance.now();
    const poll = rawGet(`${h.origin}/v1/events?subject=up-1&wait=${(3 * REQUEST_TIMEOUT_MS) / 1000}`, AUTH);
    const answer = await poll.response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ events: [], cursor: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * REQUEST_TIMEOUT_MS - 50);
  });
});
