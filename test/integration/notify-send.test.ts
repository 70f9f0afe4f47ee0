import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseNotifyOn } from '../../src/release/notify/notify-on.ts';
import { notifyRelease } from '../../src/release/notify/notify-release.ts';
import type { ReleaseReport } from '../../src/release/notify/report.ts';
import { sendNotification, type SendOptions } from '../../src/release/notify/send.ts';
import { TEST_CERT, TEST_KEY } from '../support/notify-endpoint.ts';

// Sending against real loopback servers. The address policy refuses loopback, so each test that must reach
// its server passes the explicit test-only allowance; DNS is always the injected resolver.

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Endpoint {
  port: number;
  /** TCP connections accepted, answered or not. */
  connections: () => number;
  received: Received[];
}

type Answer = (request: Received, response: ServerResponse) => void;

/** A loopback server that counts connections and records requests; closed when the test ends. */
async function startEndpoint(
  answer: Answer = (_request, response) => response.end('ok'),
  options: { host?: string; port?: number; tls?: boolean } = {},
): Promise<Endpoint> {
  const received: Received[] = [];
  let connections = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(entry);
      answer(entry, res);
    });
  };
  const server = options.tls
    ? createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, handler)
    : createHttpServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, connections: () => connections, received };
}

/** A loopback port that nothing listens on. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A resolver that records what it was asked and answers from a list, one answer per call. */
function scriptedResolver(...answers: string[][]) {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    return answers[Math.min(asked.length - 1, answers.length - 1)] ?? [];
  };
  return { resolve, asked };
}

const loopbackOnly = (address: string) => address.startsWith('127.');
const testing = (overrides: Partial<NonNullable<SendOptions['testOnly']>> = {}): SendOptions['testOnly'] => ({
  allowAddress: loopbackOnly,
  allowHttp: true,
  ca: TEST_CERT,
  ...overrides,
});

const BODY = { text: 'Streampixel release was rejected', nested: { ok: true } };

describe('sendNotification delivers', () => {
  it('over HTTPS, pinned to the checked address, with TLS, SNI and Host for the host name', async () => {
    const endpoint = await startEndpoint(undefined, { tls: true });
    const dns = scriptedResolver(['127.0.0.1']);
    const result = await sendNotification(`https://notify.test:${endpoint.port}/hook/abc?x=1`, BODY, {
      resolve: dns.resolve,
      testOnly: testing({ allowHttp: false }),
    });
    expect(result).toEqual({ sent: true, status: 200 });
    expect(dns.asked).toEqual(['notify.test']);
    expect(endpoint.received).toHaveLength(1);
    const [received] = endpoint.received;
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/hook/abc?x=1');
    expect(received?.headers.host).toBe(`notify.test:${endpoint.port}`);
    expect(received?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received?.body ?? '')).toEqual(BODY);
  });

  it('refuses a certificate that does not name the host (TLS is verified, not skipped)', async () => {
    const endpoint = await startEndpoint(undefined, { tls: true });
    const result = await sendNotification(`https://other.test:${endpoint.port}/hook`, BODY, {
      resolve: scriptedResolver(['127.0.0.1']).resolve,
      testOnly: testing(),
    });
    expect(result.sent).toBe(false);
    if (!result.sent) expect(result.warning).toMatch(/TLS handshake failed \(ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(endpoint.received).toHaveLength(0);
  });

  it('over HTTP when the test allowance permits it, and a report in the chosen format through notifyRelease', async () => {
    const endpoint = await startEndpoint((_request, response) => {
      response.statusCode = 204;
      response.end();
    });
    const report: ReleaseReport = {
      provider: 'streampixel',
      command: 'release',
      projectId: 'proj-1',
      subject: 'upload-7',
      outcome: 'rejected',
      detail: 'Executable missing <!channel>',
      shareUrl: null,
      runUrl: 'https://github.com/studio/game/actions/runs/1',
      repository: 'studio/game',
      commit: '0123456789abcdef0123456789abcdef01234567',
    };
    const onParsed = parseNotifyOn('');
    if (!onParsed.ok) throw new Error('default notify-on must parse');
    const settings = {
      url: new URL(`http://localhost:${endpoint.port}/services/T/B/x`),
      format: 'slack',
      on: onParsed.value,
    } as const;
    const options = { resolve: scriptedResolver(['127.0.0.1']).resolve, testOnly: testing() };

    expect(await notifyRelease(settings, report, options)).toEqual({ sent: true, status: 204 });
    const slack = JSON.parse(endpoint.received[0]?.body ?? '{}');
    expect(slack.text).toContain('rejected');
    expect(slack.text).toContain('&lt;!channel&gt;');
    expect(Array.isArray(slack.blocks)).toBe(true);

    // Approved is not in the default notify-on: nothing is sent, nothing connects.
    expect(
      await notifyRelease(settings, { ...report, outcome: 'approved', detail: null }, options),
    ).toBeNull();
    expect(endpoint.received).toHaveLength(1);
  });
});

describe('sendNotification refuses before connecting', () => {
  it('a host that resolves to a private address, naming the reason (the server sees no connection)', async () => {
    const endpoint = await startEndpoint();
    for (const [answer, reason] of [
      ['127.0.0.1', 'loopback'],
      ['10.20.30.40', 'private (RFC 1918)'],
      ['169.254.169.254', 'link-local'],
      ['::ffff:127.0.0.1', 'loopback, in IPv4-mapped form'],
      ['fd12::1', 'unique-local'],
    ] as const) {
      const result = await sendNotification(`http://hooks.example.com:${endpoint.port}/x`, BODY, {
        resolve: scriptedResolver([answer]).resolve,
        testOnly: { allowHttp: true },
      });
      expect(result).toEqual({
        sent: false,
        warning: expect.stringContaining(`resolves to ${answer}, which is not a public address (${reason}`),
      });
    }
    expect(endpoint.connections()).toBe(0);
  });

  it('an IP literal that is not public, without asking DNS', async () => {
    const endpoint = await startEndpoint();
    const dns = scriptedResolver(['8.8.8.8']);
    for (const host of ['127.0.0.1', '[::ffff:7f00:1]', '2130706433']) {
      const result = await sendNotification(`http://${host}:${endpoint.port}/x`, BODY, {
        resolve: dns.resolve,
        testOnly: { allowHttp: true },
      });
      expect(result.sent ? '' : result.warning).toMatch(/not a public address \(loopback/);
    }
    expect(dns.asked).toEqual([]);
    expect(endpoint.connections()).toBe(0);
  });

  it('when any DNS answer is private, even beside public (or allowed) ones', async () => {
    const endpoint = await startEndpoint();
    const mixed = await sendNotification('https://hooks.example.com/x', BODY, {
      resolve: scriptedResolver(['93.184.216.34', '2606:2800:220:1::1', '192.168.1.10']).resolve,
    });
    expect(mixed.sent ? '' : mixed.warning).toContain(
      'resolves to 192.168.1.10, which is not a public address (private (RFC 1918))',
    );

    // The allowed loopback answer would reach the server; the private one beside it stops the send.
    const withAllowed = await sendNotification(`http://hooks.example.com:${endpoint.port}/x`, BODY, {
      resolve: scriptedResolver(['127.0.0.1', '10.0.0.7']).resolve,
      testOnly: testing(),
    });
    expect(withAllowed.sent ? '' : withAllowed.warning).toContain('10.0.0.7');
    expect(endpoint.connections()).toBe(0);
  });

  it('a URL that is not https (without the test allowance), not a URL, or holds credentials', async () => {
    const endpoint = await startEndpoint();
    const dns = scriptedResolver(['127.0.0.1']);
    const cases = [
      [`http://localhost:${endpoint.port}/x`, 'must be an https:// URL'],
      [`ftp://localhost:${endpoint.port}/x`, 'must be an https:// URL'],
      ['not a url', 'not a valid URL'],
      [`https://user:S3cretPw@localhost:${endpoint.port}/x`, 'must not hold a user name or password'],
    ] as const;
    for (const [url, problem] of cases) {
      const result = await sendNotification(url, BODY, {
        resolve: dns.resolve,
        testOnly: { allowAddress: loopbackOnly },
      });
      expect(result.sent ? '' : result.warning).toContain(problem);
      expect(result.sent ? '' : result.warning).not.toContain('S3cretPw');
    }
    expect(dns.asked).toEqual([]);
    expect(endpoint.connections()).toBe(0);
  });
});

describe('sendNotification connects only where it checked', () => {
  it('keeps to the checked address when a second resolution would answer differently (DNS rebinding)', async () => {
    // The trap listens where the system resolver sends `localhost`; the real endpoint on 127.0.0.2, same port.
    const trap = await startEndpoint();
    const endpoint = await startEndpoint(undefined, { host: '127.0.0.2', port: trap.port });
    const url = `http://localhost:${trap.port}/hook`;

    // This test could fail: an unpinned client, left to the system resolver, lands in the trap.
    const unpinned = await request(url, { method: 'POST', body: '{}' });
    await unpinned.body.dump();
    expect(trap.received).toHaveLength(1);

    // Checked answer 127.0.0.2; any later resolution says 127.0.0.1 (the trap).
    const dns = scriptedResolver(['127.0.0.2'], ['127.0.0.1']);
    const result = await sendNotification(url, BODY, { resolve: dns.resolve, testOnly: testing() });
    expect(result).toEqual({ sent: true, status: 200 });
    expect(dns.asked).toEqual(['localhost']);
    expect(endpoint.received).toHaveLength(1);
    expect(endpoint.received[0]?.headers.host).toBe(`localhost:${trap.port}`);
    expect(trap.received).toHaveLength(1);
  });

  it('never follows a redirect: a 302 is a warning and its target sees nothing', async () => {
    const target = await startEndpoint();
    const redirecting = await startEndpoint((_request, response) => {
      response.writeHead(302, { location: `http://127.0.0.1:${target.port}/elsewhere` });
      response.end();
    });
    for (const status of [301, 302, 307, 308]) {
      redirecting.received.length = 0;
      const endpoint =
        status === 302
          ? redirecting
          : await startEndpoint((_request, response) => {
              response.writeHead(status, { location: `http://127.0.0.1:${target.port}/elsewhere` });
              response.end();
            });
      const result = await sendNotification(`http://localhost:${endpoint.port}/hook`, BODY, {
        resolve: scriptedResolver(['127.0.0.1']).resolve,
        testOnly: testing(),
      });
      expect(result).toEqual({
        sent: false,
        warning: expect.stringContaining(`the endpoint answered ${status}; redirects are not followed`),
      });
      expect(endpoint.received).toHaveLength(1);
    }
    expect(target.connections()).toBe(0);
  });

  it('says what an endpoint that refused the message answered', async () => {
    const endpoint = await startEndpoint((_request, response) => {
      response.statusCode = 404;
      response.end('no_service');
    });
    const result = await sendNotification(`http://localhost:${endpoint.port}/hook`, BODY, {
      resolve: scriptedResolver(['127.0.0.1']).resolve,
      testOnly: testing(),
    });
    expect(result.sent ? '' : result.warning).toMatch(
      /answered 404: no_service \(the webhook may have been deleted/,
    );
  });
});

describe('sendNotification is bounded in time', () => {
  it('gives up on an endpoint that never answers', async () => {
    const endpoint = await startEndpoint(() => {
      // accepts, reads the request, never answers
    });
    const started = performance.now();
    const result = await sendNotification(`http://localhost:${endpoint.port}/hook`, BODY, {
      resolve: scriptedResolver(['127.0.0.1']).resolve,
      timeoutMs: 300,
      testOnly: testing(),
    });
    const elapsed = performance.now() - started;
    expect(result.sent ? '' : result.warning).toContain('no answer within 0.3 s');
    expect(endpoint.received).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('gives up on a resolver that never answers', async () => {
    const started = performance.now();
    const result = await sendNotification('https://hooks.example.com/x', BODY, {
      resolve: () => new Promise<string[]>(() => undefined),
      timeoutMs: 200,
    });
    expect(result.sent ? '' : result.warning).toContain('no answer within 0.2 s');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('sendNotification never shows the path or query of the URL', () => {
  const PATH_SECRETS = ['T0SECRETWORKSPACE', 'B0SECRETCHANNEL', 'XyZsecretToken123', 'QuerySecret456'];
  const secretPath = '/services/T0SECRETWORKSPACE/B0SECRETCHANNEL/XyZsecretToken123?token=QuerySecret456';

  it('in any warning: refused, redirected, an error answer that echoes the URL, timeout, refused connection, DNS failure', async () => {
    const echo = await startEndpoint((request, response) => {
      response.statusCode = request.url?.includes('token') ? 500 : 200;
      response.end(`unknown webhook ${request.url} at http://localhost${request.url}`);
    });
    const redirect = await startEndpoint((request, response) => {
      response.writeHead(302, { location: `https://elsewhere.example${request.url}` });
      response.end();
    });
    const silent = await startEndpoint(() => undefined);
    const closedPort = await freePort();
    const base = { resolve: scriptedResolver(['127.0.0.1']).resolve, testOnly: testing() };
    const failingDns = async (host: string): Promise<string[]> => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host} for https://${host}${secretPath}`), {
        code: 'ENOTFOUND',
      });
    };
    const attempts: [string, SendOptions][] = [
      [`https://hooks.example.com${secretPath}`, { resolve: scriptedResolver(['10.0.0.1']).resolve }],
      [`http://hooks.example.com${secretPath}`, {}],
      [`https://user:${'XyZsecretToken123'}@hooks.example.com${secretPath}`, {}],
      [`http://localhost:${echo.port}${secretPath}`, base],
      [`http://localhost:${redirect.port}${secretPath}`, base],
      [`http://localhost:${silent.port}${secretPath}`, { ...base, timeoutMs: 200 }],
      [`http://hooks.example.com${secretPath}`, { resolve: failingDns, testOnly: testing() }],
    ];
    const warnings: string[] = [];
    for (const [url, options] of attempts) {
      const result = await sendNotification(url, BODY, options);
      expect(result.sent, url).toBe(false);
      if (!result.sent) warnings.push(result.warning);
    }
    // A refused connection too: nothing listens on that port any more.
    const refused = await sendNotification(`http://localhost:${closedPort}${secretPath}`, BODY, base);
    if (!refused.sent) warnings.push(refused.warning);

    expect(warnings.length).toBeGreaterThanOrEqual(attempts.length);
    for (const warning of warnings) {
      for (const secret of PATH_SECRETS) expect(warning).not.toContain(secret);
      expect(warning).not.toContain('/services');
    }
    // The warnings still say which endpoint and what happened.
    expect(warnings.join('\n')).toMatch(/answered 500/);
    expect(warnings.join('\n')).toMatch(/answered 302/);
    expect(warnings.join('\n')).toMatch(/no answer within/);
  });
});
