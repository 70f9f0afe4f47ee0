import { connect } from 'node:net';

// A deliberately dumb HTTP client over a plain socket: it writes whatever bytes it is given (malformed
// request lines, lying Content-Length, bad chunk framing, a body cut short) and reports the status line the
// server answered with, if any. Node's own clients refuse to send most of what the fuzz needs.

export interface RawExchange {
  /** undefined when the server closed without answering (allowed: it may drop a broken request). */
  status?: number;
  headers: Record<string, string>;
  body: Buffer;
  /** 'answered': a complete response (or the head of a streamed one); 'closed': the connection ended first. */
  outcome: 'answered' | 'closed' | 'timeout';
  elapsedMs: number;
}

export interface RawSendOptions {
  /** Written in this order, each in its own write (so framing is split across TCP segments). */
  parts: Buffer[];
  /** Half-close after the last part, so a server waiting for more bytes sees the end instead of hanging. */
  end: boolean;
  /** A hang: the whole exchange must be over by then. */
  timeoutMs: number;
  /**
   * A HEAD request: its answer has no body, so nothing in it says where it ends. The request asks for
   * `Connection: close`, so the server closes once the answer is over: only that close completes it (a HEAD
   * answered with a streaming head that never ends is a hang).
   */
  head?: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export function sendRaw(port: number, options: RawSendOptions): Promise<RawExchange> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: RawExchange['outcome']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(received), outcome, elapsedMs: performance.now() - startedAt });
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish(isComplete(received) ? 'answered' : 'closed'));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!options.head && isComplete(received)) finish('answered');
    });
    socket.once('connect', async () => {
      for (const part of options.parts) {
        if (socket.destroyed) return;
        // Wait for each write to flush so the parts really arrive apart.
        await new Promise<void>((done) => socket.write(part, () => done()));
      }
      if (options.end && !socket.destroyed) socket.end();
    });
  });
}

function parseResponse(bytes: Buffer): Omit<RawExchange, 'outcome' | 'elapsedMs'> {
  bytes = skipInterim(bytes);
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) return { headers: {}, body: Buffer.alloc(0) };
  const [statusLine = '', ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: match ? Number(match[1]) : undefined, headers, body: bytes.subarray(headEnd + 4) };
}

/**
 * The head has arrived and, with a Content-Length, the whole body. A chunked or unframed answer (an event
 * stream, which never ends) counts as answered at its head: the status is what the fuzz checks.
 */
function isComplete(bytes: Buffer): boolean {
  bytes = skipInterim(bytes);
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) return false;
  const { status, headers } = parseResponse(bytes);
  const length = headers['content-length'];
  if (length === undefined || status === 204 || status === 304) return true;
  return bytes.length - (headEnd + 4) >= Number(length);
}

/** Drops 1xx heads (100 Continue after an Expect header): the final answer follows them. */
function skipInterim(bytes: Buffer): Buffer {
  while (/^HTTP\/1\.[01] 1\d\d/.test(bytes.subarray(0, 12).toString('latin1'))) {
    const headEnd = bytes.indexOf(HEAD_END);
    if (headEnd < 0) return Buffer.alloc(0);
    bytes = bytes.subarray(headEnd + 4);
  }
  return bytes;
}
