import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The GitHub simulator's servers listen the same way: a free port on 127.0.0.1, and a close that does not
// wait for idle keep-alive connections.

export interface LoopbackServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  origin: string;
  /** Stops listening and drops every connection, idle or not. */
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
