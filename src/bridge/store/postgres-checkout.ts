import type { Pool, PoolClient } from 'pg';

/** A pooled connection held by one caller, and the only way to give it back. */
export interface CheckedOutClient {
  client: PoolClient;
  /** `destroy`: the connection may be mid-transaction, dead or still holding a session lock. */
  release(destroy?: boolean | Error): void;
}

/**
 * pool.connect() with an 'error' listener for as long as the connection is checked out. When a checked-out
 * connection drops between two queries (a database outage, a killed backend), pg has no query to fail and
 * emits 'error' on the client instead; the pool listens only while the client is idle, so without this the
 * event is unhandled and takes the whole bridge down. The next query on the client fails anyway, which is
 * where the caller learns of it, so the listener only has to exist.
 */
export async function checkOut(pool: Pool): Promise<CheckedOutClient> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  return {
    client,
    release(destroy) {
      client.off('error', ignore);
      client.release(destroy);
    },
  };
}
