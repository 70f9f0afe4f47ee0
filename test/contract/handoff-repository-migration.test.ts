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

// Migration 004 makes a handoff's repository nullable (a handoff registered with BRIDGE_HANDOFF_TOKEN has
// none). A bridge upgraded in place keeps every handoff it had, each with its repository, progress and lease,
// and its open ones are still claimed; SQLite gets there by rebuilding the table.

const upTo003 = MIGRATIONS.filter((migration) => migration.version <= 3);
const T0 = 1_750_000_000_000;
const REQUEST = JSON.stringify({ provider: 'streampixel', subject: 'up-1', deadline: T0 + 60_000 });
// id, repository, state, outcome, cursor, attempts, next_attempt_at, claimed_by, claimed_until
const ROWS: Array<
  [string, string, string, string | null, number, number, number, string | null, number | null]
> = [
  ['h-open', 'acme/game', 'following', null, 4, 1, T0 + 5_000, 'replica-a', T0 + 1_000],
  ['h-done', 'Acme/Other', 'finished', 'approved', 9, 0, T0, null, null],
];
const INSERT = `INSERT INTO handoffs (id, repository, request, state, outcome, cursor, attempts, next_attempt_at,
  claimed_by, claimed_until, created_at, updated_at)`;

async function expectRowsKept(store: EventStore) {
  await store.migrate();
  expect(await store.handoffs.get('h-open')).toMatchObject({
    repository: 'acme/game',
    request: JSON.parse(REQUEST),
    state: 'following',
    cursor: 4,
    attempts: 1,
    nextAttemptAt: T0 + 5_000,
    claimedBy: 'replica-a',
    claimedUntil: T0 + 1_000,
    createdAt: T0,
  });
  expect(await store.handoffs.get('h-done')).toMatchObject({
    repository: 'Acme/Other',
    state: 'finished',
    outcome: 'approved',
    cursor: 9,
  });
  // The rebuilt table still serves claims (its index made again): the open one, once its lease ran out.
  const claimed = await store.handoffs.claim('replica-b', T0 + 6_000, 60_000, 10);
  expect(claimed.map((handoff) => handoff.id)).toEqual(['h-open']);
}

describe('migration 004 makes a handoff’s repository nullable, keeping the rows stored before it', () => {
  test('SQLite', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bridge-migration-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, 'events.db');
    const db = new DatabaseSync(path);
    migrateSqlite(db, Date.now, upTo003);
    const insert = db.prepare(`${INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const row of ROWS) insert.run(...row.slice(0, 2), REQUEST, ...row.slice(2), T0, T0);
    expect(() =>
      db
        .prepare(
          `${INSERT.replace('repository, ', '')} VALUES ('x', '{}', 'following', null, 0, 0, 0, null, null, 0, 0)`,
        )
        .run(),
    ).toThrow(/NOT NULL/);
    db.close();

    const store = createSqliteStore({ path });
    onTestFinished(() => store.close());
    await expectRowsKept(store);

    const after = new DatabaseSync(path);
    onTestFinished(() => after.close());
    after
      .prepare(`${INSERT} VALUES ('h-token', NULL, '{}', 'following', NULL, 0, 0, 0, NULL, NULL, 0, 0)`)
      .run();
    expect(after.prepare('SELECT repository FROM handoffs WHERE id = ?').get('h-token')).toEqual({
      repository: null,
    });
    expect(
      after
        .prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'handoffs' ORDER BY name")
        .all()
        .map((row) => row['name']),
    ).toEqual(['handoffs', 'handoffs_open', 'sqlite_autoindex_handoffs_1']);
  });

  test.skipIf(!adminUrl)('PostgreSQL (needs TEST_POSTGRES_URL)', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const pool = new Pool({ connectionString: database.url });
    await migratePostgres(pool, upTo003);
    for (const row of ROWS) {
      await pool.query(`${INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`, [
        ...row.slice(0, 2),
        REQUEST,
        ...row.slice(2),
        T0,
      ]);
    }
    await pool.end();

    const store = createPostgresStore({ connectionString: database.url });
    onTestFinished(() => store.close());
    await expectRowsKept(store);
    await database.query(
      `${INSERT} VALUES ('h-token', NULL, '{}', 'following', NULL, 0, 0, 0, NULL, NULL, 0, 0)`,
    );
    expect(await database.query('SELECT repository FROM handoffs WHERE id = $1', ['h-token'])).toEqual([
      { repository: null },
    ]);
  });
});
