import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';

// After a crash: is the database itself sound, and is every row there once? SQLite checks its own file
// (PRAGMA integrity_check walks every page, index and constraint). PostgreSQL's heap cannot be torn by a
// client's kill -9, so the check is on what the bridge relies on: unique, ordered cursors and unique dedupe
// keys, and amcheck's B-tree verification of every index of the table when the server has the extension.

export interface IntegrityReport {
  /** 'ok', or what the check found. */
  integrity: string;
  rows: number;
  duplicateCursors: number;
  duplicateDedupeKeys: number;
  /** Identical bodies stored more than once (each test body is unique, so any copy is a duplicate row). */
  duplicateBodies: number;
  /** The indexes amcheck verified; undefined when amcheck is not available. */
  indexesChecked?: number;
  /** Every stored body, for the byte-for-byte comparison. */
  bodies: string[];
}

const DUPLICATES = {
  cursors: 'SELECT count(*) AS n FROM (SELECT cursor FROM events GROUP BY cursor HAVING count(*) > 1) d',
  keys: 'SELECT count(*) AS n FROM (SELECT dedupe_key FROM events GROUP BY dedupe_key HAVING count(*) > 1) d',
  bodies: 'SELECT count(*) AS n FROM (SELECT body FROM events GROUP BY body HAVING count(*) > 1) d',
};

export function checkSqlite(path: string): IntegrityReport {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const integrity = db
      .prepare('PRAGMA integrity_check')
      .all()
      .map((row) => String(Object.values(row)[0]))
      .join('; ');
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    const bodies = db
      .prepare('SELECT body FROM events ORDER BY cursor')
      .all()
      .map((row) => String(row['body']));
    return {
      integrity,
      rows: bodies.length,
      duplicateCursors: count(DUPLICATES.cursors),
      duplicateDedupeKeys: count(DUPLICATES.keys),
      duplicateBodies: count(DUPLICATES.bodies),
      bodies,
    };
  } finally {
    db.close();
  }
}

export async function checkPostgres(url: string): Promise<IntegrityReport> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
    let indexesChecked: number | undefined;
    const problems: string[] = [];
    const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'");
    if (available.rowCount) {
      await client.query('CREATE EXTENSION IF NOT EXISTS amcheck');
      const indexes = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = 'events'::regclass`,
      );
      for (const { name } of indexes.rows) {
        // heapallindexed: every heap tuple must be findable through the index.
        await client.query('SELECT bt_index_check($1::regclass, true)', [name]).catch((error: Error) => {
          problems.push(`${name}: ${error.message}`);
        });
      }
      indexesChecked = indexes.rowCount ?? 0;
    }
    // Cursors must come out strictly increasing in the order readers page through them.
    const unordered = await count(
      `SELECT count(*) AS n FROM (SELECT cursor, lag(cursor) OVER (ORDER BY cursor) AS previous FROM events) c
       WHERE previous >= cursor`,
    );
    if (unordered > 0) problems.push(`${unordered} cursors out of order`);
    const bodies = (await client.query<{ body: string }>('SELECT body FROM events ORDER BY cursor')).rows.map(
      (row) => row.body,
    );
    return {
      integrity: problems.length === 0 ? 'ok' : problems.join('; '),
      rows: bodies.length,
      duplicateCursors: await count(DUPLICATES.cursors),
      duplicateDedupeKeys: await count(DUPLICATES.keys),
      duplicateBodies: await count(DUPLICATES.bodies),
      indexesChecked,
      bodies,
    };
  } finally {
    await client.end();
  }
}
