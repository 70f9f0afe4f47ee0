import type { Pool } from 'pg';
import { STORE_ERROR_CODE, StoreError } from './errors.ts';
import { HANDOFF_STATE, patchColumns, toStoredHandoff, type HandoffStore } from './handoff-store.ts';

// Handoffs on PostgreSQL, shared by every replica: a claim takes due, free rows with FOR UPDATE SKIP LOCKED,
// so two replicas claiming at once never take the same handoff, and neither waits for the other.

const CLAIM = `
UPDATE handoffs SET claimed_by = $1, claimed_until = $2
WHERE id IN (
  SELECT id FROM handoffs
  WHERE state = $5 AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
  ORDER BY next_attempt_at LIMIT $4
  FOR UPDATE SKIP LOCKED
)
RETURNING *`;

export function createPostgresHandoffs(pool: Pool): HandoffStore {
  return {
    async register({ id, repository, request, now }) {
      const { rows } = await pool.query(
        `INSERT INTO handoffs (id, repository, request, state, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5, $5) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [id, repository, JSON.stringify(request), HANDOFF_STATE.following, now],
      );
      if (!rows[0])
        throw new StoreError(STORE_ERROR_CODE.invalidEvent, `a handoff ${id} is already registered`);
      return toStoredHandoff(rows[0]);
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM handoffs WHERE id = $1', [id]);
      return rows[0] ? toStoredHandoff(rows[0]) : null;
    },
    async claim(owner, now, leaseMs, limit) {
      const { rows } = await pool.query(CLAIM, [owner, now + leaseMs, now, limit, HANDOFF_STATE.following]);
      return rows.map(toStoredHandoff).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    },
    async update(id, owner, now, patch) {
      const columns = patchColumns(patch, now);
      const result = await pool.query(
        `UPDATE handoffs SET ${columns.map(([name], i) => `${name} = $${i + 1}`).join(', ')}
         WHERE id = $${columns.length + 1} AND claimed_by = $${columns.length + 2}`,
        [...columns.map(([, value]) => value), id, owner],
      );
      return result.rowCount === 1;
    },
    async countOpen() {
      const { rows } = await pool.query('SELECT count(*)::int AS open FROM handoffs WHERE state = $1', [
        HANDOFF_STATE.following,
      ]);
      return Number(rows[0]?.open ?? 0);
    },
  };
}
