import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { envelopeOf, unitOfWork } from '../../src/simulator/providers/envelopes.ts';
import { createProviderSender } from '../../src/simulator/providers/sender.ts';
import type { SigningCredentials } from '../../src/simulator/providers/signers.ts';
import { intake } from '../../src/webhooks/intake.ts';
import { buildpixel } from '../../src/webhooks/providers/buildpixel.ts';
import { fastpix } from '../../src/webhooks/providers/fastpix.ts';
import { pixop } from '../../src/webhooks/providers/pixop.ts';
import { DEFAULT_SUBJECT_PATH, standardWebhooks } from '../../src/webhooks/providers/standard-webhooks.ts';

// The simulator's signing senders against a loopback endpoint that verifies with our own provider modules
// and answers what the test scripts: retries as the provider does, signed anew where a timestamp is signed.

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function endpoint(statuses: number[]) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(statuses[received.length - 1] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const secret = Buffer.from('a-signing-secret-of-32-bytes!!!!').toString('base64');
const CASES: Array<[string, SigningCredentials, (r: Received) => string]> = [
  [
    'BuildPixel',
    { provider: 'buildpixel', secret: 'bp-secret' },
    (r) => intake(buildpixel, { secrets: ['bp-secret'] }, r, Date.now()).kind,
  ],
  [
    'FastPix',
    { provider: 'fastpix', secret },
    (r) => intake(fastpix, { secrets: [secret] }, r, Date.now()).kind,
  ],
  [
    'Pixop',
    { provider: 'pixop', privateKey: keys.privateKey, keyId: 'k1' },
    (r) => intake(pixop, { keys: new Map([['k1', keys.publicKey]]) }, r, Date.now()).kind,
  ],
  [
    'Standard Webhooks',
    { provider: 'standard-webhooks', secret: `whsec_${secret}` },
    (r) =>
      intake(
        standardWebhooks,
        {
          secrets: [`whsec_${secret}`],
          successTypes: new Set(['job.succeeded']),
          failureTypes: new Set(['job.failed']),
          subjectPath: DEFAULT_SUBJECT_PATH,
        },
        r,
        Date.now(),
      ).kind,
  ],
];

describe('signing senders', () => {
  it.each(CASES)(
    '%s: a unit of work arrives in order, each event verified by our module',
    async (_, credentials, verify) => {
      const { url, received } = await endpoint([]);
      const sender = createProviderSender({ url, credentials, timeScale: 0.0001 });
      onTestFinished(() => sender.close());
      const deliveries = await sender.playUnit('unit-1', 'success');
      expect(deliveries.every((d) => d.status === 200 && d.attempt === 1)).toBe(true);
      expect(received.map(verify)).toEqual(received.map(() => 'event'));
      expect(received.length).toBeGreaterThanOrEqual(2);
    },
  );

  it.each(CASES)('%s: retries until answered 2xx', async (_, credentials, verify) => {
    const { url, received } = await endpoint([500, 503]);
    const sender = createProviderSender({ url, credentials, timeScale: 0.0001 });
    onTestFinished(() => sender.close());
    const [first] = unitOfWork(credentials.provider, 'failure');
    const deliveries = await sender.send(envelopeOf(credentials.provider, first!, 'unit-2'));
    expect(deliveries.map((d) => d.status)).toEqual([500, 503, 200]);
    expect(new Set(received.map((r) => r.body.toString())).size).toBe(1);
    // Signed anew for each attempt where a timestamp is signed; verified every time.
    expect(received.map(verify)).toEqual(['event', 'event', 'event']);
  });

  it('gives up after its schedule, and keeps one webhook-id across Standard Webhooks retries', async () => {
    const { url, received } = await endpoint([500, 500, 500]);
    const sender = createProviderSender({
      url,
      credentials: { provider: 'standard-webhooks', secret: `whsec_${secret}` },
      retryDelaysMs: [1, 1],
    });
    onTestFinished(() => sender.close());
    const deliveries = await sender.send({ type: 'job.started', data: { id: 'j' } });
    expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  it('stops at once on 410 Gone', async () => {
    const { url } = await endpoint([410]);
    const sender = createProviderSender({
      url,
      credentials: { provider: 'standard-webhooks', secret: `whsec_${secret}` },
      timeScale: 0.0001,
    });
    onTestFinished(() => sender.close());
    expect((await sender.send({ type: 'x' })).map((d) => d.status)).toEqual([410]);
  });
});
