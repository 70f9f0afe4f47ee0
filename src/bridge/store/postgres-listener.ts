// The LISTEN side of cross-process wake-ups. It holds its own connection, never a pooled one: LISTEN is
// a property of the session, and a pooled client would be handed to other queries and recycled.
// PostgreSQL does not queue notifications for a session that is gone, so after any reconnect the store
// tells every reader to re-query (onListening): a missed notification delays nobody and loses nothing.

import { Client } from 'pg';
import { systemClock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { messageOf } from '../../lib/error-message.ts';

/** How the listen connection shows in pg_stat_activity, for operators (and the reconnect test). */
export const LISTEN_APPLICATION_NAME = 'release-bridge-listen';

export interface ListenBackoff {
  /** Delay before the second attempt, ms; doubles after each failure. */
  initialMs: number;
  maxMs: number;
}

export interface NotificationListenerOptions {
  connectionString: string;
  /** A constant SQL identifier (it is interpolated into LISTEN). */
  channel: string;
  onNotification(payload: string | undefined): void;
  /** LISTEN is in place, the first time or after a reconnect. */
  onListening(): void;
  logger: Logger;
  backoff: ListenBackoff;
  /**
   * How often the connection proves it is alive with SELECT 1, ms. A half-open TCP connection (a NAT or
   * load balancer dropped it silently) would otherwise swallow notifications until TCP keepalive gives up,
   * many minutes later.
   */
  heartbeatMs: number;
}

export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #stop = new AbortController();
  #client: Client | undefined;
  #connecting: Promise<void> | undefined;
  #started = false;

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
  }

  /** Connects in the background and stays connected (retrying with backoff) until close(). Idempotent. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#reconnect();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connectLoop(): Promise<void> {
    const { backoff, logger } = this.#options;
    for (let attempt = 0; !this.#stop.signal.aborted; attempt += 1) {
      if (attempt > 0) {
        const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
        // Jitter, so a fleet of bridges does not reconnect in lockstep after a database restart.
        await systemClock.sleep(delay / 2 + Math.random() * (delay / 2), this.#stop.signal);
        if (this.#stop.signal.aborted) break;
      }
      const client = new Client({
        connectionString: this.#options.connectionString,
        application_name: LISTEN_APPLICATION_NAME,
        // A half-open TCP connection would otherwise look like a quiet channel forever.
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        connectionTimeoutMillis: 10_000,
        // Bounds the heartbeat: a SELECT 1 that gets no answer this long means the connection is gone.
        query_timeout: this.#options.heartbeatMs,
      });
      // pg emits 'error' on a dropped connection; without a handler that would crash the process.
      client.on('error', (error) => logger.warn(`event store: LISTEN connection error: ${messageOf(error)}`));
      try {
        await client.connect();
        await client.query(`LISTEN ${this.#options.channel}`);
      } catch (error) {
        logger.warn(`event store: LISTEN connection failed (attempt ${attempt + 1}): ${messageOf(error)}`);
        await client.end().catch(() => undefined);
        continue;
      }
      if (this.#stop.signal.aborted) {
        await client.end().catch(() => undefined);
        break;
      }
      this.#client = client;
      client.on('notification', (message) => this.#options.onNotification(message.payload));
      const heartbeat = setInterval(() => {
        // Destroying the socket ends the client, and 'end' reconnects.
        client.query('SELECT 1').catch(() => client.connection.stream.destroy());
      }, this.#options.heartbeatMs).unref();
      client.once('end', () => {
        clearInterval(heartbeat);
        this.#lost(client);
      });
      this.#options.onListening();
      break;
    }
  }

  #lost(client: Client): void {
    if (this.#client !== client || this.#stop.signal.aborted) return;
    this.#client = undefined;
    this.#options.logger.warn('event store: LISTEN connection lost; reconnecting');
    this.#reconnect();
  }

  #reconnect(): void {
    const connecting: Promise<void> = this.#connectLoop().finally(() => {
      if (this.#connecting === connecting) this.#connecting = undefined;
    });
    this.#connecting = connecting;
  }
}
