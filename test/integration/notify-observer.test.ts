import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRunRecord, tell } from '../../src/release/observers.ts';
import { notifyObserver } from '../../src/release/notify/notify-observer.ts';
import { parseNotifySettings } from '../../src/release/notify/settings.ts';
import type { Result } from '../../src/wait/types.ts';

// The notification as the action uses it: told at the end of a run, by default only of a rejection or a
// timeout, to a loopback endpoint through the sender's test-only allowance.

async function endpoint() {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

async function finish(url: string, result: Result, on = '') {
  const parsed = parseNotifySettings({ url: url.replace('http:', 'https:'), on, format: 'json' });
  if (!parsed.ok || !parsed.value) throw new Error('bad settings');
  const settings = { ...parsed.value, url: new URL(url) };
  const warnings: string[] = [];
  const observer = notifyObserver(
    settings,
    {
      provider: 'streampixel',
      command: 'release',
      projectId: 'proj-1',
      shareUrl: 'https://share.streampixel.io/proj-1',
      runUrl: null,
      repository: 'acme/game',
      commit: null,
    },
    (message) => void warnings.push(message),
    { testOnly: { allowAddress: () => true, allowHttp: true } },
  );
  const record = createRunRecord(Date.now(), 'up-1');
  record.result = result;
  await tell(
    [observer],
    (o) => o.finished?.(record),
    (message) => void warnings.push(message),
  );
  return warnings;
}

describe('notification at the end of a run', () => {
  it('is sent on a rejection, with the objection', async () => {
    const { url, bodies } = await endpoint();
    const warnings = await finish(url, {
      outcome: 'rejected',
      failure: 'rejected: no exe',
      objection: 'no exe',
    });
    expect(warnings).toEqual([]);
    expect(bodies).toEqual([
      expect.objectContaining({ outcome: 'rejected', detail: 'no exe', subject: 'up-1' }),
    ]);
  });

  it('is not sent on an approval by default, and is when notify-on says always', async () => {
    const { url, bodies } = await endpoint();
    await finish(url, { outcome: 'approved', failure: null, objection: null });
    expect(bodies).toEqual([]);
    await finish(url, { outcome: 'approved', failure: null, objection: null }, 'always');
    expect(bodies).toEqual([
      expect.objectContaining({ outcome: 'approved', shareUrl: 'https://share.streampixel.io/proj-1' }),
    ]);
  });
});
