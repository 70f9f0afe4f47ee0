import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { expect, onTestFinished, test } from 'vitest';
import { startReceiver, type ReceiverOptions } from '../../src/release/receiver.ts';
import type { ReceivedWebhook } from '../../src/wait/types.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { ReleaseError } from '../../src/streampixel/errors.ts';
import { RECEIVER_PATHS } from '../support/secrets.ts';

const SECRET_PATH = RECEIVER_PATHS.receiver;
const NOW = Date.parse('2025-06-01T12:00:05Z');
const ENVELOPE = {
  event: 'build.uploaded',
  projectId: 'proj-7',
  uploadId: 'up-1',
  fileUrl: null,
  status: 'pending',
  timestamp: '2025-06-01T12:00:00.000Z',
};

async function start(overrides: Partial<ReceiverOptions> = {}) {
  const received: ReceivedWebhook[] = [];
  const logger = createMemoryLogger();
  const receiver = await startReceiver({
    port: 0,
    host: '127.0.0.1',
    path: SECRET_PATH,
    onWebhook: (webhook) => received.push(webhook),
    logger,
    now: () => NOW,
    ...overrides,
  });
  onTestFinished(() => receiver.close());
  const agent = new Agent();
  onTestFinished(() => agent.destroy());
  const origin = `http://127.0.0.1:${receiver.port}`;
  const send = async (
    path: string,
    body?: string | Buffer | Readable,
    method: 'POST' | 'GET' | 'PUT' | 'HEAD' = 'POST',
  ) => {
    const res = await request(`${origin}${path}`, {
      method,
      body,
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      headers: res.headers,
      text,
      json: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };
  return { receiver, received, logger, send, origin };
}

test('a valid envelope is answered 200 and handed to onWebhook before the answer', async () => {
  const { receiver, received, send } = await start();
  expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}${SECRET_PATH}`);
  const res = await send(SECRET_PATH, JSON.stringify(ENVELOPE));
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ ok: true });
  expect(received).toEqual([
    {
      receivedAt: NOW,
      event: {
        provider: 'streampixel',
        subject: ENVELOPE.uploadId,
        type: ENVELOPE.event,
        phase: 'progress',
        status: ENVELOPE.status,
        occurredAt: ENVELOPE.timestamp,
        dedupeKey: JSON.stringify([
          'streampixel',
          ENVELOPE.projectId,
          ENVELOPE.uploadId,
          ENVELOPE.event,
          ENVELOPE.timestamp,
        ]),
        scope: ENVELOPE.projectId,
        detail: null,
        links: {},
      },
    },
  ]);
});

test('the query string is ignored when matching the path', async () => {
  const { received, send } = await start();
  expect((await send(`${SECRET_PATH}?source=streampixel`, JSON.stringify(ENVELOPE))).status).toBe(200);
  expect(received).toHaveLength(1);
});

test('bad requests are refused with the right status, and the receiver keeps serving after each', async () => {
  const { received, send, logger } = await start();
  const valid = JSON.stringify(ENVELOPE);
  const cases: Array<[string, () => ReturnType<typeof send>, number, unknown]> = [
    ['wrong path', () => send('/hooks/guess', valid), 404, { error: 'not found' }],
    ['wrong path, GET', () => send('/', undefined, 'GET'), 404, { error: 'not found' }],
    ['path prefix', () => send(`${SECRET_PATH}/x`, valid), 404, { error: 'not found' }],
    ['GET on the path', () => send(SECRET_PATH, undefined, 'GET'), 405, { error: 'method not allowed' }],
    ['PUT on the path', () => send(SECRET_PATH, valid, 'PUT'), 405, { error: 'method not allowed' }],
    [
      'malformed JSON',
      () => send(SECRET_PATH, '{"event": '),
      400,
      expect.objectContaining({ error: 'not-json' }),
    ],
    ['empty body', () => send(SECRET_PATH, ''), 400, expect.objectContaining({ error: 'not-json' })],
    [
      'JSON that is not an envelope',
      () => send(SECRET_PATH, JSON.stringify({ hello: 'world' })),
      400,
      expect.objectContaining({ error: 'invalid-envelope' }),
    ],
    [
      'an array',
      () => send(SECRET_PATH, '[1,2,3]'),
      400,
      expect.objectContaining({ error: 'invalid-envelope' }),
    ],
    [
      'over 64 KiB with a Content-Length',
      () => send(SECRET_PATH, JSON.stringify({ ...ENVELOPE, padding: 'x'.repeat(70 * 1024) })),
      413,
      expect.objectContaining({ error: 'too-large' }),
    ],
    [
      'over 64 KiB, chunked',
      () => send(SECRET_PATH, Readable.from([Buffer.alloc(40 * 1024, 0x20), Buffer.alloc(40 * 1024, 0x20)])),
      413,
      expect.objectContaining({ error: 'too-large' }),
    ],
  ];
  for (const [name, call, status, body] of cases) {
    const res = await call();
    expect({ name, status: res.status, body: res.json }).toEqual({ name, status, body });
    if (status === 405) expect(res.headers.allow).toBe('POST');
    // Still serving: the next valid webhook goes through.
    expect((await send(SECRET_PATH, valid)).status, `after ${name}`).toBe(200);
  }
  expect(received).toHaveLength(cases.length);
  // The path holds a secret: no log line may carry it.
  expect(logger.lines.join('\n')).not.toContain('s3cr3t');
});

test('an oversized body is refused without being buffered, even far past the drain limit', async () => {
  const { send } = await start();
  const huge = Readable.from(
    (function* () {
      for (let i = 0; i < 64; i += 1) yield Buffer.alloc(64 * 1024, 0x20); // 4 MiB
    })(),
  );
  // The client may see the 413 or a reset, depending on when the connection closes: both are fine.
  const outcome = await send(SECRET_PATH, huge).then(
    (res) => res.status,
    () => 'reset',
  );
  expect([413, 'reset']).toContain(outcome);
  expect((await send(SECRET_PATH, JSON.stringify(ENVELOPE))).status).toBe(200);
});

test('onWebhook throwing is answered 500 and the receiver keeps serving', async () => {
  let calls = 0;
  const { send, logger } = await start({
    onWebhook: () => {
      calls += 1;
      if (calls === 1) throw new Error('state machine exploded');
    },
  });
  const first = await send(SECRET_PATH, JSON.stringify(ENVELOPE));
  expect(first.status).toBe(500);
  expect(logger.lines.some((line) => line.includes('state machine exploded'))).toBe(true);
  expect((await send(SECRET_PATH, JSON.stringify(ENVELOPE))).status).toBe(200);
  expect(calls).toBe(2);
});

test('a client that aborts mid-body does not crash the receiver', async () => {
  const { receiver, send, received } = await start();
  const socket = connect(receiver.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.end(`POST ${SECRET_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"event":`);
  socket.destroy();
  await closed;
  expect((await send(SECRET_PATH, JSON.stringify(ENVELOPE))).status).toBe(200);
  expect(received).toHaveLength(1);
});

test('close() resolves promptly with an idle keep-alive connection and a stalled request open', async () => {
  const { receiver, send } = await start();
  // The agent keeps this connection open and idle after the answer.
  expect((await send(SECRET_PATH, JSON.stringify(ENVELOPE))).status).toBe(200);
  // A request whose body never finishes: server.close() alone would wait for it.
  const stalled = connect(receiver.port, '127.0.0.1');
  await new Promise<void>((resolve) => stalled.once('connect', resolve));
  stalled.on('error', () => {});
  const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
  stalled.write(`POST ${SECRET_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{`);

  const started = performance.now();
  await receiver.close();
  expect(performance.now() - started).toBeLessThan(1000);
  await stalledClosed;
  await receiver.close(); // idempotent
  await expect(send(SECRET_PATH, JSON.stringify(ENVELOPE))).rejects.toThrow();
});

test('a port already in use is a receiver error naming the port', async () => {
  const { receiver } = await start();
  const error = await startReceiver({
    port: receiver.port,
    host: '127.0.0.1',
    path: SECRET_PATH,
    onWebhook: () => {},
  }).then(
    () => expect.fail('expected startReceiver to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReleaseError);
  expect(error).toMatchObject({ code: 'receiver' });
  expect((error as Error).message).toContain(`127.0.0.1:${receiver.port}: the port is already in use`);
  expect((error as Error).message).not.toContain('s3cr3t');
});

test('an invalid port is a receiver error', async () => {
  await expect(startReceiver({ port: 70_000, path: SECRET_PATH, onWebhook: () => {} })).rejects.toMatchObject(
    {
      code: 'receiver',
    },
  );
});
