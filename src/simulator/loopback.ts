import type { Server } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

// The simulators' servers (and the tests' own) listen the same way: a free port on 127.0.0.1, and a close
// that does not wait for idle keep-alive connections.

export interface LoopbackServer {
  port: number;
  /** http(s)://127.0.0.1:<port>, no trailing slash. */
  origin: string;
  /** Stops listening and drops every connection, idle or not. */
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server | HttpsServer): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `${server instanceof HttpsServer ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
