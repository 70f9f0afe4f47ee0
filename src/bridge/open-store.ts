import type { Logger } from '../lib/logger.ts';
import type { DatabaseConfig } from './config.ts';
import type { EventStore } from './store/store.ts';

/**
 * BRIDGE_DATABASE → an open store. Each driver is imported only when chosen, so a SQLite bridge never
 * loads pg and a PostgreSQL one never touches node:sqlite.
 */
export async function openEventStore(database: DatabaseConfig, logger?: Logger): Promise<EventStore> {
  if (database.kind === 'postgres') {
    const { createPostgresStore } = await import('./store/postgres.ts');
    return createPostgresStore({ connectionString: database.url, logger });
  }
  const { createSqliteStore } = await import('./store/sqlite.ts');
  return createSqliteStore({ path: database.path, logger });
}
