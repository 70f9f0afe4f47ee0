import type { Migration } from './migration.ts';

// The append-only events table of DESIGN §4.
// - cursor never repeats, even after retention deletes the newest rows: SQLite needs AUTOINCREMENT for that
//   (a plain rowid reuses max+1), a PostgreSQL identity is a sequence and never goes back.
// - the unique dedupe_key index is what INSERT … ON CONFLICT (dedupe_key) DO NOTHING relies on.
// - (provider, subject, cursor) serves "events of one build after a cursor" and max(cursor) per build.
// - received_at serves retention (purgeOlderThan).
// SQLite keeps received_at as integer milliseconds since the epoch; PostgreSQL as timestamptz (milliseconds
// survive: it stores microseconds).

export const eventsMigration: Migration = {
  version: 1,
  name: 'events',
  sqlite: `
CREATE TABLE events (
  cursor INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX events_dedupe_key ON events (dedupe_key);
CREATE INDEX events_provider_subject_cursor ON events (provider, subject, cursor);
CREATE INDEX events_received_at ON events (received_at);
`,
  postgres: `
CREATE TABLE events (
  cursor bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider text NOT NULL,
  subject text NOT NULL,
  type text NOT NULL,
  dedupe_key text NOT NULL,
  received_at timestamptz NOT NULL,
  body text NOT NULL
);
CREATE UNIQUE INDEX events_dedupe_key ON events (dedupe_key);
CREATE INDEX events_provider_subject_cursor ON events (provider, subject, cursor);
CREATE INDEX events_received_at ON events (received_at);
`,
};
