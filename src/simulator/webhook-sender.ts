import { request, type Dispatcher } from 'undici';

export interface SendOutcome {
  /** What the endpoint answered; 0 when it was unreachable, too slow, or the simulator closed. */
  status: number;
  error?: string;
  durationMs: number;
}

/**
 * One POST of a JSON body with a hard timeout, and no retry here (Streampixel never retries; the other
 * providers' senders decide on their own). Never throws: a broken endpoint is an outcome to record, not a
 * failure of the simulator.
 */
export async function sendWebhook(
  url: string,
  body: string,
  options: {
    timeoutMs: number;
    signal: AbortSignal;
    dispatcher: Dispatcher;
    headers?: Record<string, string>;
    userAgent?: string;
  },
): Promise<SendOutcome> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([timeout, options.signal]);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': options.userAgent ?? 'streampixel-simulator',
        ...options.headers,
      },
      body,
      signal,
      dispatcher: options.dispatcher,
    });
    // Drain so the connection can be reused; the answer's body means nothing to Streampixel.
    await response.body.dump({ limit: 128 * 1024, signal });
    return { status: response.statusCode, durationMs: elapsed() };
  } catch (error) {
    if (timeout.aborted)
      return { status: 0, error: `timed out after ${options.timeoutMs} ms`, durationMs: elapsed() };
    if (options.signal.aborted)
      return { status: 0, error: 'aborted: simulator closed', durationMs: elapsed() };
    return { status: 0, error: describe(error), durationMs: elapsed() };
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return typeof code === 'string' ? `${code}: ${error.message}${cause}` : `${error.message}${cause}`;
  }
  return String(error);
}
