import type { Migration } from './migration.ts';

// Handoffs (DESIGN §10): releases the bridge finishes after the job has ended, durable beside the events so a
// restart loses none. A replica works on one only while it holds its lease (claimed_by, claimed_until): on
// PostgreSQL several replicas claim with FOR UPDATE SKIP LOCKED, so each handoff has one owner at a time, and
// a replica that dies lets its lease run out for another to take over. Times are milliseconds since the epoch.

export const handoffsMigration: Migration = {
  version: 3,
  name: 'handoffs',
  sqlite: `
CREATE TABLE handoffs (
  id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
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
CREATE INDEX handoffs_open ON handoffs (state, next_attempt_at);
`,
  postgres: `
CREATE TABLE handoffs (
  id text PRIMARY KEY,
  repository text NOT NULL,
  request text NOT NULL,
  state text NOT NULL,
  outcome text,
  detail text,
  cursor bigint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  claimed_by text,
  claimed_until bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX handoffs_open ON handoffs (state, next_attempt_at);
`,
};
