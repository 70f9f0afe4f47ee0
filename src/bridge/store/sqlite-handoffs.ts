import type { DatabaseSync } from 'node:sqlite';
import { STORE_ERROR_CODE, StoreError } from './errors.ts';
import {
  HANDOFF_STATE,
  patchColumns,
  toStoredHandoff,
  type HandoffStore,
  type StoredHandoff,
} from './handoff-store.ts';

// Handoffs on SQLite. One process owns the file, so a claim is one short IMMEDIATE transaction. They run on the
// store's writer thread (sqlite-writer.ts), one request at a time, so nothing interleaves with a group commit
// and a lock wait never stalls the event loop.

export function createSqliteHandoffs(db: DatabaseSync): HandoffStore {
  const get = (id: string): StoredHandoff | null => {
    const row = db.prepare('SELECT * FROM handoffs WHERE id = ?').get(id);
    return row ? toStoredHandoff(row) : null;
  };
  return {
    async register({ id, repository, request, now }) {
      const inserted = db
        .prepare(
          `INSERT INTO handoffs (id, repository, request, state, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`,
        )
        .get(id, repository, JSON.stringify(request), HANDOFF_STATE.following, now, now, now);
      if (!inserted)
        throw new StoreError(STORE_ERROR_CODE.invalidEvent, `a handoff ${id} is already registered`);
      return get(id) as StoredHandoff;
    },
    get: async (id) => get(id),
    async claim(owner, now, leaseMs, limit) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const ids = db
          .prepare(
            `SELECT id FROM handoffs WHERE state = ? AND next_attempt_at <= ?
               AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at LIMIT ?`,
          )
          .all(HANDOFF_STATE.following, now, now, limit)
          .map((row) => String(row['id']));
        const take = db.prepare('UPDATE handoffs SET claimed_by = ?, claimed_until = ? WHERE id = ?');
        for (const id of ids) take.run(owner, now + leaseMs, id);
        db.exec('COMMIT');
        return ids.map((id) => get(id) as StoredHandoff);
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    async update(id, owner, now, patch) {
      const columns = patchColumns(patch, now);
      const { changes } = db
        .prepare(
          `UPDATE handoffs SET ${columns.map(([name]) => `${name} = ?`).join(', ')} WHERE id = ? AND claimed_by = ?`,
        )
        .run(...(columns.map(([, value]) => value) as Array<string | number | null>), id, owner);
      return Number(changes) === 1;
    },
    async countOpen() {
      const row = db
        .prepare('SELECT count(*) AS open FROM handoffs WHERE state = ?')
        .get(HANDOFF_STATE.following);
      return Number(row?.['open'] ?? 0);
    },
  };
}
