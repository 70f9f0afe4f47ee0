import { describe, expect, it } from 'vitest';
import { MAX_WEBHOOK_DEPTH } from '../../src/webhooks/intake.ts';
import {
  createHarness,
  envelope,
  NOW,
  openSse,
  openTestStore,
  type StoreKind,
} from '../unit/bridge/harness.ts';

// A body nested thousands deep fits in 64 KiB, parses, and walks without recursion, but JSON.stringify
// recurses: stored, it made every read of its subject answer 500 and every stream of it end, so the events
// after it (the build's outcome included) never reached a reader. The intake refuses such a body now, and a
// reader gets a null payload for one stored before it did.

const STORES: StoreKind[] = ['memory', 'sqlite'];
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** A valid Streampixel webhook whose extra field holds arrays nested `depth` deep. */
const deepWebhook = (depth: number, patch: Record<string, unknown> = {}) =>
  JSON.stringify(envelope(patch)).replace(/}$/, `,"deep":${nested(depth)}}`);

describe.each(STORES)('deeply nested bodies on the %s store', (kind) => {
  const start = async () => createHarness({ store: await openTestStore(kind), listen: true });

  it('refuses a webhook nested past the limit with a 400, and stores nothing', async () => {
    const h = await start();
    const res = await h.ingest(deepWebhook(30_000));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: `body nests arrays or objects more than ${MAX_WEBHOOK_DEPTH} deep` });
    expect((await h.poll({ subject: 'up-1' })).json().events).toEqual([]);
  });

  it('stores a webhook nested right up to the limit, and reads it back whole', async () => {
    const h = await start();
    // The envelope is the first level.
    const body = deepWebhook(MAX_WEBHOOK_DEPTH - 1);
    expect((await h.ingest(body)).statusCode).toBe(200);
    const [event] = (await h.poll({ subject: 'up-1' })).json().events;
    expect(event.payload).toEqual(JSON.parse(body));
  });

  it('still serves a subject holding a deep body stored before the limit, and the events after it', async () => {
    const h = await start();
    await h.store.append({
      provider: 'streampixel',
      subject: 'up-1',
      type: 'build.uploaded',
      dedupeKey: 'stored-before-the-limit',
      receivedAt: new Date(NOW),
      body: deepWebhook(30_000, { event: 'build.uploaded' }),
      phase: 'progress',
    });
    const outcome = (await h.ingest(envelope({ event: 'build.approved', status: 'Approved' }))).json().cursor;

    const poll = await h.poll({ subject: 'up-1', after: 0 });
    expect(poll.statusCode).toBe(200);
    const events = poll.json().events;
    expect(events.map((e: { type: string; payload: unknown }) => [e.type, e.payload === null])).toEqual([
      ['build.uploaded', true],
      ['build.approved', false],
    ]);
    expect(events[1].cursor).toBe(outcome);

    const stream = await openSse(`${h.origin}/v1/events/stream?provider=streampixel&subject=up-1`);
    expect((await stream.nextEvent()).json).toMatchObject({ type: 'build.uploaded', payload: null });
    expect((await stream.nextEvent()).json).toMatchObject({ type: 'build.approved', cursor: outcome });
    stream.close();
    await stream.ended;
  });
});
