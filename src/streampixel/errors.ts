import { CodedError } from '../lib/coded-error.ts';

// Typed errors thrown deep and caught once in src/action/main.ts. `code` is stable: tests and callers
// branch on it, never on message text. Messages say what happened and what to do, and never hold secrets.

export const ERROR_CODE = {
  invalidInputs: 'invalid-inputs',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not-found',
  badRequest: 'bad-request',
  rateLimited: 'rate-limited',
  serverError: 'server-error',
  network: 'network',
  invalidResponse: 'invalid-response',
  uploadUncertain: 'upload-uncertain',
  receiver: 'receiver',
  bridge: 'bridge',
} as const;
export type ErrorCode = (typeof ERROR_CODE)[keyof typeof ERROR_CODE];

export class ReleaseError extends CodedError<ErrorCode> {
  override name = 'ReleaseError';
}

export type StreampixelEndpoint = 'upload-file' | 'distribute-file' | 'test-webhook';

/** Streampixel answered with an error status. */
export class StreampixelApiError extends ReleaseError {
  readonly status: number;
  readonly endpoint: StreampixelEndpoint;
  /** Streampixel's own `message`, when the body had one. */
  readonly serverMessage: string | undefined;
  /** For 429: how long to wait before the next attempt. */
  readonly retryAfterMs: number | undefined;
  constructor(args: {
    code: ErrorCode;
    message: string;
    status: number;
    endpoint: StreampixelEndpoint;
    serverMessage?: string | undefined;
    retryAfterMs?: number | undefined;
  }) {
    super(args.code, args.message);
    this.name = 'StreampixelApiError';
    this.status = args.status;
    this.endpoint = args.endpoint;
    this.serverMessage = args.serverMessage;
    this.retryAfterMs = args.retryAfterMs;
  }
}

export const isRateLimited = (error: unknown): error is StreampixelApiError =>
  error instanceof StreampixelApiError && error.code === ERROR_CODE.rateLimited;
