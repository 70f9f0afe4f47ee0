import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createIntakes } from '../../src/bridge/intakes.ts';
import { parseProvidersConfig } from '../../src/bridge/provider-config.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { envelopeOf } from '../../src/simulator/providers/envelopes.ts';
import { signWebhook } from '../../src/simulator/providers/signers.ts';

// Pixop's keys fetched by id (bridge/pixop-keyring.ts), through the bridge's Pixop intake, against a loopback
// stand-in for Pixop's public-key API: one fetch shared by webhooks arriving together, expiresAt honoured,
// a key held an hour asked about again, and the limits on asking (per id, for ids Pixop does not know, in
// all), which run on a monotonic clock.

const START = Date.parse('2026-12-01T12:00:00Z');

interface PixopKey {
  id: string;
  privateKey: KeyObject;
  publicKey: string;
}
const newKey = (): PixopKey => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    id: randomUUID(),
    privateKey: pair.privateKey,
    publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
};

/** Pixop's public-key API: `answer` decides each reply; every request is recorded. */
async function fakePixopApi(answer: (id: string, res: ServerResponse) => void) {
  const asked: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const id = decodeURIComponent(req.url?.split('/').pop() ?? '');
    asked.push(id);
    answer(id, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { asked, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` };
}

const serveKeys =
  (keys: Map<string, { publicKey: string; expiresAt?: string | null }>) =>
  (id: string, res: ServerResponse) => {
    const key = keys.get(id);
    if (!key) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, ...key }));
  };

/** Pixop's API serving `key` alone, with the `expiresAt` given. */
const serveOnly = (key: PixopKey, expiresAt?: string) =>
  serveKeys(new Map([[key.id, { publicKey: key.publicKey, expiresAt }]]));

function pixopIntake(apiUrl: string) {
  const parsed = parseProvidersConfig({
    BRIDGE_PIXOP_API_KEY: 'pixop-api-key',
    BRIDGE_PIXOP_API_URL: apiUrl,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  /** `now`: the wall clock; `elapsed`: the monotonic one. Tests move both unless they mean not to. */
  const clock = { now: START, elapsed: 0 };
  const advance = (ms: number) => {
    clock.now += ms;
    clock.elapsed += ms;
  };
  const logger = createMemoryLogger();
  const run = createIntakes(parsed.value, {
    logger,
    now: () => clock.now,
    elapsedMs: () => clock.elapsed,
  }).get('pixop')!;
  /** A webhook signed with `key` at the clock's time; resolves with the intake's kind. */
  const deliver = async (key: PixopKey) => {
    const body = JSON.stringify(envelopeOf('pixop', 'video_processing.done', 'video-1'));
    const headers = signWebhook(
      { provider: 'pixop', privateKey: key.privateKey, keyId: key.id },
      body,
      'unused',
      Math.floor(clock.now / 1000),
    );
    const result = await run({ body: Buffer.from(body), headers }, clock.now);
    return result.kind === 'refused' ? `refused ${result.signature ?? result.reason}` : result.kind;
  };
  return { deliver, clock, advance, logger };
}

describe("Pixop's keys fetched from its public-key API", () => {
  it('fetches a new key once for webhooks that name it at the same moment', async () => {
    const key = newKey();
    const api = await fakePixopApi(serveOnly(key));
    const { deliver } = pixopIntake(api.url);
    expect(await Promise.all([deliver(key), deliver(key), deliver(key)])).toEqual([
      'event',
      'event',
      'event',
    ]);
    expect(await deliver(key)).toBe('event');
    expect(api.asked).toEqual([key.id]);
  });

  it('does not take a key Pixop says has already expired', async () => {
    const key = newKey();
    const api = await fakePixopApi(serveOnly(key, '2026-12-01T11:59:00Z'));
    const { deliver, logger } = pixopIntake(api.url);
    expect(await deliver(key)).toBe('refused unknown-key');
    expect(logger.lines).toContain('warn: a webhook named a Pixop signing key that has expired');
  });

  it('uses a key until its expiresAt, and not after, without asking again', async () => {
    const key = newKey();
    const api = await fakePixopApi(serveOnly(key, '2026-12-01T12:10:00Z'));
    const { deliver, clock } = pixopIntake(api.url);
    expect(await deliver(key)).toBe('event');
    clock.now = Date.parse('2026-12-01T12:09:59Z');
    expect(await deliver(key)).toBe('event');
    clock.now = Date.parse('2026-12-01T12:10:00Z');
    expect(await deliver(key)).toBe('refused unknown-key');
    expect(api.asked).toEqual([key.id]);
  });

  it('asks again about a key held an hour: drops it when Pixop no longer serves it', async () => {
    const key = newKey();
    const served = new Map([[key.id, { publicKey: key.publicKey }]]);
    const api = await fakePixopApi(serveKeys(served));
    const { deliver, advance, logger } = pixopIntake(api.url);
    expect(await deliver(key)).toBe('event');
    advance(59 * 60_000);
    expect(await deliver(key)).toBe('event');
    expect(api.asked).toEqual([key.id]);

    served.delete(key.id);
    advance(60_000);
    expect(await deliver(key)).toBe('refused unknown-key');
    expect(api.asked).toEqual([key.id, key.id]);
    expect(logger.lines).toContain('warn: dropped a Pixop signing key that Pixop has retired');
  });

  it('asks again about a key held an hour: keeps it while Pixop cannot be asked, and when it still serves it', async () => {
    const key = newKey();
    let down = false;
    const api = await fakePixopApi((id, res) => (down ? res.writeHead(503).end() : serveOnly(key)(id, res)));
    const { deliver, advance } = pixopIntake(api.url);
    expect(await deliver(key)).toBe('event');
    down = true;
    advance(61 * 60_000);
    expect(await deliver(key)).toBe('event');
    // Asked at most once a minute: the next webhook does not ask again at once.
    expect(await deliver(key)).toBe('event');
    expect(api.asked).toHaveLength(2);
    down = false;
    advance(60_000);
    expect(await deliver(key)).toBe('event');
    expect(api.asked).toHaveLength(3);
    // Confirmed: not asked again for another hour.
    advance(30 * 60_000);
    expect(await deliver(key)).toBe('event');
    expect(api.asked).toHaveLength(3);
  });

  it('asks about an id Pixop does not know at most once an hour', async () => {
    const api = await fakePixopApi(serveKeys(new Map()));
    const { deliver, advance } = pixopIntake(api.url);
    const madeUp = newKey();
    expect(await deliver(madeUp)).toBe('refused unknown-key');
    advance(59 * 60_000);
    expect(await deliver(madeUp)).toBe('refused unknown-key');
    expect(api.asked).toEqual([madeUp.id]);
    advance(60_000);
    expect(await deliver(madeUp)).toBe('refused unknown-key');
    expect(api.asked).toEqual([madeUp.id, madeUp.id]);
  });

  it('asks at most thirty times a minute in all, and says so once a minute when it refuses', async () => {
    const api = await fakePixopApi(serveKeys(new Map()));
    const { deliver, advance, logger } = pixopIntake(api.url);
    for (let n = 0; n < 40; n += 1) await deliver(newKey());
    expect(api.asked).toHaveLength(30);
    const warnings = () => logger.lines.filter((line) => line.includes('its limit: it was refused'));
    expect(warnings()).toHaveLength(1);
    advance(60_000);
    await deliver(newKey());
    expect(api.asked).toHaveLength(31);
    for (let n = 0; n < 40; n += 1) await deliver(newKey());
    expect(warnings()).toHaveLength(2);
  });

  it('keeps its limits on a monotonic clock: a wall clock set back an hour does not stall them', async () => {
    const key = newKey();
    const api = await fakePixopApi(serveOnly(key));
    const { deliver, clock } = pixopIntake(api.url);
    for (let n = 0; n < 30; n += 1) await deliver(newKey());
    // A minute later by the monotonic clock, an hour earlier by the wall clock.
    clock.now -= 60 * 60_000;
    clock.elapsed += 60_000;
    expect(await deliver(key)).toBe('event');
    expect(api.asked).toHaveLength(31);
  });

  it('takes nothing from an answer too long to be one key', async () => {
    const key = newKey();
    const api = await fakePixopApi((id, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id, publicKey: key.publicKey, padding: 'x'.repeat(100_000) })),
    );
    const { deliver } = pixopIntake(api.url);
    expect(await deliver(key)).toBe('refused unknown-key');
  });
});
