import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Pool } from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import { MIGRATIONS } from '../../src/bridge/migrations/index.ts';
import { createPostgresStore } from '../../src/bridge/store/postgres.ts';
import { migratePostgres } from '../../src/bridge/store/postgres-migrate.ts';
import { migrateSqlite } from '../../src/bridge/store/sqlite-migrate.ts';
import { createSqliteStore } from '../../src/bridge/store/sqlite.ts';
import type { EventStore } from '../../src/bridge/store/store.ts';
import { adminUrl, createTestDatabase } from './postgres-database.ts';

// Migration 002 fills in the normalised columns of the rows stored before it, in SQL, from their bodies: a
// bridge upgraded in place serves its old events in the new shape, with no provider parser at read time.

const [eventsOnly] = MIGRATIONS;
const approved = JSON.stringify({
  event: 'build.approved',
  projectId: 'proj-1',
  uploadId: 'up-1',
  fileUrl: 'https://builds.example/game.zip',
  status: 'Approved',
  objection: null,
  timestamp: '2025-06-01T11:59:59.000Z',
});
const rejected = JSON.stringify({
  event: 'build.rejected',
  projectId: 'proj-1',
  uploadId: 'up-1',
  fileUrl: null,
  status: 'Reject',
  objection: 'no exe',
  timestamp: '2025-06-01T12:00:01.000Z',
});
// A JSON NUL escape PostgreSQL cannot turn into text: the row stays unfilled rather than failing the upgrade.
const hostile =
  '{"event":"build.saving","projectId":"p\\u0000","uploadId":"up-1","status":"s","timestamp":"x"}';
const ROWS: Array<[string, string]> = [
  ['build.approved', approved],
  ['build.rejected', rejected],
  ['build.saving', hostile],
];

async function expectFilledIn(store: EventStore, hostileFilled: boolean) {
  await store.migrate();
  const events = await store.read({ provider: 'streampixel', subject: 'up-1', after: 0, limit: 10 });
  expect(
    events.map(({ phase, occurredAt, scope, status, detail, links }) => ({
      phase,
      occurredAt,
      scope,
      status,
      detail,
      links,
    })),
  ).toEqual([
    {
      phase: 'success',
      occurredAt: '2025-06-01T11:59:59.000Z',
      scope: 'proj-1',
      status: 'Approved',
      detail: null,
      links: { fileUrl: 'https://builds.example/game.zip' },
    },
    {
      phase: 'failure',
      occurredAt: '2025-06-01T12:00:01.000Z',
      scope: 'proj-1',
      status: 'Reject',
      detail: 'no exe',
      links: {},
    },
    hostileFilled
      ? { phase: 'progress', occurredAt: 'x', scope: 'p\u0000', status: 's', detail: null, links: {} }
      : { phase: null, occurredAt: null, scope: null, status: null, detail: null, links: {} },
  ]);
}

describe('migration 002 fills in the rows stored before it', () => {
  test('SQLite', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bridge-migration-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, 'events.db');
    const db = new DatabaseSync(path);
    migrateSqlite(db, Date.now, [eventsOnly!]);
    const insert = db.prepare(
      'INSERT INTO events (provider, subject, type, dedupe_key, received_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
    ROWS.forEach(([type, body], i) => insert.run('streampixel', 'up-1', type, `k${i}`, Date.now(), body));
    db.close();
    const store = createSqliteStore({ path });
    onTestFinished(() => store.close());
    await expectFilledIn(store, true);
  });

  test.skipIf(!adminUrl)('PostgreSQL (needs TEST_POSTGRES_URL)', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const pool = new Pool({ connectionString: database.url });
    await migratePostgres(pool, [eventsOnly!]);
    for (const [i, [type, body]] of ROWS.entries()) {
      await pool.query(
        'INSERT INTO events (provider, subject, type, dedupe_key, received_at, body) VALUES ($1, $2, $3, $4, now(), $5)',
        ['streampixel', 'up-1', type, `k${i}`, body],
      );
    }
    await pool.end();
    const store = createPostgresStore({ connectionString: database.url });
    onTestFinished(() => store.close());
    await expectFilledIn(store, false);
  });
});
