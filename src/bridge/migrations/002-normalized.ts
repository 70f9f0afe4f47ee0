import type { Migration } from './migration.ts';

// The normalised event beside the raw body (DESIGN §7), so readers need no provider parser: phase, the
// provider's own time, scope, status, detail and links (JSON). occurred_at stays text, as the provider wrote it.
// Rows stored before this migration are all Streampixel's: they are filled in here, in SQL, from their bodies.
// PostgreSQL cannot turn a JSON `\u0000` escape into text, so such a row (a hostile body) is left unfilled;
// readers then see no phase for it, as for any row they cannot read.

const PHASE_OF_TYPE = `CASE type
    WHEN 'build.approved' THEN 'success'
    WHEN 'build.rejected' THEN 'failure'
    WHEN 'webhook.test' THEN 'test'
    WHEN 'build.uploaded' THEN 'progress'
    WHEN 'build.downloading' THEN 'progress'
    WHEN 'build.extracting' THEN 'progress'
    WHEN 'build.saving' THEN 'progress'
    WHEN 'build.distributing' THEN 'progress'
    ELSE 'other' END`;

export const normalizedMigration: Migration = {
  version: 2,
  name: 'normalized',
  sqlite: `
ALTER TABLE events ADD COLUMN phase TEXT;
ALTER TABLE events ADD COLUMN occurred_at TEXT;
ALTER TABLE events ADD COLUMN scope TEXT;
ALTER TABLE events ADD COLUMN status TEXT;
ALTER TABLE events ADD COLUMN detail TEXT;
ALTER TABLE events ADD COLUMN links TEXT;
UPDATE events SET
  phase = ${PHASE_OF_TYPE},
  occurred_at = json_extract(body, '$.timestamp'),
  scope = json_extract(body, '$.projectId'),
  status = json_extract(body, '$.status'),
  detail = json_extract(body, '$.objection'),
  links = CASE WHEN json_type(body, '$.fileUrl') = 'text'
    THEN json_object('fileUrl', json_extract(body, '$.fileUrl')) ELSE '{}' END
WHERE provider = 'streampixel' AND json_valid(body);
`,
  postgres: `
ALTER TABLE events
  ADD COLUMN phase text,
  ADD COLUMN occurred_at text,
  ADD COLUMN scope text,
  ADD COLUMN status text,
  ADD COLUMN detail text,
  ADD COLUMN links text;
UPDATE events SET
  phase = ${PHASE_OF_TYPE},
  occurred_at = body::json->>'timestamp',
  scope = body::json->>'projectId',
  status = body::json->>'status',
  detail = body::json->>'objection',
  links = CASE WHEN json_typeof(body::json->'fileUrl') = 'string'
    THEN json_build_object('fileUrl', body::json->>'fileUrl')::text ELSE '{}' END
WHERE provider = 'streampixel' AND strpos(body, '\\u0000') = 0;
`,
};
