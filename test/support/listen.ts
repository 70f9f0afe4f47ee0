import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { onTestFinished } from 'vitest';
import { listenOnLoopback } from '../../src/simulator/loopback.ts';

/**
 * Listens on a free loopback port and closes the server, open connections included, once the test ends.
 * Returns the port.
 */
export async function listenForTest(server: HttpServer | HttpsServer): Promise<number> {
  const listening = await listenOnLoopback(server);
  onTestFinished(() => listening.close());
  return listening.port;
}
