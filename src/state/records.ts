/**
 * Translation between StateStore records and rows, shared by the SQLite and PostgreSQL
 * stores (both use the same column names): camelCase fields ↔ snake_case columns,
 * `undefined` ↔ NULL. Records built here carry exactly the interface's fields, so callers
 * can compare them with `toEqual` or write them to JSON as they are. Nothing here is
 * specific to one database: SQL text with placeholders lives with each store.
 */
import { canonicalJson } from '../audit/chain.ts';
import { toStorable } from '../audit/storable.ts';
import type { AuditEvent } from '../audit/event.ts';
import type { DatasetDecommission, PhaseRecord } from '../phase-record.ts';
import type { ObjectPatch, ObjectRecord, ObjectStatus } from './contracts/objects.ts';
import type { RunOutcome, RunRecord } from './contracts/runs.ts';
import type { PartRecord, UploadRecord } from './contracts/uploads.ts';

/** A value bound to a query parameter. */
export type SqlValue = string | number | null;

/** A row as a driver returns it: column name → value (SQL NULL as `null`). */
export type Row = Record<string, unknown>;

/** ObjectRecord field → column, in table order. `dataset` and `key` come first: they are the primary key. */
export const OBJECT_COLUMNS = {
  dataset: 'dataset',
  key: 'key',
  targetKey: 'target_key',
  size: 'size',
  sourceEtag: 'source_etag',
  sourceMd5: 'source_md5',
  sourceLastModified: 'source_last_modified',
  status: 'status',
  inventoryId: 'inventory_id',
  sha256: 'sha256',
  md5: 'md5',
  targetEtag: 'target_etag',
  expectedEtag: 'expected_etag',
  targetMeta: 'target_meta',
  sha256Carrier: 'sha256_carrier',
  attempts: 'attempts',
  lastError: 'last_error',
  copiedRunId: 'copied_run_id',
  copiedAt: 'copied_at',
  verifiedAt: 'verified_at',
  verifiedMode: 'verified_mode',
} as const satisfies Record<keyof ObjectRecord, string>;

export type ObjectField = keyof typeof OBJECT_COLUMNS;
export const OBJECT_FIELDS = Object.keys(OBJECT_COLUMNS) as ObjectField[];

/** Fields whose column is NOT NULL: `undefined` in a patch means "leave as is" for them. */
const REQUIRED_FIELDS: ReadonlySet<string> = new Set<ObjectField>([
  'targetKey',
  'size',
  'sourceEtag',
  'sourceLastModified',
  'status',
  'inventoryId',
  'attempts',
]);

/** The column list of `objects`, for SELECT and INSERT. */
export const OBJECT_COLUMN_LIST = OBJECT_FIELDS.map((f) => OBJECT_COLUMNS[f]).join(', ');

/**
 * The columns a patch sets, as `SET` clause and values. A field present with `undefined`
 * clears a nullable column (e.g. `lastError` after a successful retry) and is ignored for a
 * required one; a field that is not an ObjectRecord field is refused rather than ignored.
 */
export function patchAssignments(patch: ObjectPatch): { columns: string[]; values: SqlValue[] } {
  const columns: string[] = [];
  const values: SqlValue[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (field === 'dataset' || field === 'key' || !Object.hasOwn(OBJECT_COLUMNS, field)) {
      throw new Error(`cannot update field "${field}" of an object record`);
    }
    if (value === undefined && REQUIRED_FIELDS.has(field)) continue;
    columns.push(OBJECT_COLUMNS[field as ObjectField]);
    values.push((value ?? null) as SqlValue);
  }
  return { columns, values };
}

// Columns are typed (STRICT in SQLite; bigint parsed as a number by the PostgreSQL store),
// so a cast is all a value needs; `undefined` only appears for a column the query did not
// select, which is a bug these casts do not hide from tests.
type Cell = unknown;
const text = (v: Cell): string => v as string;
const optText = (v: Cell): string | undefined => (v === null ? undefined : (v as string));
const num = (v: Cell): number => v as number;

/** A row of `SELECT OBJECT_COLUMN_LIST FROM objects` as a record. */
export function objectFromRow(row: Row): ObjectRecord {
  return {
    dataset: text(row['dataset']),
    key: text(row['key']),
    targetKey: text(row['target_key']),
    size: num(row['size']),
    sourceEtag: text(row['source_etag']),
    sourceMd5: optText(row['source_md5']),
    sourceLastModified: text(row['source_last_modified']),
    status: text(row['status']) as ObjectStatus,
    inventoryId: text(row['inventory_id']),
    sha256: optText(row['sha256']),
    md5: optText(row['md5']),
    targetEtag: optText(row['target_etag']),
    expectedEtag: optText(row['expected_etag']),
    targetMeta: optText(row['target_meta']),
    sha256Carrier: optText(row['sha256_carrier']) as ObjectRecord['sha256Carrier'],
    attempts: num(row['attempts']),
    lastError: optText(row['last_error']),
    copiedRunId: optText(row['copied_run_id']),
    copiedAt: optText(row['copied_at']),
    verifiedAt: optText(row['verified_at']),
    verifiedMode: optText(row['verified_mode']) as ObjectRecord['verifiedMode'],
  };
}

/** A row of `runs` as a record; totals exist only once the run finished. */
export function runFromRow(row: Row): RunRecord {
  const ended = row['total_objects'] !== null;
  return {
    id: text(row['id']),
    command: text(row['command']),
    scope: text(row['scope']),
    startedAt: text(row['started_at']),
    endedAt: optText(row['ended_at']),
    outcome: optText(row['outcome']) as RunOutcome | undefined,
    totals: ended
      ? { objects: num(row['total_objects']), bytes: num(row['total_bytes']), failed: num(row['total_failed']) }
      : undefined,
  };
}

/** A row of `uploads` and its part rows as a record. */
export function uploadFromRows(row: Row, partRows: readonly Row[]): UploadRecord {
  return {
    dataset: text(row['dataset']),
    key: text(row['key']),
    targetKey: text(row['target_key']),
    uploadId: text(row['upload_id']),
    partSize: num(row['part_size']),
    sourceEtag: text(row['source_etag']),
    startedAt: text(row['started_at']),
    parts: partRows.map((p): PartRecord => ({
      partNumber: num(p['part_number']),
      etag: text(p['etag']),
      md5: text(p['md5']),
      size: num(p['size']),
    })),
  };
}

// ── audit events and phase records ────────────────────────────────────────────────────

/** The columns of `audit_events`, in table order, for SELECT and INSERT. */
export const AUDIT_COLUMN_LIST = 'seq, time, actor, phase, step, outcome, details, prev_hash, hash';

/**
 * An event's values in `AUDIT_COLUMN_LIST` order. `details` is stored as its canonical
 * JSON: the very text that went into the hash, so re-reading it gives the same hash.
 */
export function auditValues(e: AuditEvent): SqlValue[] {
  return [e.seq, e.time, e.actor, e.phase ?? null, e.step, e.outcome, canonicalJson(e.details), e.prevHash, e.hash];
}

/** A row of `audit_events` as an event, fields in the interface's order. */
export function auditFromRow(row: Row): AuditEvent {
  const phase = row['phase'];
  return {
    time: text(row['time']),
    actor: text(row['actor']),
    phase: phase === null ? undefined : num(phase),
    step: text(row['step']),
    outcome: text(row['outcome']),
    details: JSON.parse(text(row['details'])) as Record<string, unknown>,
    seq: num(row['seq']),
    prevHash: text(row['prev_hash']),
    hash: text(row['hash']),
  };
}

/** A phase record as the JSON text of `phases.record`, its strings redacted (defence in depth). */
export function phaseJson(record: PhaseRecord): string {
  return JSON.stringify(toStorable(record, { numbersAsText: false }));
}

/** `phases.record` back as a record carrying exactly the interface's fields (JSON drops `undefined` ones). */
export function phaseFromJson(json: string): PhaseRecord {
  const r = JSON.parse(json) as PhaseRecord;
  return {
    phaseId: r.phaseId,
    state: r.state,
    done: r.done.map((d) => ({ step: d.step, at: d.at, details: d.details })),
    failed: r.failed ? { step: r.failed.step, at: r.failed.at, error: r.failed.error } : undefined,
    approvals: r.approvals.map((a) => ({ role: a.role, name: a.name, at: a.at })),
    frozenAt: r.frozenAt ?? undefined,
    updatedAt: r.updatedAt,
    // Only when present: a record from before the decommission existed reads back with exactly its keys.
    ...(r.decommissioned && { decommissioned: r.decommissioned.map(decommissionFromJson) }),
    ...(r.decommissionApprovals && {
      decommissionApprovals: r.decommissionApprovals.map((a) => ({ role: a.role, name: a.name, at: a.at })),
    }),
  };
}

/** One dataset's decommission with every field present (JSON drops `undefined` ones). */
function decommissionFromJson(d: DatasetDecommission): DatasetDecommission {
  return {
    dataset: d.dataset,
    kind: d.kind,
    goneAt: d.goneAt ?? undefined,
    residualUntil: d.residualUntil ?? undefined,
    objectsLeftAtSource: d.objectsLeftAtSource,
    certificate: d.certificate,
    certificateSha256: d.certificateSha256,
  };
}
