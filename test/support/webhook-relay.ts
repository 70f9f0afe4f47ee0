import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OnFinished } from './built-bridge.ts';

// Sits between the simulator and the wait path (the bridge's hook URL or the action's receiver) and
// forwards every webhook byte for byte, answering with the target's status. Its one extra: `intercept`
// runs before a webhook is forwarded and may post envelopes of its own first. The simulator sends a
// build's webhooks one after another, so whatever `intercept` posts lands after the previous real event and
// before this one: a deterministic "while the build is in flight", no timers involved.

export type Envelope = Record<string, unknown>;
/** Posts an envelope to the target; resolves with its status (0 when unreachable). */
export type PostWebhook = (envelope: Envelope) => Promise<number>;
export type Intercept = (envelope: Envelope, post: PostWebhook) => Promise<void>;

/** One POST on a fresh connection (no pool: a bridge restarted mid-test must not meet a stale socket). */
export function postWebhook(target: string, body: Envelope | string): Promise<number> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(target, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      timeout: 15_000,
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(text);
  });
}

export async function startWebhookRelay(options: {
  target: string;
  onFinished: OnFinished;
  intercept?: Intercept;
}): Promise<{ url: string }> {
  const post: PostWebhook = (envelope) => postWebhook(options.target, envelope);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (options.intercept) {
          const envelope = JSON.parse(raw) as Envelope;
          await options.intercept(envelope, post);
        }
        const status = await postWebhook(options.target, raw);
        // Unreachable target: what Streampixel would see from a dead endpoint.
        if (status === 0) response.destroy();
        else response.writeHead(status).end();
      })().catch(() => response.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  options.onFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/relay` };
}
