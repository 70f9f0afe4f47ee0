import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Agent } from 'undici';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createStreampixelClient, type StreampixelClientOptions } from '../../src/streampixel/client.ts';
import { ReleaseError, StreampixelApiError } from '../../src/streampixel/errors.ts';
import { API_KEYS } from '../support/secrets.ts';

const API_KEY = API_KEYS.client;
const USER_ID = 'user-42';
const PROJECT_ID = 'proj-7';
const PRESIGNED_QUERY = 'X-Amz-Signature=SECRET';
const FILE_URL = `https://bucket.s3.amazonaws.com/builds/game.zip?${PRESIGNED_QUERY}`;

interface Recorded {
  method: string;
  url: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}
type Handler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

/** A tiny stand-in for Streampixel's API: records each request, then lets the test decide the answer. */
async function startFakeApi(handler: Handler, basePath = '/pixelStripeApi') {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // recorded as empty; the assertions on the body will fail
      }
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        body,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}${basePath}`, origin: `http://127.0.0.1:${port}`, requests };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function client(baseUrl: string, extra: Partial<StreampixelClientOptions> = {}) {
  const dispatcher = new Agent();
  onTestFinished(() => dispatcher.destroy());
  return createStreampixelClient({ baseUrl, apiKey: API_KEY, userId: USER_ID, dispatcher, ...extra });
}

const upload = (c: ReturnType<typeof client>) =>
  c.uploadFile({ projectId: PROJECT_ID, fileUrl: FILE_URL, autoRelease: false });
const distribute = (c: ReturnType<typeof client>) =>
  c.distributeFile({ projectId: PROJECT_ID, uploadId: 'up-1' });
const testWebhook = (c: ReturnType<typeof client>) => c.testWebhook({ projectId: PROJECT_ID });

/** Awaits a rejection and checks, for every failure, that no secret reached the error in any form. */
async function failure(promise: Promise<unknown>): Promise<ReleaseError> {
  const error = await promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReleaseError);
  const err = error as ReleaseError;
  for (const text of [err.message, JSON.stringify(err), String(err.stack), inspect(err, { depth: 10 })]) {
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(PRESIGNED_QUERY);
    expect(text).not.toContain('SECRET');
  }
  return err;
}

function expectUploadUncertain(error: ReleaseError) {
  expect(error.code).toBe('upload-uncertain');
  expect(error.message).toContain('second build');
  expect(error.message).toContain(`Check the Streampixel dashboard for a new build of project ${PROJECT_ID}`);
}

describe('success', () => {
  test('upload-file posts the credentials and build in the JSON body and returns the uploadId', async () => {
    const api = await startFakeApi((_req, res) =>
      json(res, 200, { message: 'File uploaded', uploadId: 'up-123' }),
    );
    await expect(upload(client(api.baseUrl))).resolves.toMatchObject({
      uploadId: 'up-123',
      message: 'File uploaded',
    });
    expect(api.requests).toEqual([
      {
        method: 'POST',
        url: '/pixelStripeApi/projects/upload-file',
        contentType: 'application/json',
        body: {
          apiKey: API_KEY,
          userId: USER_ID,
          projectId: PROJECT_ID,
          fileUrl: FILE_URL,
          autoRelease: false,
        },
      },
    ]);
  });

  test('a base URL with a trailing slash resolves to the same endpoint', async () => {
    const api = await startFakeApi((_req, res) => json(res, 200, { uploadId: 'up-1' }));
    await upload(client(`${api.baseUrl}/`));
    expect(api.requests[0]?.url).toBe('/pixelStripeApi/projects/upload-file');
  });

  test('a base URL without a path posts to /projects/…', async () => {
    const api = await startFakeApi((_req, res) => json(res, 200, { uploadId: 'up-1' }), '');
    await client(api.baseUrl).uploadFile({ projectId: PROJECT_ID, fileUrl: FILE_URL, autoRelease: true });
    expect(api.requests[0]).toMatchObject({ url: '/projects/upload-file', body: { autoRelease: true } });
  });

  test.each([
    ['newer docs', { message: 'Distribution started' }],
    ['older docs', { success: true, uploadId: 'up-1', region: 'eu-west' }],
    ['an empty object', {}],
  ])('distribute-file accepts the %s body', async (_name, body) => {
    const api = await startFakeApi((_req, res) => json(res, 200, body));
    await expect(distribute(client(api.baseUrl))).resolves.toEqual(body);
    expect(api.requests[0]).toMatchObject({
      url: '/pixelStripeApi/projects/distribute-file',
      body: { apiKey: API_KEY, userId: USER_ID, projectId: PROJECT_ID, uploadId: 'up-1' },
    });
  });

  test('test-webhook returns what the webhook endpoint answered', async () => {
    const api = await startFakeApi((_req, res) =>
      json(res, 200, { success: true, message: 'Webhook sent', statusCode: 200 }),
    );
    await expect(testWebhook(client(api.baseUrl))).resolves.toEqual({
      success: true,
      message: 'Webhook sent',
      statusCode: 200,
    });
    expect(api.requests[0]).toMatchObject({
      url: '/pixelStripeApi/projects/test-webhook',
      body: { apiKey: API_KEY, userId: USER_ID, projectId: PROJECT_ID },
    });
  });
});

describe('error statuses', () => {
  test('401 names the inputs to check and keeps the server message', async () => {
    const api = await startFakeApi((_req, res) =>
      json(res, 401, { message: 'Unauthorized: Invalid API Key' }),
    );
    const error = await failure(upload(client(api.baseUrl)));
    expect(error).toBeInstanceOf(StreampixelApiError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, endpoint: 'upload-file' });
    expect(error.message).toBe(
      '401 from Streampixel: check api-key and user-id (Unauthorized: Invalid API Key)',
    );
  });

  test('403 says the project must belong to the user', async () => {
    const api = await startFakeApi((_req, res) => json(res, 403, { message: 'Forbidden' }));
    const error = await failure(distribute(client(api.baseUrl)));
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain(`project-id ${PROJECT_ID} belongs to user-id ${USER_ID}`);
  });

  test('404 on distribute-file names upload-id and project-id', async () => {
    const api = await startFakeApi((_req, res) => json(res, 404, { message: 'Upload not found' }));
    const error = await failure(distribute(client(api.baseUrl)));
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/check upload-id and project-id/);
    expect(error.message).toContain('up-1');
  });

  test('404 on test-webhook says no webhook URL is configured in the dashboard', async () => {
    const api = await startFakeApi((_req, res) => json(res, 404, { message: 'Webhook URL not configured' }));
    const error = await failure(testWebhook(client(api.baseUrl)));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain(`no webhook URL is configured for project ${PROJECT_ID}`);
    expect(error.message).toContain('Streampixel dashboard');
  });

  test('400 is bad-request with the server message', async () => {
    const api = await startFakeApi((_req, res) => json(res, 400, { message: 'File URL not available yet' }));
    const error = await failure(distribute(client(api.baseUrl)));
    expect(error).toMatchObject({
      code: 'bad-request',
      status: 400,
      serverMessage: 'File URL not available yet',
    });
    expect(error.message).toContain('File URL not available yet');
  });

  test('a server message that echoes the api key or presigned URL is redacted', async () => {
    const api = await startFakeApi((_req, res, body) =>
      json(res, 400, { message: `Cannot download ${String(body.fileUrl)} with key ${String(body.apiKey)}` }),
    );
    const error = await failure(upload(client(api.baseUrl)));
    expect(error.code).toBe('bad-request');
    expect(error.message).toContain('Cannot download *** with key ***');
  });

  test('an HTML error page is not echoed', async () => {
    const api = await startFakeApi((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    });
    const error = await failure(distribute(client(api.baseUrl)));
    expect(error).toMatchObject({ code: 'server-error', status: 502 });
    expect(error.message).not.toContain('<html>');
  });

  test('500 on distribute-file is server-error', async () => {
    const api = await startFakeApi((_req, res) => json(res, 500, { message: 'Internal error' }));
    const error = await failure(distribute(client(api.baseUrl)));
    expect(error).toMatchObject({ code: 'server-error', status: 500 });
  });
});

describe('429', () => {
  const NOW = Date.parse('2025-06-01T12:00:00Z');
  test.each([
    ['Retry-After seconds', { 'retry-after': '17' }, 'Rate limit exceeded. Try again in 2 minutes.', 17_000],
    [
      'Retry-After HTTP-date',
      { 'retry-after': new Date(NOW + 42_000).toUTCString() },
      'Rate limit exceeded.',
      42_000,
    ],
    ['the minutes in the message', {}, 'Rate limit exceeded. Try again in 3 minutes.', 180_000],
    ['nothing', {}, 'Rate limit exceeded.', 120_000],
  ])('waits for %s', async (_name, headers, message, expected) => {
    const api = await startFakeApi((_req, res) => json(res, 429, { message }, headers));
    const error = await failure(upload(client(api.baseUrl, { now: () => NOW })));
    expect(error).toBeInstanceOf(StreampixelApiError);
    expect(error).toMatchObject({ code: 'rate-limited', status: 429, retryAfterMs: expected });
    expect(error.message).toContain(`${expected / 1000} s`);
  });

  test('a 429 with no body at all still waits two minutes', async () => {
    const api = await startFakeApi((_req, res) => {
      res.writeHead(429);
      res.end();
    });
    const error = await failure(distribute(client(api.baseUrl)));
    expect(error).toMatchObject({ code: 'rate-limited', retryAfterMs: 120_000 });
  });
});

describe('upload safety: a request that may have reached Streampixel is never reported as retryable', () => {
  test('500 on upload-file', async () => {
    const api = await startFakeApi((_req, res) => json(res, 500, { message: 'Internal Server Error' }));
    const error = await failure(upload(client(api.baseUrl)));
    expectUploadUncertain(error);
    expect(error).toMatchObject({ status: 500 });
    expect(error.message).toContain('Internal Server Error');
  });

  test('the server reads the request, then drops the connection', async () => {
    const api = await startFakeApi((req) => req.socket.destroy());
    const error = await failure(upload(client(api.baseUrl)));
    expectUploadUncertain(error);
    expect(api.requests).toHaveLength(1);
  });

  test('the server never answers (upload)', async () => {
    const api = await startFakeApi(() => {});
    const error = await failure(upload(client(api.baseUrl, { timeoutMs: 150 })));
    expectUploadUncertain(error);
    expect(error.message).toContain('did not answer upload-file within 150 ms (timeout)');
  });

  test('a 200 without an uploadId', async () => {
    const api = await startFakeApi((_req, res) => json(res, 200, { message: 'ok' }));
    const error = await failure(upload(client(api.baseUrl)));
    expectUploadUncertain(error);
  });

  test('a 200 that is not JSON', async () => {
    const api = await startFakeApi((_req, res) => json(res, 200, 'Accepted'));
    expectUploadUncertain(await failure(upload(client(api.baseUrl))));
  });

  test('a 200 body over 1 MiB', async () => {
    const api = await startFakeApi((_req, res) =>
      json(res, 200, { uploadId: 'up-1', padding: 'x'.repeat(1024 * 1024 + 10) }),
    );
    expectUploadUncertain(await failure(upload(client(api.baseUrl))));
  });

  test('connection refused is a network error: the request was never sent', async () => {
    const origin = await closedOrigin();
    const error = await failure(upload(client(`${origin}/pixelStripeApi`)));
    expect(error.code).toBe('network');
    expect(error.message).toContain(`Could not reach Streampixel at ${origin} (ECONNREFUSED)`);
  });
});

describe('other endpoints: network failures', () => {
  test('the server never answers distribute-file: network, naming the timeout', async () => {
    const api = await startFakeApi(() => {});
    const error = await failure(distribute(client(api.baseUrl, { timeoutMs: 150 })));
    expect(error.code).toBe('network');
    expect(error.message).toBe(
      `Streampixel at ${api.origin} did not answer distribute-file within 150 ms (timeout)`,
    );
  });

  test('a dropped connection on test-webhook is network', async () => {
    const api = await startFakeApi((req) => req.socket.destroy());
    const error = await failure(testWebhook(client(api.baseUrl)));
    expect(error.code).toBe('network');
    expect(error.message).toContain(api.origin);
  });

  test('connection refused on distribute-file', async () => {
    const origin = await closedOrigin();
    const error = await failure(distribute(client(origin)));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/^Could not reach Streampixel at http:\/\/127\.0\.0\.1:\d+/);
  });
});

describe('invalid 2xx bodies', () => {
  test.each([
    ['distribute-file', '"ok"', distribute],
    ['distribute-file', '[1, 2]', distribute],
    ['distribute-file', '<html>', distribute],
    ['test-webhook', { success: true, message: 'sent' }, testWebhook],
  ] as const)('%s answering %j is invalid-response', async (_endpoint, body, call) => {
    const api = await startFakeApi((_req, res) => json(res, 200, body));
    const error = await failure(call(client(api.baseUrl)));
    expect(error.code).toBe('invalid-response');
    expect(error.message.length).toBeLessThan(200);
  });
});

test('an invalid base URL is refused at creation without echoing it', () => {
  expect(() => createStreampixelClient({ baseUrl: 'not a url', apiKey: API_KEY, userId: USER_ID })).toThrow(
    expect.objectContaining({ code: 'invalid-inputs' }),
  );
  expect(() =>
    createStreampixelClient({ baseUrl: 'ftp://x.example', apiKey: API_KEY, userId: USER_ID }),
  ).toThrow(/http\(s\)/);
});

/** An origin on which nothing listens: bind a port, then release it. */
async function closedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('issue 6: an upload answer that could inject workflow commands', () => {
  test.each([
    ['a newline', 'up-1\n::set-output name=outcome::approved'],
    ['a carriage return', 'up-1\r::error::x'],
    ['a lone surrogate', 'up-\ud800'],
  ])('an uploadId with %s is refused, and the error says a build may exist', async (_, uploadId) => {
    const api = await startFakeApi((_req, res) => json(res, 200, { uploadId }));
    const error = await failure(upload(client(api.baseUrl)));
    expect(error).toMatchObject({ code: 'upload-uncertain' });
    expect(error.message).toMatch(/not the documented response\. The request may have reached Streampixel/);
    expect(error.message).not.toContain('::');
  });
});
