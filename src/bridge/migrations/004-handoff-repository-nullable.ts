import type { Migration } from './migration.ts';

// A handoff registered with BRIDGE_HANDOFF_TOKEN (the CLI, from another CI) has no repository: the bridge only
// notifies for it and never calls GitHub. Its repository column becomes nullable; every row stored before keeps
// its repository. SQLite cannot drop NOT NULL in place, so the small table is rebuilt (create, copy, drop,
// rename: SQLite's documented procedure), inside the migration's one transaction; its index goes with the old
// table and is made again.

export const handoffRepositoryNullableMigration: Migration = {
  version: 4,
  name: 'handoff-repository-nullable',
  sqlite: `
CREATE TABLE handoffs_rebuilt (
  id TEXT PRIMARY KEY,
  repository TEXT,
  request TEXT NOT NULL,
  state TEXT NOT NULL,
  outcome TEXT,
  detail TEXT,
  cursor INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_by TEXT,
  claimed_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO handoffs_rebuilt (id, repository, request, state, outcome, detail, cursor, attempts,
    next_attempt_at, claimed_by, claimed_until, created_at, updated_at)
  SELECT id, repository, request, state, outcome, detail, cursor, attempts,
    next_attempt_at, claimed_by, claimed_until, created_at, updated_at
  FROM handoffs;
DROP TABLE handoffs;
ALTER TABLE handoffs_rebuilt RENAME TO handoffs;
CREATE INDEX handoffs_open ON handoffs (state, next_attempt_at);
`,
  postgres: `
ALTER TABLE handoffs ALTER COLUMN repository DROP NOT NULL;
`,
};
