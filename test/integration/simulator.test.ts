import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  NOISE_EVENT,
  startSimulator,
  TEST_PROJECT_ID,
  TEST_UPLOAD_ID,
  type SimulatorOptions,
} from '../../src/simulator/index.ts';
import {
  EVENT_STATUS,
  PIPELINE_EVENTS,
  RATE_LIMIT_MESSAGE,
  RATE_LIMIT_WINDOW_MS,
  WebhookEnvelopeSchema,
  type WebhookEnvelope,
} from '../../src/streampixel/schemas.ts';

// Real loopback servers on both sides: the simulator's API and a webhook sink standing in for the bridge.
// Time is scaled so a realistic pipeline (minutes) runs in milliseconds; tests await signals, never sleep.

const USER = { userId: 'user-1', apiKey: 'key-1' };
const OTHER_USER = { userId: 'user-2', apiKey: 'key-2' };
const FILE_URL = 'https://builds.example.com/game.zip';
const FAST = 0.0001;

interface Received {
  envelope: WebhookEnvelope;
  raw: string;
  headers: IncomingHttpHeaders;
}

/** A webhook endpoint whose answer each test chooses (a status, or a promise that never settles: hang). */
async function startSink(answer: (envelope: WebhookEnvelope) => number | Promise<number> = () => 200) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const envelope = JSON.parse(raw) as WebhookEnvelope;
      received.push({ envelope, raw, headers: request.headers });
      void Promise.resolve(answer(envelope)).then((status) => response.writeHead(status).end());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/secret`,
    received,
    events: () => received.map((entry) => entry.envelope.event),
  };
}

async function simulate(
  options: Partial<SimulatorOptions> & { webhookUrl?: string; eventFilter?: string[] } = {},
) {
  const { webhookUrl, eventFilter, ...rest } = options;
  const simulator = await startSimulator({
    timeScale: FAST,
    users: [USER, OTHER_USER],
    projects: [
      {
        projectId: 'p1',
        userId: USER.userId,
        ...(webhookUrl ? { webhookUrl } : {}),
        ...(eventFilter ? { eventFilter } : {}),
      },
      { projectId: 'p2', userId: OTHER_USER.userId },
    ],
    ...rest,
  });
  onTestFinished(() => simulator.close());
  return simulator;
}

async function post(base: string, endpoint: string, body: unknown) {
  const response = await fetch(`${base}/projects/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const credentials = { apiKey: USER.apiKey, userId: USER.userId, projectId: 'p1' };
const upload = (base: string, extra: Record<string, unknown> = {}) =>
  post(base, 'upload-file', { ...credentials, fileUrl: FILE_URL, ...extra });
const distribute = (base: string, uploadId: unknown) =>
  post(base, 'distribute-file', { ...credentials, uploadId });

async function uploadId(base: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await upload(base, extra);
  expect(response.status).toBe(200);
  return response.body.uploadId as string;
}

describe('simulator pipeline', () => {
  it('fires every stage in order with Streampixel statuses, ending approved', async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url });

    const response = await upload(sim.url);
    expect(response).toMatchObject({ status: 200, body: { message: 'File uploaded successfully' } });
    const id = response.body.uploadId as string;
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual([...PIPELINE_EVENTS]);
    for (const { envelope, headers } of sink.received) {
      expect(WebhookEnvelopeSchema.safeParse(envelope).success).toBe(true);
      expect(headers['content-type']).toBe('application/json');
      expect(envelope).toMatchObject({
        projectId: 'p1',
        uploadId: id,
        fileUrl: FILE_URL,
        status: EVENT_STATUS[envelope.event as keyof typeof EVENT_STATUS],
        objection: null,
      });
    }
    const times = sink.received.map(({ envelope }) => Date.parse(envelope.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(sim.builds.get(id)).toMatchObject({
      state: 'approved',
      lastEvent: 'build.approved',
      autoRelease: true,
    });
    expect(
      sim.deliveries.every((delivery) => delivery.status === 200 && delivery.source === 'pipeline'),
    ).toBe(true);
  });

  it('with autoRelease false pauses after saving; Distribute before that is a 400, after it approves', async () => {
    const sink = await startSink();
    // Processing takes 300 real ms here, long enough to call Distribute while it runs.
    const sim = await simulate({ webhookUrl: sink.url, stageDelaysMs: { 'build.saving': 3_000_000 } });

    const id = await uploadId(sim.url, { autoRelease: false });
    const early = await distribute(sim.url, id);
    expect(early.status).toBe(400);
    expect(early.body.message).toMatch(/no URL yet/);

    await sim.waitFor('idle');
    expect(sink.events()).toEqual([
      'build.uploaded',
      'build.downloading',
      'build.extracting',
      'build.saving',
    ]);
    expect(sim.builds.get(id)?.state).toBe('processed');

    const response = await distribute(sim.url, id);
    expect(response).toMatchObject({ status: 200, body: { message: expect.any(String) } });
    await sim.waitFor('idle');
    expect(sink.events().slice(4)).toEqual(['build.distributing', 'build.approved']);
  });

  it('rejects at the chosen stage with the objection and fires nothing after it', async () => {
    const sink = await startSink();
    const sim = await simulate({
      webhookUrl: sink.url,
      scenario: { rejectAt: { event: 'build.extracting', objection: 'Malware found in Game.exe' } },
    });

    const id = await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual(['build.uploaded', 'build.downloading', 'build.rejected']);
    expect(sink.received[2]?.envelope).toMatchObject({
      status: 'Reject',
      objection: 'Malware found in Game.exe',
    });
    expect(sim.builds.get(id)?.state).toBe('rejected');
    const response = await distribute(sim.url, id);
    expect(response.status).toBe(400);
  });

  it('sends only the events ticked for the project, while the pipeline still advances', async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url, eventFilter: ['build.approved', 'build.rejected'] });

    const id = await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual(['build.approved']);
    expect(sim.builds.get(id)?.events.map((envelope) => envelope.event)).toEqual([...PIPELINE_EVENTS]);
  });

  it('duplicates chosen events with identical bodies', async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url, scenario: { duplicate: ['build.approved'] } });

    await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual([...PIPELINE_EVENTS, 'build.approved']);
    expect(sink.received[6]?.raw).toBe(sink.received[5]?.raw);
  });

  it("duplicates every event with 'all'", async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url, scenario: { duplicate: 'all' } });

    await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual(PIPELINE_EVENTS.flatMap((event) => [event, event]));
    for (let i = 0; i < sink.received.length; i += 2)
      expect(sink.received[i + 1]?.raw).toBe(sink.received[i]?.raw);
  });

  it('drops chosen events', async () => {
    const sink = await startSink();
    const sim = await simulate({
      webhookUrl: sink.url,
      scenario: { drop: ['build.extracting', 'build.distributing'] },
    });

    const id = await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual(['build.uploaded', 'build.downloading', 'build.saving', 'build.approved']);
    expect(sim.builds.get(id)?.events).toHaveLength(6);
  });

  it('reorders adjacent stages so they arrive out of order', async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url, scenario: { reorder: true } });

    await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual([
      'build.downloading',
      'build.uploaded',
      'build.saving',
      'build.extracting',
      'build.approved',
      'build.distributing',
    ]);
  });

  it('interleaves noise a consumer must ignore, keeping the real events in order', async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url, scenario: { extraEvents: 'noise' } });

    const id = await uploadId(sim.url);
    await sim.waitFor('idle');

    const ours = sink.received.filter(
      ({ envelope }) =>
        envelope.uploadId === id && envelope.projectId === 'p1' && envelope.event !== NOISE_EVENT,
    );
    expect(ours.map(({ envelope }) => envelope.event)).toEqual([...PIPELINE_EVENTS]);
    const noise = sink.received.filter((entry) => !ours.includes(entry)).map(({ envelope }) => envelope);
    expect(noise.some((envelope) => envelope.event === NOISE_EVENT && envelope.uploadId === id)).toBe(true);
    expect(noise.some((envelope) => envelope.event === 'webhook.test')).toBe(true);
    expect(noise.some((envelope) => envelope.projectId !== 'p1' && envelope.uploadId === id)).toBe(true);
    expect(
      noise.some(
        (envelope) =>
          envelope.event === 'build.rejected' && envelope.uploadId !== id && envelope.projectId === 'p1',
      ),
    ).toBe(true);
    expect(sim.deliveries.filter((delivery) => delivery.source === 'noise')).toHaveLength(noise.length);
  });

  it('can deliver build.uploaded before answering the upload call', async () => {
    const order: string[] = [];
    const sink = await startSink((envelope) => {
      order.push(envelope.event);
      return 200;
    });
    // build.uploaded normally fires 100 real ms after the upload: the answer comes first.
    const sim = await simulate({
      webhookUrl: sink.url,
      rateLimitWindowMs: 0,
      stageDelaysMs: { 'build.uploaded': 1_000_000 },
    });

    await upload(sim.url);
    order.push('response');
    expect(order[0]).toBe('response');
    await sim.waitFor('idle');

    order.length = 0;
    sim.setScenario({ uploadedBeforeResponse: true });
    const id = await uploadId(sim.url);
    order.push('response');
    expect(order.slice(0, 2)).toEqual(['build.uploaded', 'response']);
    expect(
      sim.deliveries.some((d) => d.envelope.uploadId === id && d.envelope.event === 'build.uploaded'),
    ).toBe(true);
  });

  it('re-fires distributing and approved with newer timestamps when an approved build is distributed again', async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url });

    const id = await uploadId(sim.url);
    const first = await sim.waitFor('delivery', (d) => d.envelope.event === 'build.approved');
    await sim.waitFor('idle');

    const response = await distribute(sim.url, id);
    expect(response.status).toBe(200);
    const second = await sim.waitFor(
      'delivery',
      (d) => d.envelope.event === 'build.approved' && d.envelope.timestamp !== first.envelope.timestamp,
    );
    expect(Date.parse(second.envelope.timestamp)).toBeGreaterThan(Date.parse(first.envelope.timestamp));
    await sim.waitFor('idle');
    expect(sink.events()).toEqual([...PIPELINE_EVENTS, 'build.distributing', 'build.approved']);
  });
  it('answers a Distribute of a build already distributing on its own without distributing it twice', async () => {
    const sink = await startSink();
    // 100 real ms between saving and distributing: the window for the extra call.
    const sim = await simulate({ webhookUrl: sink.url, stageDelaysMs: { 'build.distributing': 1_000_000 } });

    const id = await uploadId(sim.url);
    await sim.waitFor('delivery', (d) => d.envelope.event === 'build.saving');
    expect((await distribute(sim.url, id)).status).toBe(200);
    await sim.waitFor('idle');

    expect(sink.events()).toEqual([...PIPELINE_EVENTS]);
  });

  it('sends later events where setProject points them', async () => {
    const first = await startSink();
    const second = await startSink();
    const sim = await simulate({ webhookUrl: first.url, stageDelaysMs: { 'build.extracting': 1_000_000 } });
    sim.on('delivery', (d) => {
      if (d.envelope.event === 'build.downloading') {
        sim.setProject({
          projectId: 'p1',
          userId: USER.userId,
          webhookUrl: second.url,
          eventFilter: ['build.approved'],
        });
      }
    });

    await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(first.events()).toEqual(['build.uploaded', 'build.downloading']);
    expect(second.events()).toEqual(['build.approved']);
  });
});

describe('simulator API errors', () => {
  it('answers 401, 403, 404 and 400 like Streampixel, and records calls without the API key', async () => {
    const sim = await simulate();

    const badUser = await post(sim.url, 'upload-file', {
      ...credentials,
      userId: 'nobody',
      fileUrl: FILE_URL,
    });
    expect(badUser).toMatchObject({ status: 401, body: { message: 'Unauthorized: Invalid User' } });
    const badKey = await post(sim.url, 'upload-file', { ...credentials, apiKey: 'wrong', fileUrl: FILE_URL });
    expect(badKey).toMatchObject({ status: 401, body: { message: 'Unauthorized: Invalid API Key' } });
    const notOwned = await post(sim.url, 'upload-file', {
      ...credentials,
      projectId: 'p2',
      fileUrl: FILE_URL,
    });
    expect(notOwned.status).toBe(403);
    expect(notOwned.body.message).toEqual(expect.any(String));
    const noProject = await post(sim.url, 'upload-file', {
      ...credentials,
      projectId: 'nope',
      fileUrl: FILE_URL,
    });
    expect(noProject.status).toBe(404);
    const noUpload = await distribute(sim.url, 'ffffffffffffffffffffffff');
    expect(noUpload.status).toBe(404);
    const missing = await post(sim.url, 'upload-file', credentials);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/fileUrl/);
    const notJson = await post(sim.url, 'upload-file', '{"apiKey":');
    expect(notJson).toMatchObject({ status: 400, body: { message: expect.any(String) } });
    const unknownRoute = await post(sim.url, 'delete-file', credentials);
    expect(unknownRoute.status).toBe(404);
    const wrongMethod = await fetch(`${sim.url}/projects/upload-file`);
    expect(wrongMethod.status).toBe(404);

    expect(sim.calls.map((call) => call.status)).toEqual([401, 401, 403, 404, 404, 400, 400, 404, 404]);
    expect(JSON.stringify(sim.calls)).not.toContain(USER.apiKey);
    expect(sim.calls[1]?.body).toMatchObject({ apiKey: '***', userId: USER.userId });
  });

  it('rate-limits each endpoint per user for two minutes, without a Retry-After; refusals do not restart the window', async () => {
    let now = Date.parse('2025-06-01T12:00:00Z');
    const sim = await simulate({ clock: { now: () => now } });

    const refused = await post(sim.url, 'upload-file', {
      ...credentials,
      apiKey: 'wrong',
      fileUrl: FILE_URL,
    });
    expect(refused.status).toBe(401);
    const id = await uploadId(sim.url, { autoRelease: false }); // the 401 did not use the window
    const limited = await upload(sim.url);
    expect(limited).toMatchObject({ status: 429, body: { message: RATE_LIMIT_MESSAGE } });
    expect(limited.headers.get('retry-after')).toBeNull();

    // Another user, and another endpoint of the same user, have windows of their own.
    const other = await post(sim.url, 'upload-file', { ...OTHER_USER, projectId: 'p2', fileUrl: FILE_URL });
    expect(other.status).toBe(200);
    await sim.waitFor('idle'); // build paused after saving
    expect((await distribute(sim.url, id)).status).toBe(200);
    expect((await distribute(sim.url, id)).status).toBe(429);

    now += 60_000;
    expect((await upload(sim.url)).status).toBe(429);
    now += RATE_LIMIT_WINDOW_MS - 60_000 - 1;
    expect((await upload(sim.url)).status).toBe(429);
    now += 1;
    expect((await upload(sim.url)).status).toBe(200);
  });

  it('scales the rate-limit window with the time scale', async () => {
    const scale = 0.002; // the two-minute window lasts 240 real ms
    const windowMs = RATE_LIMIT_WINDOW_MS * scale;
    const sim = await simulate({ timeScale: scale });

    const sent = performance.now();
    await uploadId(sim.url);
    const accepted = performance.now(); // the window started between `sent` and now
    const limited = await upload(sim.url);
    // Only a machine stalled for the whole window could let the second call through.
    if (performance.now() - sent < windowMs) expect(limited.status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, accepted + windowMs + 5 - performance.now()));
    expect((await upload(sim.url)).status).toBe(200);
  });

  it('injects 5xx and 429 failures before auth, consuming them, with Retry-After when asked', async () => {
    const sim = await simulate({
      scenario: {
        apiFailures: [
          { endpoint: 'upload-file', status: 500 },
          { endpoint: 'upload-file', status: 429, retryAfterSeconds: 7 },
          { endpoint: 'distribute-file', status: 503, times: 2 },
        ],
      },
    });

    const failed = await post(sim.url, 'upload-file', { ...credentials, apiKey: 'wrong', fileUrl: FILE_URL });
    expect(failed).toMatchObject({ status: 500, body: { message: expect.any(String) } });
    const limited = await upload(sim.url);
    expect(limited).toMatchObject({ status: 429, body: { message: RATE_LIMIT_MESSAGE } });
    expect(limited.headers.get('retry-after')).toBe('7');
    const id = await uploadId(sim.url);
    expect((await distribute(sim.url, id)).status).toBe(503);
    expect((await distribute(sim.url, id)).status).toBe(503);
    expect((await distribute(sim.url, id)).status).not.toBe(503);
  });
});

describe('simulator test-webhook', () => {
  const testWebhook = (base: string) => post(base, 'test-webhook', credentials);

  it('POSTs webhook.test with placeholder ids and reports what the endpoint answered', async () => {
    const sink = await startSink();
    const sim = await simulate({ webhookUrl: sink.url });

    const response = await testWebhook(sim.url);
    expect(response).toMatchObject({ status: 200, body: { success: true, statusCode: 200 } });
    expect(sink.received.map(({ envelope }) => envelope)).toEqual([
      expect.objectContaining({
        event: 'webhook.test',
        status: 'test',
        projectId: TEST_PROJECT_ID,
        uploadId: TEST_UPLOAD_ID,
      }),
    ]);
  });

  it('reports a 500 from the endpoint', async () => {
    const sink = await startSink(() => 500);
    const sim = await simulate({ webhookUrl: sink.url });
    expect(await testWebhook(sim.url)).toMatchObject({
      status: 200,
      body: { success: false, statusCode: 500 },
    });
  });

  it('reports 0 for an unreachable endpoint', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const sim = await simulate({ webhookUrl: `http://127.0.0.1:${port}/` });

    const response = await testWebhook(sim.url);
    expect(response).toMatchObject({ status: 200, body: { success: false, statusCode: 0 } });
    expect(sim.deliveries[0]).toMatchObject({ status: 0, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('answers 404 when the project has no webhook URL', async () => {
    const sim = await simulate();
    const response = await testWebhook(sim.url);
    expect(response).toMatchObject({ status: 404, body: { message: expect.stringMatching(/webhook URL/) } });
  });
});

describe('simulator with a slow endpoint', () => {
  it('times a slow delivery out without retrying and goes on with the next events', async () => {
    const sink = await startSink((envelope) =>
      envelope.event === 'build.uploaded' ? new Promise(() => {}) : 200,
    );
    const sim = await simulate({ webhookUrl: sink.url, webhookTimeoutMs: 50 });

    const id = await uploadId(sim.url);
    await sim.waitFor('idle');

    expect(sim.deliveries.map((d) => [d.envelope.event, d.status])).toEqual([
      ['build.uploaded', 0],
      ...PIPELINE_EVENTS.slice(1).map((event) => [event, 200]),
    ]);
    expect(sim.deliveries[0]?.error).toMatch(/timed out after 50 ms/);
    expect(sink.events().filter((event) => event === 'build.uploaded')).toHaveLength(1);
    expect(sim.builds.get(id)?.state).toBe('approved');
  });

  it('closes at once, aborting a delivery in flight and cancelling the stages still to come', async () => {
    let reached!: () => void;
    const downloadingReached = new Promise<void>((resolve) => (reached = resolve));
    const sink = await startSink((envelope) => {
      if (envelope.event !== 'build.downloading') return 200;
      reached();
      return new Promise(() => {});
    });
    const sim = await simulate({ webhookUrl: sink.url });

    const id = await uploadId(sim.url);
    await downloadingReached;
    const started = performance.now();
    await sim.close();
    expect(performance.now() - started).toBeLessThan(1_000);

    const stuck = sim.deliveries.find((d) => d.envelope.event === 'build.downloading');
    expect(stuck).toMatchObject({ status: 0, error: expect.stringMatching(/aborted/) });
    const fired = sim.builds.get(id)?.events.length ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sim.builds.get(id)?.events.length).toBe(fired);
    expect(sink.events()).not.toContain('build.approved');
  });
});
