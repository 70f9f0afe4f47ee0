import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

// Hostile HTTP requests as fast-check arbitraries: bodies that are almost a webhook (each field kept,
// dropped or replaced by any JSON value, prototype keys added, text near the size limit), bodies that are
// not (random or mutated bytes, invalid UTF-8, UTF-16, gzip, deep nesting), any content type and encoding,
// and every framing: Content-Length, chunked, no length, a length that lies, a body cut short. A request is
// serialised to raw bytes and split into parts at random points.

export type Framing = 'length' | 'chunked' | 'none' | 'short-length' | 'truncated';

export interface HostileRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  framing: Framing;
  /** Cut points, as fractions of the serialised request. */
  splits: number[];
}

export interface SerializedRequest {
  parts: Buffer[];
  /**
   * The bytes the server must take as the body, so the bytes a 2xx must have stored. undefined when no
   * complete body was sent (truncated): then no 2xx is acceptable.
   */
  expectedBody: Buffer | undefined;
}

export function serialize(request: HostileRequest): SerializedRequest {
  const { body, framing } = request;
  const headers = [...request.headers];
  let payload = body;
  let expectedBody: Buffer | undefined = body;
  if (framing === 'length') headers.push(['Content-Length', String(body.length)]);
  if (framing === 'short-length') {
    const declared = Math.floor(body.length / 2);
    headers.push(['Content-Length', String(declared)]);
    expectedBody = body.subarray(0, declared);
  }
  if (framing === 'truncated') {
    headers.push(['Content-Length', String(body.length + 1 + (body.length % 7))]);
    expectedBody = undefined;
  }
  if (framing === 'none') expectedBody = Buffer.alloc(0);
  if (framing === 'chunked') {
    headers.push(['Transfer-Encoding', 'chunked']);
    payload = chunk(body);
  }
  const head = Buffer.from(
    `${request.method} ${request.target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
      headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
      '\r\n',
    'latin1',
  );
  const whole = Buffer.concat([head, payload]);
  const cuts = [...new Set(request.splits.map((fraction) => Math.floor(fraction * whole.length)))]
    .filter((cut) => cut > 0 && cut < whole.length)
    .sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, whole.length]) {
    parts.push(whole.subarray(from, cut));
    from = cut;
  }
  return { parts, expectedBody };
}

/** Chunked transfer coding in uneven chunks, ending with the zero chunk. */
function chunk(body: Buffer): Buffer {
  const pieces: Buffer[] = [];
  for (let at = 0, size = 1; at < body.length; at += size, size = (size * 3 + 1) % 997 || 1) {
    const piece = body.subarray(at, at + size);
    pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(pieces);
}

// ---- bodies -------------------------------------------------------------------------------------------

const EVENTS = ['build.uploaded', 'build.downloading', 'build.approved', 'build.rejected', 'webhook.test'];
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Any string, lone surrogates included (JSON.stringify writes them as \ud800 escapes). */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', 'a\udc00b', '\u2028', 'é', '\ufeff', '../../etc', '%00'),
);
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  anyText,
  fc.constantFrom(null, true, 0, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}),
);

/** The JSON text of a value of a field, or a raw token JSON.stringify would never write. */
const fieldValue = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: valid.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? 'null') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('1e999', '-0', '01', '"\\ud800"', '"\\u0000"', '"\\uDC00\\uD800"'),
    },
  );

const validTimestamp = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((date) => date.toISOString());

const envelopeFields = fc.record({
  event: fieldValue(fc.oneof(fc.constantFrom(...EVENTS), anyText)),
  projectId: fieldValue(fc.oneof(fc.constant('fuzz-project'), anyText)),
  uploadId: fieldValue(fc.oneof(fc.uuid(), anyText, fc.constant(null))),
  fileUrl: fieldValue(fc.oneof(fc.constant(null), fc.webUrl())),
  status: fieldValue(anyText),
  objection: fieldValue(
    fc.oneof(
      fc.constant(null),
      anyText,
      // Long text, up to and past the 64 KiB body limit.
      fc.integer({ min: 9_000, max: 70_000 }).map((length) => 'o'.repeat(length)),
    ),
  ),
  timestamp: fieldValue(fc.oneof(validTimestamp, anyText)),
});

/** Extra keys, prototype-polluting ones first among them. */
const extraMembers = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'polluted', 'toString', 'hasOwnProperty'), anyText),
    fc.oneof(
      fc.constant('{"polluted":"yes","isAdmin":true}'),
      fc.constant('{"prototype":{"polluted":"yes"}}'),
      anyJson.map((value) => JSON.stringify(value) ?? 'null'),
    ),
  ),
  { maxLength: 4 },
);

/** Almost a webhook: each field kept, mutated or dropped, extra (prototype) keys in any position. */
export const envelopeText = fc
  .tuple(envelopeFields, fc.array(fc.nat(5), { minLength: 7, maxLength: 7 }), extraMembers, fc.boolean())
  .map(([fields, keep, extra, extraFirst]) => {
    const members = Object.entries(fields)
      // Each field dropped one time in six.
      .filter((_, index) => keep[index] !== 0)
      .map(([key, value]) => `${JSON.stringify(key)}:${value}`);
    const extras = extra.map(([key, value]) => `${JSON.stringify(key)}:${value}`);
    return `{${(extraFirst ? [...extras, ...members] : [...members, ...extras]).join(',')}}`;
  });

/** A well-formed webhook (most fields valid), so the 2xx path and its stored row get exercised too. */
export const validEnvelopeText = fc
  .record({
    event: fc.constantFrom(...EVENTS),
    uploadId: fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 30 })),
    status: fc.string({ maxLength: 30 }),
    timestamp: validTimestamp,
    note: fc.string({ unit: 'grapheme', maxLength: 30 }),
  })
  .map((fields) =>
    JSON.stringify({
      event: fields.event,
      projectId: 'fuzz-project',
      uploadId: fields.uploadId,
      fileUrl: null,
      status: fields.status,
      objection: null,
      timestamp: fields.timestamp,
      note: fields.note,
    }),
  );

const INVALID_UTF8_SEQUENCES = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80], // an encoded lone surrogate
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
].map((bytes) => Buffer.from(bytes));

/**
 * A well-formed webhook with one flaw inside a string, where a lenient decoder would hide it: raw bytes that
 * are not UTF-8 in a free-text field (decoded leniently they turn into U+FFFD, and the stored row no longer
 * matches the bytes sent), or a lone surrogate escape in the subject (two such ids could collapse into one).
 */
const flawedWebhook = fc
  .tuple(
    validEnvelopeText,
    fc.constantFrom(...INVALID_UTF8_SEQUENCES),
    fc.constantFrom('\\ud800', '\\udfff', 'a\\udc00'),
    fc.boolean(),
  )
  .map(([text, invalid, escape, bytesFlaw]) => {
    if (bytesFlaw) {
      const at = text.indexOf('"note":"') + '"note":"'.length;
      return Buffer.concat([Buffer.from(text.slice(0, at)), invalid, Buffer.from(text.slice(at))]);
    }
    return Buffer.from(text.replace('"uploadId":"', `"uploadId":"${escape}`));
  });

const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 40_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
  .map(([depth, open, inEnvelope]) => {
    const close = open === '[' ? ']' : '}';
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return inEnvelope
      ? // Its own subject per depth, so each one stored is read back on its own.
        `{"event":"build.uploaded","projectId":"p","uploadId":"deep-${depth}","status":"s","timestamp":"2026-01-01T00:00:00.000Z","x":${nested}}`
      : nested;
  });

/** Bytes of a webhook, damaged: flipped bytes, cut short, invalid UTF-8 inserted, a BOM, UTF-16. */
const mutatedBytes = fc
  .tuple(
    fc.oneof(validEnvelopeText, envelopeText),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
      maxLength: 3,
    }),
    fc.constantFrom('none', 'truncate', 'invalid-utf8', 'bom', 'utf16le', 'nul'),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom(...INVALID_UTF8_SEQUENCES),
  )
  .map(([text, flips, damage, where, invalid]) => {
    let bytes = Buffer.from(text, damage === 'utf16le' ? 'utf16le' : 'utf8');
    const at = Math.floor(where * bytes.length);
    if (damage === 'truncate') bytes = bytes.subarray(0, at);
    if (damage === 'invalid-utf8')
      bytes = Buffer.concat([bytes.subarray(0, at), invalid, bytes.subarray(at)]);
    if (damage === 'bom') bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    if (damage === 'nul')
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
    bytes = Buffer.from(bytes);
    for (const [position, value] of flips) {
      if (bytes.length > 0) bytes[Math.floor(position * (bytes.length - 1))] = value;
    }
    return bytes;
  });

export const hostileBody: fc.Arbitrary<{ body: Buffer; gzip: boolean }> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: validEnvelopeText.map((text) => Buffer.from(text)) },
      { weight: 4, arbitrary: envelopeText.map((text) => Buffer.from(text)) },
      { weight: 2, arbitrary: mutatedBytes },
      { weight: 1, arbitrary: flawedWebhook },
      { weight: 1, arbitrary: deepNesting.map((text) => Buffer.from(text)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)) },
      { weight: 1, arbitrary: anyJson.map((value) => Buffer.from(JSON.stringify(value) ?? '')) },
    ),
    fc.nat(19),
  )
  .map(([body, roll]) => (roll === 0 ? { body: gzipSync(body), gzip: true } : { body, gzip: false }));

// ---- headers ------------------------------------------------------------------------------------------

/** A header value as it may appear on the wire (visible latin1, spaces and tabs). */
const headerText = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)),
    maxLength: 60,
  })
  .map((text) => text.replace(/\x7f/g, ''));
const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,30}$/);

export const contentType = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/json;charset=UTF-8',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json ; foo="bar;baz"',
      'application/jsonx',
      'application/json, text/plain',
      'application/*',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----x',
      'application/octet-stream',
      '',
      ';',
      'application/json; charset=',
    ),
  },
  { weight: 1, arbitrary: headerText },
);

export const extraHeaders: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.oneof(
    fc.tuple(
      fc.constant('Content-Encoding'),
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-none', 'gzip, gzip'),
    ),
    fc.tuple(
      fc.constant('Expect'),
      fc.constantFrom('100-continue', '100-continue', '100-continue', 'nonsense'),
    ),
    fc.tuple(fc.constant('Content-Type'), fc.constantFrom('application/json', 'text/plain')),
    fc.tuple(fc.constantFrom('X-Forwarded-For', 'Forwarded', 'X-Real-IP'), headerText),
    fc.tuple(fc.constantFrom('Accept', 'Accept-Encoding', 'Cookie', 'Origin'), headerText),
    fc.tuple(headerName, headerText),
  ),
  { maxLength: 4 },
);

const splits = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 });
const framing = fc.constantFrom<Framing>(
  'length',
  'length',
  'length',
  'chunked',
  'chunked',
  'none',
  'short-length',
  'truncated',
);

/** Requests aimed at a webhook route: mostly POST to the right path, with everything else varied. */
export function webhookRequests(path: string): fc.Arbitrary<HostileRequest> {
  const target = fc.oneof(
    { weight: 12, arbitrary: fc.constant(path) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${path}?x=1`,
        `${path}/`,
        `${path}%2F`,
        `${path.toUpperCase()}`,
        `${path.slice(0, -1)}`,
        `${path}x`,
        `/${path}`,
        `${path}/../x`,
        `${path}#frag`,
        '/hooks/streampixel/',
        '/hooks/streampixel/%',
        '/hooks/streampixel/%zz',
        '*',
      ),
    },
  );
  const method = fc.oneof(
    { weight: 12, arbitrary: fc.constant('POST') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('GET', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'PATCH', 'TRACE', 'post'),
    },
  );
  return fc
    .record({
      method,
      target,
      contentType: fc.option(contentType, { nil: undefined, freq: 10 }),
      headers: extraHeaders,
      body: hostileBody,
      framing,
      splits,
    })
    .map(({ contentType: type, headers, body, ...rest }) => ({
      ...rest,
      body: body.body,
      headers: [
        ...(type === undefined ? [] : ([['Content-Type', type]] as Array<[string, string]>)),
        ...(body.gzip ? ([['Content-Encoding', 'gzip']] as Array<[string, string]>) : []),
        ...headers,
      ],
    }));
}

// ---- read routes --------------------------------------------------------------------------------------

const queryValue = fc.oneof(
  fc.constantFrom('', 'latest', '0', '1', '-1', '1e3', '0x10', '999999999999999999999', ' 5 ', 'NaN'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map((text) => {
    try {
      return encodeURIComponent(text);
    } catch {
      return '%ED%A0%80'; // a lone surrogate has no UTF-8; send its would-be bytes
    }
  }),
  fc.constantFrom('%', '%zz', '%00', '%ff', '%ED%A0%80', 'a&b', '%26', '+', '%2B'),
);
/** Waits that end quickly or are refused: a valid long wait would be a held request, not a hang. */
const waitValue = fc.constantFrom(
  '0',
  '0.001',
  '0.2',
  '',
  'abc',
  '-1',
  '61',
  '999',
  '1e1',
  '0x1',
  ' 0 ',
  '60.0001',
);
const queryParam = fc.oneof(
  fc.tuple(fc.constantFrom('subject', 'provider', 'after', 'limit'), queryValue),
  fc.tuple(fc.constant('wait'), waitValue),
  fc.tuple(
    fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'subject[]', 'toString'),
    queryValue,
  ),
  fc.tuple(fc.string({ maxLength: 10 }).map(encodeURIComponent), queryValue),
);

export function readRequests(readToken: string): fc.Arbitrary<HostileRequest> {
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${readToken}`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        `bearer ${readToken}`,
        `Bearer  ${readToken}`,
        `Bearer ${readToken} `,
        `Bearer ${readToken.slice(1)}`,
        `Bearer ${readToken}x`,
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        `Bearer ${'x'.repeat(5000)}`,
        '',
      ),
    },
    { weight: 1, arbitrary: headerText },
  );
  return fc
    .record({
      // HEAD often: every route must answer it at once, the event stream included.
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constant('GET') },
        { weight: 2, arbitrary: fc.constant('HEAD') },
        { weight: 1, arbitrary: fc.constantFrom('POST', 'PUT', 'OPTIONS', 'DELETE') },
      ),
      path: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('/v1/events', '/v1/events/stream') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('/v1/events/', '/v1/Events', '/v1/events/stream/x', '/v1//events'),
        },
      ),
      // Mostly a subject the bridge holds events for, so the success paths run too.
      subject: fc.option(fc.oneof(fc.constant('1'), queryValue), { nil: undefined, freq: 5 }),
      query: fc.array(queryParam, { maxLength: 5 }),
      authorization: fc.option(authorization, { nil: undefined, freq: 8 }),
      lastEventId: fc.option(fc.oneof(queryValue, headerText), { nil: undefined, freq: 3 }),
      headers: extraHeaders,
      splits,
    })
    .map(({ method, path, subject, query, authorization: auth, lastEventId, headers, splits: cuts }) => ({
      method,
      target: targetOf(path, subject === undefined ? query : [['subject', subject], ...query]),
      headers: [
        ...(auth === undefined ? [] : ([['Authorization', auth]] as Array<[string, string]>)),
        ...(lastEventId === undefined ? [] : ([['Last-Event-ID', lastEventId]] as Array<[string, string]>)),
        ...headers.filter(([name]) => name.toLowerCase() !== 'expect'),
      ],
      body: Buffer.alloc(0),
      framing: 'none' as const,
      splits: cuts,
    }));
}

function targetOf(path: string, query: Array<[string, string]>): string {
  return query.length === 0 ? path : `${path}?${query.map(([key, value]) => `${key}=${value}`).join('&')}`;
}
