import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../lib/read-body.ts';
import { createTokenCheck } from '../lib/token-check.ts';
import { silentLogger, type Logger } from '../lib/logger.ts';
import { ERROR_CODE, ReleaseError } from '../streampixel/errors.ts';
import type { ReceivedWebhook } from '../wait/types.ts';
import { displayText } from '../webhooks/display-text.ts';
import { intakeFor, MAX_WEBHOOK_BYTES, type Intake } from '../webhooks/intake.ts';
import { streampixel } from '../webhooks/providers/streampixel.ts';

export interface ReceiverOptions {
  port: number;
  /** Default 0.0.0.0: the runner is reached from outside through its public address or a tunnel. */
  host?: string;
  /** The only path accepted; it holds a secret, so it is never logged. */
  path: string;
  /** Called synchronously for each valid event, before the sender gets its answer. */
  onWebhook(webhook: ReceivedWebhook): void;
  /** The provider whose webhooks are expected, with its secrets bound. Default: Streampixel (unsigned). */
  intake?: Intake;
  logger?: Logger;
  now?: () => number;
}

export interface Receiver {
  /** http://127.0.0.1:<port><path>, for tests and local senders. Holds the secret path: do not log it. */
  url: string;
  port: number;
  /** Stops listening and drops open connections, keep-alive ones included. */
  close(): Promise<void>;
}

// Streampixel waits 10 s for an answer; a request still arriving after that is not Streampixel.
const REQUEST_TIMEOUT_MS = 10_000;
// After a 413, discard (never buffer) up to this much more so the client can read the answer before the
// connection closes; closing on unread bytes makes the kernel reset it and the client sees only ECONNRESET.
const DRAIN_LIMIT_BYTES = 1024 * 1024;
const MAX_ERROR_MESSAGE_CHARS = 300;

/**
 * Opens the short-lived webhook receiver (DESIGN §3.4) and resolves once it listens, so the upload can be
 * sent only after `build.uploaded` has somewhere to land.
 *
 * Statuses: a wrong path is 404 whatever the method, so a scanner learns nothing about which path is live.
 * The right path with another method is 405: only someone who already holds the secret path can see it,
 * and it tells them plainly that the webhook must be a POST.
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const host = options.host ?? '0.0.0.0';
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  if (!options.path.startsWith('/')) {
    throw new ReleaseError(ERROR_CODE.invalidInputs, 'receiver-path must start with "/"');
  }
  const isOurPath = createTokenCheck(options.path);
  const intake = options.intake ?? intakeFor(streampixel, null);
  const counts = { accepted: 0, refused: 0 };

  const refuse = (
    res: ServerResponse,
    status: number,
    reason: string,
    body: object,
    headers?: OutgoingHttpHeaders,
  ) => {
    counts.refused += 1;
    logger.debug(`receiver: answered ${status} (${reason})`);
    reply(res, status, body, headers);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Match on the raw path, query string ignored. Hashing both sides makes the compare constant-time.
    const target = (req.url ?? '').split('?', 1)[0] ?? '';
    if (!isOurPath(target)) {
      return refuse(res, 404, 'unknown path', { error: 'not found' });
    }
    if (req.method !== 'POST') {
      return refuse(
        res,
        405,
        `method ${req.method ?? '?'}`,
        { error: 'method not allowed' },
        { allow: 'POST' },
      );
    }

    const read = await readBody(req, MAX_WEBHOOK_BYTES);
    if (!read.ok) {
      counts.refused += 1;
      logger.warn(`receiver: refused a body over ${MAX_WEBHOOK_BYTES} bytes (413)`);
      return refuseTooLarge(req, res);
    }
    const result = intake({ body: read.body, headers: req.headers }, now());
    if (result.kind === 'probe') {
      logger.debug('receiver: answered an endpoint check (200, nothing delivered)');
      return reply(res, 200, { ok: true });
    }
    if (result.kind === 'refused') {
      counts.refused += 1;
      const why = result.signature ?? result.reason;
      logger.warn(`receiver: refused a webhook (${result.status}, ${why})`);
      // Why a signature failed stays in the log: the sender learns only that it did.
      const body =
        result.status === 401
          ? { error: 'bad-signature' }
          : { error: result.reason, message: truncate(result.message) };
      return reply(res, result.status, body);
    }
    const { event } = result;
    try {
      options.onWebhook({ event, receivedAt: now() });
    } catch (error) {
      // A 2xx says "handled". This event may now be lost to the job, so say so: the 500 shows up in
      // Streampixel's delivery log and in test-webhook's statusCode. Streampixel never retries, so answering
      // 500 changes nothing else; the server itself keeps running.
      counts.refused += 1;
      logger.error(`receiver: handling a ${displayText(event.type)} webhook failed: ${describe(error)}`);
      return reply(res, 500, { error: 'internal error' });
    }
    counts.accepted += 1;
    logger.debug(
      `receiver: accepted ${displayText(event.type)} for ${displayText(event.subject || '(no subject)')}`,
    );
    reply(res, 200, { ok: true });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Client aborts while sending land here; nothing to answer to.
      logger.debug(`receiver: dropped a request (${describe(error)})`);
      if (!res.headersSent && !res.destroyed) reply(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, options.port));
    server.once('error', onError);
    try {
      server.listen({ port: options.port, host }, () => {
        server.off('error', onError);
        resolve();
      });
    } catch (error) {
      // A port outside 0–65535 throws synchronously.
      server.off('error', onError);
      reject(listenError(error as NodeJS.ErrnoException, host, options.port));
    }
  });
  server.on('error', (error) => logger.error(`receiver: server error: ${describe(error)}`));

  const port = (server.address() as AddressInfo).port;
  logger.info(`Webhook receiver listening on ${host}:${port}`);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}${options.path}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        logger.info(`Webhook receiver closed: ${counts.accepted} accepted, ${counts.refused} refused`);
      })),
  };
}

function reply(res: ServerResponse, status: number, body: object, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** 413, then close. Discards the rest of a moderately oversized body first so the answer is not lost. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  const body = { error: 'too-large', message: `the body limit is ${MAX_WEBHOOK_BYTES} bytes` };
  const answer = () => reply(res, 413, body, { connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (req.readableEnded || declared > MAX_WEBHOOK_BYTES + DRAIN_LIMIT_BYTES) {
    answer();
    return;
  }
  let drained = 0;
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained <= DRAIN_LIMIT_BYTES) return;
    cleanup();
    req.pause();
    answer();
  };
  const onEnd = () => {
    cleanup();
    answer();
  };
  const cleanup = () => {
    req.off('data', onData);
    req.off('end', onEnd);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  // An abort mid-drain: the server destroys the socket itself; this only keeps the error handled.
  req.on('error', () => {});
  req.resume();
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): ReleaseError {
  const where = `${host}:${port}`;
  const message =
    error.code === 'EADDRINUSE'
      ? `The webhook receiver cannot listen on ${where}: the port is already in use. Choose another ` +
        `receiver-port or stop the process that holds it.`
      : error.code === 'EACCES'
        ? `The webhook receiver is not allowed to listen on ${where} (ports below 1024 need elevated rights). ` +
          `Choose a receiver-port of 1024 or more.`
        : error.code === 'EADDRNOTAVAIL'
          ? `The webhook receiver cannot listen on ${where}: the address is not on this machine.`
          : error.code === 'ERR_SOCKET_BAD_PORT'
            ? `receiver-port must be an integer from 0 to 65535, not ${port}.`
            : `The webhook receiver could not listen on ${where}: ${error.code ?? error.message}.`;
  return new ReleaseError(ERROR_CODE.receiver, message, { cause: error });
}

const urlHost = (host: string): string =>
  host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

const truncate = (text: string): string =>
  text.length > MAX_ERROR_MESSAGE_CHARS ? `${text.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : text;

const describe = (error: unknown): string =>
  error instanceof Error
    ? `${error.name}: ${error.message}`
    : typeof error === 'string'
      ? error
      : 'unknown error';
