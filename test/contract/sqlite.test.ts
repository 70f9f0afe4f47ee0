import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createSqliteStore } from '../../src/bridge/store/sqlite.ts';
import { describeEventStoreContract } from './event-store.contract.ts';

// Every test gets a new file in a new temp directory.
describeEventStoreContract('SQLite', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'bridge-store-'));
  const path = join(directory, 'events.db');
  return {
    open: () => createSqliteStore({ path }),
    async appliedVersions() {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        return db
          .prepare('SELECT version FROM schema_migrations ORDER BY version')
          .all()
          .map((row) => Number(row['version']));
      } finally {
        db.close();
      }
    },
    destroy: () => rm(directory, { recursive: true, force: true }),
  };
});

describe('SQLite file settings', () => {
  test('the file is in WAL mode, as another connection sees it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bridge-store-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, 'events.db');
    const store = createSqliteStore({ path });
    onTestFinished(() => store.close());
    await store.migrate();

    const other = new DatabaseSync(path, { readOnly: true });
    onTestFinished(() => other.close());
    expect(other.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
  });
});
