import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { StreampixelEndpoint } from '../streampixel/errors.ts';
import {
  DistributeRequestSchema,
  RATE_LIMIT_MESSAGE,
  TestWebhookRequestSchema,
  UploadRequestSchema,
} from '../streampixel/schemas.ts';
import type { FailureInjector } from './api-failures.ts';
import type { Pipeline } from './pipeline.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { readBody } from '../lib/read-body.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import type { SendOutcome } from './webhook-sender.ts';
import type { ApiCall, SimulatorProject } from './types.ts';

/** Streampixel's bodies are a few hundred bytes; this only stops a runaway client. */
const MAX_BODY_BYTES = 1024 * 1024;

const ROUTES: Record<string, StreampixelEndpoint> = {
  '/projects/upload-file': 'upload-file',
  '/projects/distribute-file': 'distribute-file',
  '/projects/test-webhook': 'test-webhook',
};

const SCHEMAS = {
  'upload-file': UploadRequestSchema,
  'distribute-file': DistributeRequestSchema,
  'test-webhook': TestWebhookRequestSchema,
} as const;

/** Streampixel limits these two per user, each on its own. */
const RATE_LIMITED = new Set<StreampixelEndpoint>(['upload-file', 'distribute-file']);

const INJECTED_MESSAGE: Record<number, string> = {
  500: 'Internal server error',
  503: 'Service unavailable',
  429: RATE_LIMIT_MESSAGE,
};

export interface ApiDeps {
  users: ReadonlyMap<string, string>;
  projects: ReadonlyMap<string, SimulatorProject>;
  failures(): FailureInjector;
  rateLimiter: RateLimiter;
  pipeline: Pipeline;
  /** POSTs a webhook.test event to `url` and reports what the endpoint answered. */
  testWebhook(url: string): Promise<SendOutcome>;
  record(call: ApiCall): void;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const message = (status: number, text: string): Reply => ({ status, body: { message: text } });

/** The request listener of the simulated API. Every request is answered and recorded; none can crash it. */
export function createApiHandler(deps: ApiDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    void handle(deps, request, response);
  };
}

async function handle(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://simulator').pathname;
  const endpoint = request.method === 'POST' ? (ROUTES[path] ?? null) : null;
  let body: unknown;
  let reply: Reply;
  try {
    const read = await readBody(request, MAX_BODY_BYTES);
    if (read.ok) {
      body = parseJsonSafely(read.body.toString('utf8'));
      reply = endpoint ? await route(deps, endpoint, body) : message(404, `Cannot ${request.method} ${path}`);
    } else {
      reply = { ...message(413, 'Request body too large'), headers: { connection: 'close' } };
    }
  } catch {
    reply = message(500, 'Internal server error');
  }
  deps.record({
    method: request.method ?? '',
    path,
    endpoint,
    status: reply.status,
    body: redact(body),
    response: reply.body,
    at: Date.now(),
  });
  if (response.headersSent || response.destroyed) return;
  response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
  response.end(JSON.stringify(reply.body));
}

/** Checks in Streampixel's order: injected outage, body, user, key, project, rate limit, then the work. */
async function route(deps: ApiDeps, endpoint: StreampixelEndpoint, body: unknown): Promise<Reply> {
  const failure = deps.failures().take(endpoint);
  if (failure) {
    const headers: Record<string, string> =
      failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
    return { ...message(failure.status, INJECTED_MESSAGE[failure.status] ?? 'Error'), headers };
  }
  if (body === undefined) return message(400, 'Request body must be JSON');
  const parsed = SCHEMAS[endpoint].safeParse(body);
  if (!parsed.success) return message(400, `Invalid request: ${describeIssues(parsed.error)}`);
  const { userId, apiKey, projectId } = parsed.data;

  const expectedKey = deps.users.get(userId);
  if (expectedKey === undefined) return message(401, 'Unauthorized: Invalid User');
  if (expectedKey !== apiKey) return message(401, 'Unauthorized: Invalid API Key');
  const project = deps.projects.get(projectId);
  if (!project) return message(404, 'Project not found');
  if (project.userId !== userId) return message(403, 'Forbidden: this project belongs to another user');

  const limitKey = `${userId}\n${endpoint}`;
  if (RATE_LIMITED.has(endpoint) && deps.rateLimiter.isLimited(limitKey))
    return message(429, RATE_LIMIT_MESSAGE);

  switch (endpoint) {
    case 'upload-file': {
      const data = parsed.data as z.infer<typeof UploadRequestSchema>;
      const { build, uploaded } = deps.pipeline.start({
        projectId,
        userId,
        fileUrl: data.fileUrl,
        autoRelease: data.autoRelease ?? true,
      });
      // Consumed on acceptance, before any wait, so a second upload racing this one is refused.
      deps.rateLimiter.record(limitKey);
      await uploaded;
      return { status: 200, body: { message: 'File uploaded successfully', uploadId: build.uploadId } };
    }
    case 'distribute-file': {
      const { uploadId } = parsed.data as z.infer<typeof DistributeRequestSchema>;
      const build = deps.pipeline.builds.get(uploadId);
      if (!build || build.projectId !== projectId) return message(404, `Upload ${uploadId} not found`);
      const result = deps.pipeline.distribute(uploadId);
      if (result === 'not-processed') {
        return message(400, `Build ${uploadId} has no URL yet: it has not finished processing`);
      }
      if (result === 'rejected')
        return message(400, `Build ${uploadId} was rejected and cannot be distributed`);
      deps.rateLimiter.record(limitKey);
      return message(200, 'File distribution started successfully');
    }
    case 'test-webhook': {
      if (!project.webhookUrl) return message(404, 'No webhook URL configured for this project');
      const outcome = await deps.testWebhook(project.webhookUrl);
      const success = outcome.status >= 200 && outcome.status < 300;
      const text = success
        ? 'Test webhook sent successfully'
        : outcome.status === 0
          ? `Webhook endpoint unreachable (${outcome.error ?? 'no answer'})`
          : `Webhook endpoint answered ${outcome.status}`;
      return { status: 200, body: { success, message: text, statusCode: outcome.status } };
    }
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

/** Calls are kept and logged: the API key must never be among them. */
/** The call as recorded and logged: no API key, and a presigned file URL without its query string. */
function redact(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const redacted: Record<string, unknown> = { ...body };
  if ('apiKey' in redacted) redacted['apiKey'] = '***';
  const { fileUrl } = redacted;
  if (typeof fileUrl === 'string' && fileUrl.includes('?'))
    redacted['fileUrl'] = `${fileUrl.split('?', 1)[0]}?…`;
  return redacted;
}
