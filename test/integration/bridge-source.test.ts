import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createBridgeSource, MIN_POLL_INTERVAL_MS } from '../../src/release/bridge-source.ts';
import type { EventSink } from '../../src/release/orchestrate.ts';
import { createScaledClock } from '../../src/lib/clock.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import type { ReceivedWebhook } from '../../src/wait/types.ts';
import { listenForTest } from '../support/listen.ts';

// The action's bridge client against hand-made servers that misbehave the way a proxy or a wrong URL does.

async function startFakeBridge(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handle);
  await listenForTest(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The source on a fast clock (1 s of the action's time is 1 real ms), with nothing else set. */
const openFastSource = (url: string, sink: EventSink) =>
  createBridgeSource({
    bridgeUrl: url,
    token: 't',
    clock: createScaledClock(0.001),
    logger: createMemoryLogger(),
  })(sink);

function recordingSink() {
  const delivered: ReceivedWebhook[] = [];
  const health: Array<string | null> = [];
  const failures: unknown[] = [];
  const sink: EventSink = {
    deliver: (webhook) => void delivered.push(webhook),
    fail: (error) => void failures.push(error),
    health: (problem) => void health.push(problem),
  };
  return { sink, delivered, health, failures };
}

describe('bridge source', () => {
  it('polls a bridge that answers empty long-polls at once no more than once a second', async () => {
    let requests = 0;
    const url = await startFakeBridge((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"events":[],"cursor":0}');
    });
    // 1 s of the action's time lasts 20 real ms, so a tight loop would show as hundreds of requests.
    const clock = createScaledClock(0.02);
    const open = createBridgeSource({ bridgeUrl: url, token: 't', clock, logger: createMemoryLogger() });
    const source = await open(recordingSink().sink);
    const started = clock.now();
    await source.follow('up-1', 'start');
    await clock.sleep(30_000);
    await source.close();
    const seconds = (clock.now() - started) / MIN_POLL_INTERVAL_MS;
    expect(requests).toBeGreaterThan(5);
    expect(requests).toBeLessThanOrEqual(seconds + 2);
  });

  it('reports a bridge that accepts the connection and never answers, then recovers', async () => {
    let answering = false;
    const url = await startFakeBridge((_req, res) => {
      if (answering)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"events":[],"cursor":0}');
    });
    const clock = createScaledClock(0.02);
    const { sink, health } = recordingSink();
    const source = await createBridgeSource({
      bridgeUrl: url,
      token: 't',
      clock,
      logger: createMemoryLogger(),
      pollWaitSeconds: 1,
    })(sink);
    await source.follow('up-1', 'start');
    // headersTimeout is real time (16 s for a 1 s poll): wait for the report rather than guess.
    await waitUntil(() => health.length > 0, 30_000);
    expect(health[0]).toMatch(
      /^the release bridge at http:\/\/127\.0\.0\.1:\d+ accepted the connection but never answered since/,
    );
    answering = true;
    await waitUntil(() => health.at(-1) === null, 30_000);
    await source.close();
  }, 60_000);

  it('pre-flight fails at once on a 401 and names the token', async () => {
    const url = await startFakeBridge((_req, res) => res.writeHead(401).end('{"error":"unauthorized"}'));
    const source = await createBridgeSource({
      bridgeUrl: url,
      token: 't',
      clock: createScaledClock(0.001),
      logger: createMemoryLogger(),
    })(recordingSink().sink);
    await expect(source.preflight()).rejects.toThrow(/^401 from the release bridge: check bridge-token/);
    await source.close();
  });

  it('pre-flight retries a bridge that answers 503 for a while, then passes', async () => {
    let calls = 0;
    const url = await startFakeBridge((_req, res) => {
      calls += 1;
      if (calls < 3) res.writeHead(503).end('{"error":"store unavailable"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"events":[],"cursor":7}');
    });
    const { sink, health } = recordingSink();
    const source = await openFastSource(url, sink);
    await source.preflight();
    expect(calls).toBe(3);
    expect(health.at(-1)).toBeNull();
    await source.close();
  });

  it("waits out the bridge's Retry-After on a 429 before asking again", async () => {
    const clock = createScaledClock(0.001);
    const asked: number[] = [];
    const url = await startFakeBridge((_req, res) => {
      asked.push(clock.now());
      if (asked.length === 1) res.writeHead(429, { 'retry-after': '20' }).end('{"error":"too many"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"events":[],"cursor":0}');
    });
    const source = await createBridgeSource({
      bridgeUrl: url,
      token: 't',
      clock,
      logger: createMemoryLogger(),
    })(recordingSink().sink);
    await source.preflight();
    expect(asked).toHaveLength(2);
    expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(20_000);
    await source.close();
  });

  it("reads a page holding a payload nested deeper than today's intake allows (an older bridge stored it)", async () => {
    const view = (cursor: number, type: string, phase: string, payload: unknown) => ({
      cursor,
      provider: 'streampixel',
      subject: 'up-1',
      type,
      phase,
      status: null,
      occurredAt: null,
      dedupeKey: `key-${cursor}`,
      scope: 'proj-1',
      detail: null,
      links: {},
      receivedAt: '2026-12-01T12:00:00.000Z',
      payload,
    });
    const deep = `${'['.repeat(2_000)}${']'.repeat(2_000)}`;
    const page = JSON.stringify({
      events: [view(1, 'build.uploaded', 'progress', 'DEEP'), view(2, 'build.approved', 'success', {})],
      cursor: 2,
    }).replace('"DEEP"', deep);
    const url = await startFakeBridge((req, res) => {
      const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(after === '0' ? page : '{"events":[],"cursor":2}');
    });
    const { sink, delivered, failures } = recordingSink();
    const source = await openFastSource(url, sink);
    await source.follow('up-1', 'start');
    await waitUntil(() => delivered.length === 2 || failures.length > 0, 10_000);
    await source.close();
    expect(failures).toEqual([]);
    expect(delivered.map((webhook) => webhook.event.type)).toEqual(['build.uploaded', 'build.approved']);
  });

  it('never puts a bridge answer in an error unescaped', async () => {
    const url = await startFakeBridge((_req, res) => res.writeHead(418).end('teapot\n::error::injected'));
    const source = await createBridgeSource({
      bridgeUrl: url,
      token: 't',
      clock: createScaledClock(0.001),
      logger: createMemoryLogger(),
    })(recordingSink().sink);
    const error = await source.preflight().catch((e: unknown) => e);
    expect((error as Error).message).toBe('the release bridge answered 418: teapot\\n::error::injected');
    await source.close();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
