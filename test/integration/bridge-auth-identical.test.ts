import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startBuiltBridge } from '../support/built-bridge.ts';
import { BRIDGE_TOKENS } from '../support/secrets.ts';

// DESIGN §4 / issue 6: missing and wrong read tokens get byte-identical 401s, so a prober learns nothing
// about which it sent. Checked over a real socket against the built bridge, every byte of the answer
// compared except the Date header (status line, every other header, content-type, content-length, body).

/**
 * One raw HTTP/1.1 exchange; resolves with the bytes the bridge sent until it closed (or, for an answer
 * that streams, once the head has arrived).
 */
function exchange(
  url: string,
  path: string,
  headerLines: string[],
  until: 'end' | 'head' = 'end',
): Promise<Buffer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (until === 'head' && Buffer.concat(chunks).includes('\r\n\r\n')) {
        socket.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no complete answer to GET ${path}`)));
    socket.write(
      [`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...headerLines, '', ''].join(
        '\r\n',
      ),
    );
  });
}

/** The answer without its Date header line, the one part that may differ. */
const withoutDate = (raw: Buffer): string =>
  raw
    .toString('latin1')
    .split('\r\n')
    .filter((line) => !/^date:/i.test(line))
    .join('\r\n');

const ROUTES = [
  '/v1/events?provider=streampixel&subject=up-1',
  '/v1/events?provider=streampixel&subject=up-1&after=latest',
  '/v1/events?provider=streampixel&subject=up-1&wait=30',
  '/v1/events/stream?provider=streampixel&subject=up-1',
];

const { read, ingest, wrongRead } = BRIDGE_TOKENS;
const REFUSED: Array<[string, string[]]> = [
  ['no Authorization header', []],
  ['an empty Authorization header', ['Authorization: ']],
  ['a wrong token of another length', [`Authorization: Bearer ${wrongRead}`]],
  ['a wrong token of the same length', [`Authorization: Bearer ${'x'.repeat(read.length)}`]],
  ['the token with one character changed', [`Authorization: Bearer ${read.slice(0, -1)}g`]],
  ['the ingest token', [`Authorization: Bearer ${ingest}`]],
  ['the token under another scheme', [`Authorization: Basic ${read}`]],
  ['the token as a query parameter only', []],
];

describe('the built bridge answers every refused read with the same bytes', () => {
  it.each(ROUTES)('GET %s', async (route) => {
    const bridge = await startBuiltBridge(onTestFinished);
    const answers: Array<{ name: string; raw: Buffer }> = [];
    for (const [name, headers] of REFUSED) {
      const path = name.includes('query') ? `${route}&token=${encodeURIComponent(read)}` : route;
      answers.push({ name, raw: await exchange(bridge.url, path, headers) });
    }

    const first = withoutDate(answers[0]!.raw);
    const [head, body] = first.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(head).toMatch(/\r\ncontent-type: application\/json; charset=utf-8(\r\n|$)/i);
    expect(head).toMatch(/\r\nwww-authenticate: Bearer realm="release-bridge"(\r\n|$)/i);
    expect(body).toBe('{"error":"unauthorized"}');
    expect(head).toMatch(new RegExp(`\\r\\ncontent-length: ${Buffer.byteLength(body!)}(\\r\\n|$)`, 'i'));
    for (const { name, raw } of answers) expect(withoutDate(raw), name).toBe(first);

    // The same request with the right token is let through: the refusals above are about the token alone.
    const allowed = await exchange(
      bridge.url,
      route.replace('wait=30', 'wait=0'),
      [`Authorization: Bearer ${read}`],
      'head',
    );
    expect(allowed.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
