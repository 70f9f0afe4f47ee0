import type { Pool } from 'pg';
import { MIGRATIONS, type Migration } from '../migrations/index.ts';
import { messageOf } from '../../lib/error-message.ts';
import { STORE_ERROR_CODE, StoreError } from './errors.ts';
import { checkOut } from './postgres-checkout.ts';
import { MIGRATE_LOCK_KEY } from './postgres-locks.ts';

/**
 * Applies the migrations the database has not recorded yet, each in its own transaction. Several bridge
 * replicas start at once: a session advisory lock lets one migrate while the others wait, then find every
 * version recorded. (Without it two CREATE TABLE IF NOT EXISTS can still collide in the catalog.)
 */
export async function migratePostgres(
  pool: Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  const { client, release } = await checkOut(pool);
  let broken: Error | undefined;
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATE_LOCK_KEY})`);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((row) => row.version));
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        try {
          await client.query('BEGIN');
          // No parameters: the simple protocol runs the migration's several statements in one go.
          await client.query(migration.postgres);
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new StoreError(
            STORE_ERROR_CODE.migration,
            `PostgreSQL migration ${migration.version} (${migration.name}) failed: ${messageOf(error)}`,
            { cause: error },
          );
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATE_LOCK_KEY})`);
    }
  } catch (error) {
    // A session lock dies with its connection: destroy it rather than return it to the pool still locked.
    broken = error instanceof Error ? error : new Error(messageOf(error));
    throw error;
  } finally {
    release(broken);
  }
}
