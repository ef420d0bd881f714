/**
 * Translation between StateStore records and SQLite rows. The database-neutral part lives
 * in `./records.ts` (shared with the PostgreSQL store) and is re-exported here; what is
 * SQLite's own (the upsert statement with `?` placeholders, values typed for node:sqlite)
 * stays in this file.
 */
import type { SQLInputValue } from 'node:sqlite';
import { OBJECT_COLUMN_LIST, OBJECT_COLUMNS, OBJECT_FIELDS } from './records.ts';
import type { ObjectRecord } from './contracts/objects.ts';

export {
  AUDIT_COLUMN_LIST,
  OBJECT_COLUMN_LIST,
  auditFromRow,
  auditValues,
  objectFromRow,
  patchAssignments,
  phaseFromJson,
  phaseJson,
  runFromRow,
  uploadFromRows,
} from './records.ts';

/** `INSERT … ON CONFLICT DO UPDATE` rather than `INSERT OR REPLACE`: REPLACE deletes the row first, which would fire ON DELETE actions of tables added later. */
export const UPSERT_OBJECT_SQL = `INSERT INTO objects (${OBJECT_COLUMN_LIST}) VALUES (${OBJECT_FIELDS.map(() => '?').join(', ')})
  ON CONFLICT (dataset, key) DO UPDATE SET ${OBJECT_FIELDS.slice(2)
    .map((f) => `${OBJECT_COLUMNS[f]} = excluded.${OBJECT_COLUMNS[f]}`)
    .join(', ')}`;

/** The values of a record in `OBJECT_COLUMN_LIST` order. */
export function objectValues(r: ObjectRecord): SQLInputValue[] {
  return OBJECT_FIELDS.map((f) => r[f] ?? null);
}
