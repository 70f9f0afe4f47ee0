import { connect } from 'node:net';

// Raw HTTP/1.1 over a socket, for what fetch and node:http hide: the exact bytes of an answer (a HEAD must
// carry no body), and clients that send their request slowly.

export interface RawAnswer {
  /** Everything the server sent, as latin1. */
  text: string;
  status: number | undefined;
  headers: Record<string, string>;
  /** What followed the blank line after the headers. */
  body: string;
  /**
   * From just before connecting to the server closing the connection: the server's own clock for it starts
   * later, so a cut can never look earlier than it was, whatever the event loop's delays.
   */
  elapsedMs: number;
}

function answerOf(text: string, elapsedMs: number): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  return {
    text,
    status: status === undefined ? undefined : Number(status),
    headers,
    body: end === -1 ? '' : text.slice(end + 4),
    elapsedMs,
  };
}

/**
 * Sends `parts` one every `intervalMs` (all at once with 0) and collects what comes back until the server
 * closes the connection. Rejects when the server has not closed it after `giveUpMs`.
 */
export function rawExchange(
  origin: string,
  parts: ReadonlyArray<string | Buffer>,
  options: { intervalMs?: number; giveUpMs: number },
): Promise<RawAnswer> {
  const { port, hostname } = new URL(origin);
  return new Promise((resolve, reject) => {
    const opened = performance.now();
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let next = 0;
    let drip: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      finish();
      socket.destroy();
      reject(new Error(`the server still held the connection after ${options.giveUpMs} ms`));
    }, options.giveUpMs);
    const finish = () => {
      clearTimeout(giveUp);
      clearInterval(drip);
    };
    const sendNext = () => {
      if (next >= parts.length || socket.destroyed) return clearInterval(drip);
      socket.write(parts[next] as string | Buffer);
      next += 1;
    };
    socket.on('connect', () => {
      if (!options.intervalMs) {
        for (const part of parts) socket.write(part);
        next = parts.length;
      } else {
        sendNext();
        drip = setInterval(sendNext, options.intervalMs);
      }
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A write after the server closed may fail; the close that follows settles the exchange.
    socket.on('error', () => {});
    socket.on('close', () => {
      finish();
      resolve(answerOf(Buffer.concat(chunks).toString('latin1'), performance.now() - opened));
    });
  });
}

/** `text` split into pieces of `size` characters, to send slowly. */
export function piecesOf(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}
