import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

export type ReadBodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' };

/** A request stream; `headers` (an IncomingMessage's) lets a declared Content-Length be refused unread. */
export type BodySource = Readable & { headers?: IncomingHttpHeaders };

/**
 * Reads a request body of at most `limit` bytes. Past the limit it stops buffering at once, pauses the
 * stream and answers `too-large`, leaving the rest unread: the caller decides whether to drain or close.
 * Rejects when the stream fails or the client goes away before the end.
 */
export function readBody(req: BodySource, limit: number): Promise<ReadBodyResult> {
  const declared = Number(req.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.resolve({ ok: false, reason: 'too-large' });

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    function onData(chunk: Buffer | string) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        cleanup();
        req.pause();
        chunks.length = 0;
        resolve({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(buffer);
    }
    function onEnd() {
      cleanup();
      resolve({ ok: true, body: Buffer.concat(chunks, size) });
    }
    function onError(error: Error) {
      cleanup();
      reject(error);
    }
    function onClose() {
      // 'close' after 'end' is normal; before it, the client aborted.
      if (req.readableEnded) return;
      cleanup();
      reject(new Error('request aborted before the body ended'));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
