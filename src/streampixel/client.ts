import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { ERROR_CODE, ReleaseError, StreampixelApiError, type StreampixelEndpoint } from './errors.ts';
import { fileUrlSecrets } from '../lib/url-secrets.ts';
import { parseJsonSafely } from '../webhooks/safe-json.ts';
import { readCapped } from '../lib/read-capped.ts';
import { parseRetryAfterMs } from './retry-after.ts';
import {
  DistributeResponseSchema,
  ErrorBodySchema,
  TestWebhookResponseSchema,
  UploadResponseSchema,
  type DistributeResponse,
  type TestWebhookResponse,
  type UploadResponse,
} from './schemas.ts';

export interface StreampixelClientOptions {
  /** e.g. https://api.streampixel.io/pixelStripeApi; a trailing slash and a path are fine. */
  baseUrl: string;
  apiKey: string;
  userId: string;
  /** undici's global dispatcher when absent. */
  dispatcher?: Dispatcher;
  /** Per request, from sending to the last byte of the answer. Default 30 s. */
  timeoutMs?: number;
  /** Aborts every request in flight, e.g. once the step has ended and nothing waits for an answer. */
  signal?: AbortSignal;
  /** For an HTTP-date Retry-After. */
  now?: () => number;
}

export interface StreampixelClient {
  uploadFile(req: { projectId: string; fileUrl: string; autoRelease: boolean }): Promise<UploadResponse>;
  distributeFile(req: { projectId: string; uploadId: string }): Promise<DistributeResponse>;
  testWebhook(req: { projectId: string }): Promise<TestWebhookResponse>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Streampixel's answers are tiny JSON objects; anything this large is not one of them. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_SERVER_MESSAGE_CHARS = 300;

// Failures that happen before a single byte of the request leaves the machine: the request cannot have
// reached Streampixel, so even an upload is safe to try again. Everything else is treated as "maybe sent".
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NODATA',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type Transport =
  | { ok: true; status: number; retryAfter: string | undefined; text: string; truncated: boolean }
  | { ok: false; kind: 'not-sent' | 'maybe-sent' | 'timeout'; code: string; cause: unknown };

export function createStreampixelClient(options: StreampixelClientOptions): StreampixelClient {
  const base = parseBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const { apiKey, userId, dispatcher } = options;

  // A server that echoes the request, or a message quoting a presigned URL, must not carry secrets into
  // an error: every string that comes from the server passes through `redact` with the call's secrets.
  const redactor =
    (extra: string[] = []) =>
    (text: string): string =>
      [apiKey, ...extra]
        .filter((secret) => secret.length > 0)
        .sort((a, b) => b.length - a.length)
        .reduce((acc, secret) => acc.split(secret).join('***'), text);

  async function send(endpoint: StreampixelEndpoint, payload: Record<string, unknown>): Promise<Transport> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    try {
      const response = await request(new URL(`projects/${endpoint}`, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ apiKey, userId, ...payload }),
        dispatcher,
        signal: options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const { buffer, truncated } = await readCapped(response.body, MAX_RESPONSE_BYTES);
      const retryAfter = response.headers['retry-after'];
      return {
        ok: true,
        status: response.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        text: buffer.toString('utf8'),
        truncated,
      };
    } catch (error) {
      const codes = errorCodes(error);
      const code =
        codes.find((c) => NOT_SENT_CODES.has(c) || TIMEOUT_CODES.has(c)) ?? codes[0] ?? 'unknown error';
      if (timedOut || TIMEOUT_CODES.has(code))
        return { ok: false, kind: 'timeout', code: 'timeout', cause: error };
      return { ok: false, kind: NOT_SENT_CODES.has(code) ? 'not-sent' : 'maybe-sent', code, cause: error };
    } finally {
      clearTimeout(timer);
    }
  }

  function describeTransport(
    endpoint: StreampixelEndpoint,
    failure: Extract<Transport, { ok: false }>,
  ): string {
    switch (failure.kind) {
      case 'timeout':
        return `Streampixel at ${base.origin} did not answer ${endpoint} within ${formatSeconds(timeoutMs)} (timeout)`;
      case 'not-sent':
        return `could not reach Streampixel at ${base.origin} (${failure.code}); check api-base-url and the runner's network`;
      case 'maybe-sent':
        return `the connection to Streampixel at ${base.origin} broke during ${endpoint} (${failure.code})`;
    }
  }

  /** The one message for "a build may exist now": never retry it blindly (DESIGN §3.4). */
  const uncertain = (projectId: string, what: string): string =>
    `Upload outcome unknown: ${what}. The request may have reached Streampixel and created a build; ` +
    `a retry could create a second build, so the action does not retry. Check the Streampixel dashboard for a ` +
    `new build of project ${projectId} before re-running this job.`;

  function httpError(
    endpoint: StreampixelEndpoint,
    status: number,
    res: Extract<Transport, { ok: true }>,
    ids: { projectId: string; uploadId?: string },
    redact: (text: string) => string,
  ): StreampixelApiError {
    const serverMessage = extractServerMessage(res.text, redact);
    const suffix = serverMessage ? ` (${serverMessage})` : '';
    const base = { status, endpoint, serverMessage };
    if (status === 401) {
      return new StreampixelApiError({
        ...base,
        code: ERROR_CODE.unauthorized,
        message: `401 from Streampixel: check api-key and user-id${suffix}`,
      });
    }
    if (status === 403) {
      return new StreampixelApiError({
        ...base,
        code: ERROR_CODE.forbidden,
        message: `403 from Streampixel: check that project-id ${ids.projectId} belongs to user-id ${userId}${suffix}`,
      });
    }
    if (status === 404) {
      const message =
        endpoint === 'test-webhook'
          ? `404 from Streampixel: no webhook URL is configured for project ${ids.projectId}; set one in the ` +
            `project's settings in the Streampixel dashboard${suffix}`
          : endpoint === 'distribute-file'
            ? `404 from Streampixel: no build ${ids.uploadId ?? ''} in project ${ids.projectId}; check upload-id ` +
              `and project-id${suffix}`
            : `404 from Streampixel: project ${ids.projectId} was not found; check project-id and api-base-url${suffix}`;
      return new StreampixelApiError({ ...base, code: ERROR_CODE.notFound, message });
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfterMs(res.retryAfter, serverMessage, now());
      return new StreampixelApiError({
        ...base,
        code: ERROR_CODE.rateLimited,
        retryAfterMs,
        message:
          `429 from Streampixel on ${endpoint}: rate limited (one request per 2 minutes per user); ` +
          `try again in ${formatSeconds(retryAfterMs)}${suffix}`,
      });
    }
    if (status >= 400 && status < 500) {
      return new StreampixelApiError({
        ...base,
        code: ERROR_CODE.badRequest,
        message: `${status} from Streampixel on ${endpoint}: ${serverMessage ?? 'request refused'}`,
      });
    }
    if (status >= 500) {
      return new StreampixelApiError({
        ...base,
        code: ERROR_CODE.serverError,
        message: `${status} from Streampixel on ${endpoint}: server error${suffix}; try again later`,
      });
    }
    return new StreampixelApiError({
      ...base,
      code: ERROR_CODE.invalidResponse,
      message: `unexpected HTTP ${status} from Streampixel on ${endpoint}; check api-base-url`,
    });
  }

  async function call<S extends z.ZodType>(
    endpoint: StreampixelEndpoint,
    payload: Record<string, unknown>,
    schema: S,
    ids: { projectId: string; uploadId?: string },
    secrets: string[] = [],
  ): Promise<z.infer<S>> {
    const isUpload = endpoint === 'upload-file';
    const res = await send(endpoint, payload);
    if (!res.ok) {
      const what = describeTransport(endpoint, res);
      if (isUpload && res.kind !== 'not-sent') {
        throw new ReleaseError(ERROR_CODE.uploadUncertain, uncertain(ids.projectId, what), {
          cause: res.cause,
        });
      }
      throw new ReleaseError(ERROR_CODE.network, capitalize(what), { cause: res.cause });
    }
    if (res.status >= 200 && res.status < 300) {
      const parsed = res.truncated ? undefined : parseJsonSafely(res.text || '{}');
      const result = parsed === undefined ? undefined : schema.safeParse(parsed);
      if (result?.success) return result.data;
      const what = `Streampixel answered ${res.status} to ${endpoint} with a body that is not the documented response`;
      throw new StreampixelApiError({
        status: res.status,
        endpoint,
        code: isUpload ? ERROR_CODE.uploadUncertain : ERROR_CODE.invalidResponse,
        message: isUpload ? uncertain(ids.projectId, what) : `${what}; check api-base-url`,
      });
    }
    const error = httpError(endpoint, res.status, res, ids, redactor(secrets));
    // A 4xx is Streampixel refusing the request: no build was created. Anything else might have one.
    if (isUpload && !(res.status >= 400 && res.status < 500)) {
      const suffix = error.serverMessage ? ` (${error.serverMessage})` : '';
      throw new StreampixelApiError({
        status: res.status,
        endpoint,
        serverMessage: error.serverMessage,
        code: ERROR_CODE.uploadUncertain,
        message: uncertain(ids.projectId, `Streampixel answered ${res.status}${suffix}`),
      });
    }
    throw error;
  }

  return {
    uploadFile: ({ projectId, fileUrl, autoRelease }) =>
      call(
        'upload-file',
        { projectId, fileUrl, autoRelease },
        UploadResponseSchema,
        { projectId },
        fileUrlSecrets(fileUrl),
      ),
    distributeFile: ({ projectId, uploadId }) =>
      call('distribute-file', { projectId, uploadId }, DistributeResponseSchema, { projectId, uploadId }),
    testWebhook: ({ projectId }) =>
      call('test-webhook', { projectId }, TestWebhookResponseSchema, { projectId }),
  };
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ReleaseError(ERROR_CODE.invalidInputs, 'api-base-url is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ReleaseError(ERROR_CODE.invalidInputs, `api-base-url must be http(s), not ${url.protocol}`);
  }
  // `new URL('projects/x', base)` resolves against the last path segment's directory: end with a slash so
  // https://api.streampixel.io/pixelStripeApi keeps its /pixelStripeApi.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** Codes of an error and of what it wraps (AggregateError from happy eyeballs, `cause`). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 3) return [];
  const codes: string[] = [];
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') codes.push(code);
  codes.push(...errorCodes(cause, depth + 1));
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner, depth + 1));
  return codes;
}

/** Streampixel's `{"message": ...}`, or a short plain-text body; never an HTML error page. */
function extractServerMessage(text: string, redact: (text: string) => string): string | undefined {
  const parsed = ErrorBodySchema.safeParse(parseJsonSafely(text));
  const raw = parsed.success ? parsed.data.message : text.trimStart().startsWith('<') ? '' : text;
  // Redact before truncating, so a cut can never leave half a secret behind.
  const message = redact(raw)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  if (!message) return undefined;
  return message.length > MAX_SERVER_MESSAGE_CHARS
    ? `${message.slice(0, MAX_SERVER_MESSAGE_CHARS)}…`
    : message;
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
