import { createServer, connect, type Socket } from 'node:net';

// A TCP proxy between the bridge and PostgreSQL, so a test can take "the database" away from one bridge
// without stopping the server every other test shares. cut() is an outage as the bridge sees it: every open
// connection drops at once and new ones are closed as soon as they are accepted; restore() ends it.

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  cut(): void;
  restore(): void;
  /** Connections accepted and passed through since start (not those refused while cut). */
  readonly forwarded: number;
  /** Connections closed on arrival while cut. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let forwarded = 0;
  let refused = 0;
  const server = createServer((client) => {
    if (cut) {
      refused += 1;
      client.destroy();
      return;
    }
    forwarded += 1;
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      // Either side failing tears the pair down; the errors themselves are the outage being simulated.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    rewrite(url) {
      const rewritten = new URL(url);
      rewritten.hostname = '127.0.0.1';
      rewritten.port = String(port);
      return rewritten.toString();
    },
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    async close() {
      cut = true;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** host and port of a postgres:// URL. */
export function postgresAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 5432) };
}
