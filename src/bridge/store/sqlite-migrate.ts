import type { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, type Migration } from '../migrations/index.ts';
import { messageOf } from '../../lib/error-message.ts';
import { STORE_ERROR_CODE, StoreError } from './errors.ts';

/**
 * Applies the migrations `db` has not recorded yet, each in its own transaction. BEGIN IMMEDIATE takes
 * SQLite's write lock before the "already applied?" check, so two processes opening the same file at once
 * apply each migration exactly once (the second waits out busy_timeout, then finds it recorded).
 */
export function migrateSqlite(
  db: DatabaseSync,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT',
  );
  const isApplied = db.prepare('SELECT 1 AS applied FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (const migration of migrations) {
    db.exec('BEGIN IMMEDIATE');
    try {
      if (!isApplied.get(migration.version)) {
        db.exec(migration.sqlite);
        record.run(migration.version, now());
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw new StoreError(
        STORE_ERROR_CODE.migration,
        `SQLite migration ${migration.version} (${migration.name}) failed: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
}
