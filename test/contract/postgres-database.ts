import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// Test databases on the server TEST_POSTGRES_URL names: one CREATE DATABASE per test, dropped afterwards,
// so tests run in parallel without sharing tables, sequences, advisory locks or LISTEN channels (all of
// which are per database).

export const adminUrl = process.env['TEST_POSTGRES_URL'];

export interface TestDatabase {
  name: string;
  /** TEST_POSTGRES_URL pointed at this database. */
  url: string;
  /** Runs one statement on this database through a short-lived connection. */
  query<Row extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
  /** Drops the database, disconnecting whoever is still on it. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!adminUrl) throw new Error('TEST_POSTGRES_URL is not set');
  const name = `bridge_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    query: (sql, values) =>
      withClient(url.toString(), async (client) => (await client.query(sql, values)).rows),
    drop: () =>
      withClient(
        adminUrl,
        async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
      ),
  };
}
