import fc from 'fast-check';

// Raw bytes that are HTTP only in part, for the servers' own parsers: broken request lines, header lines
// without a colon or with bare CR / LF, obsolete folding, conflicting or absurd framing headers, oversized
// heads, bad chunk sizes, pipelined garbage, and well-formed requests with random bytes flipped.

const line = fc.oneof(
  fc.constantFrom(
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    'Content-Length: 10',
    'Content-Length: -1',
    'Content-Length: +5',
    'Content-Length: 0x10',
    'Content-Length: 99999999999999999999999',
    'Content-Length: 5, 6',
    'Transfer-Encoding: chunked',
    'Transfer-Encoding: gzip',
    'Transfer-Encoding: chunked, identity',
    'Transfer-Encoding:\tchunked',
    ' Transfer-Encoding: chunked',
    'Transfer-Encoding : chunked',
    'Connection: keep-alive',
    'Connection: upgrade',
    'Upgrade: websocket',
    'Expect: 100-continue',
    'no colon here',
    ': empty name',
    'X-Folded: a\r\n  b',
    'X-Nul: a\u0000b',
    'X-High: \u00ff\u00fe',
    'Authorization: Bearer x',
    'Last-Event-ID: \u0000',
  ),
  fc.string({ maxLength: 80 }),
);

const requestLine = (paths: readonly string[]) =>
  fc.oneof(
    fc
      .constantFrom(...paths)
      .chain((path) =>
        fc.constantFrom(
          `POST ${path} HTTP/1.1`,
          `GET ${path} HTTP/1.1`,
          `HEAD ${path} HTTP/1.0`,
          `POST ${path} HTTP/2.0`,
          `POST ${path} HTTP/1.1 extra`,
          `POST  ${path}  HTTP/1.1`,
          `POST ${path}`,
          `GET ${path}\u0000 HTTP/1.1`,
          `CONNECT ${path} HTTP/1.1`,
          `PRI * HTTP/2.0`,
          `POST http://127.0.0.1${path} HTTP/1.1`,
          `POST ${path}?${'a'.repeat(20_000)} HTTP/1.1`,
          `post ${path} http/1.1`,
        ),
      ),
    fc.string({ maxLength: 60 }),
  );

const chunkedBody = fc.constantFrom(
  '5\r\nhello\r\n0\r\n\r\n',
  'zz\r\nhello\r\n0\r\n\r\n',
  'ffffffffffffffffffff\r\nx\r\n',
  '5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n',
  '-1\r\n\r\n',
  '3\r\nhello\r\n0\r\n\r\n',
  '0\r\n',
  '2\r\n{}\r\n0\r\n\r\n',
  '\r\n\r\n\r\n',
);

const endings = fc.constantFrom('\r\n', '\n', '\r', '\r\r\n');

/** Raw request bytes, and where to split them. */
export function malformedRequests(
  paths: readonly string[],
): fc.Arbitrary<{ bytes: Buffer; splits: number[] }> {
  const assembled = fc
    .record({
      start: requestLine(paths),
      lines: fc.array(line, { maxLength: 8 }),
      ending: endings,
      hugeHeader: fc.option(fc.integer({ min: 1_000, max: 90_000 }), { freq: 8, nil: undefined }),
      manyHeaders: fc.option(fc.integer({ min: 100, max: 3_000 }), { freq: 10, nil: undefined }),
      body: fc.oneof(chunkedBody, fc.string({ maxLength: 100 }), fc.constant('{"event":"build.uploaded"}')),
      pipelined: fc.option(fc.string({ maxLength: 100 }), { freq: 4, nil: undefined }),
    })
    .map(({ start, lines, ending, hugeHeader, manyHeaders, body, pipelined }) => {
      const head = [
        start,
        ...lines,
        ...(hugeHeader ? [`X-Huge: ${'h'.repeat(hugeHeader)}`] : []),
        ...(manyHeaders ? Array.from({ length: manyHeaders }, (_, index) => `X-${index}: ${index}`) : []),
      ];
      return Buffer.from(`${head.join(ending)}${ending}${ending}${body}${pipelined ?? ''}`, 'latin1');
    });
  const flipped = fc
    .tuple(
      fc.constantFrom(...paths),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 6,
      }),
    )
    .map(([path, flips]) => {
      const body =
        '{"event":"build.uploaded","projectId":"p","uploadId":"u","status":"s","timestamp":"2026-01-01T00:00:00.000Z"}';
      const bytes = Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        'latin1',
      );
      for (const [position, value] of flips) bytes[Math.floor(position * (bytes.length - 1))] = value;
      return bytes;
    });
  return fc.record({
    bytes: fc.oneof(
      { weight: 5, arbitrary: assembled },
      { weight: 3, arbitrary: flipped },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)) },
    ),
    splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
  });
}

export function splitAt(bytes: Buffer, fractions: number[]): Buffer[] {
  const cuts = [...new Set(fractions.map((fraction) => Math.floor(fraction * bytes.length)))]
    .filter((cut) => cut > 0 && cut < bytes.length)
    .sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    parts.push(bytes.subarray(from, cut));
    from = cut;
  }
  return parts;
}
