/**
 * The default StateStore: one SQLite file through Node's built-in `node:sqlite`.
 * Safe to share between processes on one machine (WAL + busy timeout); many machines
 * need the PostgreSQL store instead.
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { CutoverTables } from './sqlite-cutover.ts';
import { openStateDatabase } from './sqlite-schema.ts';
import {
  OBJECT_COLUMN_LIST,
  UPSERT_OBJECT_SQL,
  objectFromRow,
  objectValues,
  patchAssignments,
  runFromRow,
  uploadFromRows,
} from './sqlite-rows.ts';
import { OBJECT_STATUSES } from './state-store.ts';
import { redact } from '../secrets/redact.ts';
import type {
  AuditEvent,
  AuditInput,
  DatabaseRecord,
  ObjectPatch,
  ObjectRecord,
  ObjectStatus,
  PartRecord,
  PhaseRecord,
  RunOutcome,
  RunRecord,
  RunTotals,
  StateStore,
  StatusCounts,
  UploadRecord,
} from './state-store.ts';

/** Rows fetched per query by `iterateObjects`: bounds memory whatever the dataset size. */
export const OBJECT_PAGE_SIZE = 1000;

/**
 * Opens the state file at `path` (creating it and its parent folders if needed, and
 * bringing its schema up to date). `:memory:` gives a private in-memory store for tests.
 */
export async function openSqliteStateStore(path: string): Promise<StateStore> {
  const { db, location } = await openStateDatabase(path);
  return new SqliteStateStore(db, location);
}

/**
 * Page queries of `iterateObjects`, keyset-paginated on `key` so each page is an index
 * seek, not an OFFSET scan. One status reads `objects_by_status`, already in key order.
 * Several statuses read the primary key in key order and filter: the unary `+` keeps the
 * planner off the status index (which it may prefer once statistics exist), because that
 * plan sorts every remaining match again on every page.
 */
export const OBJECT_PAGE_SQL = {
  all: `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = ? AND key > ? ORDER BY key LIMIT ?`,
  oneStatus: `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = ? AND status = ? AND key > ? ORDER BY key LIMIT ?`,
  someStatuses: `SELECT ${OBJECT_COLUMN_LIST} FROM objects
    WHERE dataset = ? AND +status IN (SELECT value FROM json_each(?)) AND key > ? ORDER BY key LIMIT ?`,
} as const;

/** A StateStore on an open SQLite connection. Use {@link openSqliteStateStore} to get one. */
export class SqliteStateStore implements StateStore {
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #updateStatements = new Map<string, StatementSync>();
  #closed = false;

  // Prepared once: re-preparing per call would dominate the cost of bulk inserts.
  readonly #insertRun: StatementSync;
  readonly #finishRun: StatementSync;
  readonly #listRuns: StatementSync;
  readonly #getObjects: StatementSync;
  readonly #upsertObject: StatementSync;
  readonly #pageAll: StatementSync;
  readonly #pageOneStatus: StatementSync;
  readonly #pageSomeStatuses: StatementSync;
  readonly #countByStatus: StatementSync;
  readonly #selectUnseen: StatementSync;
  readonly #markUnseen: StatementSync;
  readonly #getUpload: StatementSync;
  readonly #getParts: StatementSync;
  readonly #deleteUpload: StatementSync;
  readonly #insertUpload: StatementSync;
  readonly #upsertPart: StatementSync;
  readonly #cutover: CutoverTables;

  constructor(db: DatabaseSync, location: string) {
    this.#db = db;
    this.location = location;
    this.#insertRun = db.prepare('INSERT INTO runs (id, command, scope, started_at) VALUES (?, ?, ?, ?)');
    this.#finishRun = db.prepare(
      'UPDATE runs SET ended_at = ?, outcome = ?, total_objects = ?, total_bytes = ?, total_failed = ? WHERE id = ?',
    );
    this.#listRuns = db.prepare('SELECT * FROM runs ORDER BY started_at DESC, seq DESC LIMIT ?');
    this.#getObjects = db.prepare(
      `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = ? AND key IN (SELECT value FROM json_each(?))`,
    );
    this.#upsertObject = db.prepare(UPSERT_OBJECT_SQL);
    this.#pageAll = db.prepare(OBJECT_PAGE_SQL.all);
    this.#pageOneStatus = db.prepare(OBJECT_PAGE_SQL.oneStatus);
    this.#pageSomeStatuses = db.prepare(OBJECT_PAGE_SQL.someStatuses);
    this.#countByStatus = db.prepare(
      'SELECT status, count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM objects WHERE dataset = ? GROUP BY status',
    );
    const unseen = "dataset = ? AND inventory_id <> ? AND status <> 'deleted-at-source'";
    this.#selectUnseen = db.prepare(`SELECT key FROM objects WHERE ${unseen} ORDER BY key`);
    this.#markUnseen = db.prepare(`UPDATE objects SET status = 'deleted-at-source' WHERE ${unseen}`);
    this.#getUpload = db.prepare('SELECT * FROM uploads WHERE dataset = ? AND key = ?');
    this.#getParts = db.prepare(
      'SELECT part_number, etag, md5, size FROM upload_parts WHERE dataset = ? AND key = ? ORDER BY part_number',
    );
    this.#deleteUpload = db.prepare('DELETE FROM uploads WHERE dataset = ? AND key = ?');
    this.#insertUpload = db.prepare(
      'INSERT INTO uploads (dataset, key, target_key, upload_id, part_size, source_etag, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // Inserting through a SELECT on the upload row refuses a part of an upload that was
    // replaced meanwhile (a stale worker), in the same statement, without a race.
    this.#upsertPart = db.prepare(`INSERT INTO upload_parts (dataset, key, part_number, etag, md5, size)
      SELECT dataset, key, ?, ?, ?, ? FROM uploads WHERE dataset = ? AND key = ? AND upload_id = ?
      ON CONFLICT (dataset, key, part_number) DO UPDATE SET etag = excluded.etag, md5 = excluded.md5, size = excluded.size`);
    this.#cutover = new CutoverTables(db, (fn) => this.#write(fn));
  }

  // ── runs ──────────────────────────────────────────────────────────────────────────

  async startRun(run: { command: string; scope: string }): Promise<string> {
    const startedAt = new Date().toISOString();
    // The compact timestamp first makes ids sort by start time; the random tail keeps
    // runs started in the same millisecond by two processes apart.
    const id = `run-${startedAt.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    this.#insertRun.run(id, run.command, run.scope, startedAt);
    return id;
  }

  async finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void> {
    const { changes } = this.#finishRun.run(new Date().toISOString(), outcome, totals.objects, totals.bytes, totals.failed, id);
    if (changes === 0) throw new Error(`cannot finish run ${id}: no such run in ${this.location}`);
  }

  async listRuns(limit?: number): Promise<RunRecord[]> {
    return this.#listRuns.all(limit ?? -1).map(runFromRow);
  }

  // ── objects ───────────────────────────────────────────────────────────────────────

  async getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>> {
    const found = new Map<string, ObjectRecord>();
    if (keys.length === 0) return found;
    // One JSON array parameter instead of one `?` per key: no limit on the number of keys,
    // and one prepared statement for every call.
    for (const row of this.#getObjects.iterate(dataset, JSON.stringify(keys))) {
      const record = objectFromRow(row);
      found.set(record.key, record);
    }
    return found;
  }

  async putObjects(records: readonly ObjectRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.#write(() => {
      for (const record of records) this.#upsertObject.run(...objectValues(record));
    });
  }

  async updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void> {
    const { columns, values } = patchAssignments(patch);
    if (columns.length === 0) {
      if ((await this.getObjects(dataset, [key])).size === 0) throw this.#noObject(dataset, key);
      return;
    }
    const shape = columns.join(',');
    let statement = this.#updateStatements.get(shape);
    if (!statement) {
      statement = this.#db.prepare(
        `UPDATE objects SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE dataset = ? AND key = ?`,
      );
      this.#updateStatements.set(shape, statement);
    }
    if (statement.run(...values, dataset, key).changes === 0) throw this.#noObject(dataset, key);
  }

  async *iterateObjects(dataset: string, statuses?: readonly ObjectStatus[]): AsyncIterable<ObjectRecord> {
    if (statuses !== undefined && statuses.length === 0) return;
    const wanted = statuses === undefined ? undefined : [...new Set(statuses)];
    const statusJson = wanted && JSON.stringify(wanted);
    let after = '';
    for (;;) {
      // Each page is its own short read, so the caller may write to the store between
      // records (and other processes may write too) without holding a snapshot open.
      const rows =
        wanted === undefined
          ? this.#pageAll.all(dataset, after, OBJECT_PAGE_SIZE)
          : wanted.length === 1
            ? this.#pageOneStatus.all(dataset, wanted[0]!, after, OBJECT_PAGE_SIZE)
            : this.#pageSomeStatuses.all(dataset, statusJson!, after, OBJECT_PAGE_SIZE);
      for (const row of rows) yield objectFromRow(row);
      if (rows.length < OBJECT_PAGE_SIZE) return;
      after = rows.at(-1)!['key'] as string;
    }
  }

  async countObjects(dataset: string): Promise<StatusCounts> {
    const counts = Object.fromEntries(OBJECT_STATUSES.map((s) => [s, { objects: 0, bytes: 0 }])) as StatusCounts;
    for (const row of this.#countByStatus.iterate(dataset)) {
      counts[row['status'] as ObjectStatus] = { objects: row['objects'] as number, bytes: row['bytes'] as number };
    }
    return counts;
  }

  async countVerifiedFull(dataset: string): Promise<number> {
    // Counted by the index on (dataset, status, key): gates and status read this often.
    const row = this.#db.prepare("SELECT count(*) AS n FROM objects WHERE dataset = ? AND status = 'verified' AND verified_mode = 'full'").get(dataset);
    return (row?.['n'] as number | undefined) ?? 0;
  }

  async markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]> {
    // SELECT then UPDATE inside one write transaction: the keys come back in byte order
    // (UPDATE … RETURNING has no order) and are exactly the rows updated.
    return this.#write(() => {
      const keys = this.#selectUnseen.all(dataset, inventoryId).map((row) => row['key'] as string);
      if (keys.length > 0) this.#markUnseen.run(dataset, inventoryId);
      return keys;
    });
  }

  // ── multipart uploads in progress ───────────────────────────────────────────────────

  async getUpload(dataset: string, key: string): Promise<UploadRecord | undefined> {
    // One read transaction so the upload and its parts come from the same moment.
    this.#db.exec('BEGIN');
    try {
      const row = this.#getUpload.get(dataset, key);
      return row && uploadFromRows(row, this.#getParts.all(dataset, key));
    } finally {
      this.#db.exec('COMMIT');
    }
  }

  async startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void> {
    this.#write(() => {
      // ON DELETE CASCADE drops the parts of the upload being replaced.
      this.#deleteUpload.run(upload.dataset, upload.key);
      this.#insertUpload.run(
        upload.dataset, upload.key, upload.targetKey, upload.uploadId, upload.partSize, upload.sourceEtag, upload.startedAt,
      );
    });
  }

  async recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void> {
    // An autocommit statement: committed to the WAL, hence durable, when run() returns.
    const { changes } = this.#upsertPart.run(part.partNumber, part.etag, part.md5, part.size, dataset, key, uploadId);
    if (changes === 0) {
      throw new Error(
        `cannot record part ${part.partNumber} of ${dataset}/${key}: upload ${uploadId} is not the upload in progress ` +
          '(it was cleared or replaced by a newer one); restart the copy of this object',
      );
    }
  }

  async clearUpload(dataset: string, key: string): Promise<void> {
    this.#deleteUpload.run(dataset, key);
  }

  // ── audit log and phases (sqlite-cutover.ts) ───────────────────────────────────────

  async appendAudit(event: AuditInput): Promise<AuditEvent> {
    return this.#cutover.appendAudit(event);
  }

  iterateAudit(): AsyncIterable<AuditEvent> {
    return this.#cutover.iterateAudit();
  }

  async auditHead(): Promise<AuditEvent | undefined> {
    return this.#cutover.auditHead();
  }

  async getPhase(phaseId: number): Promise<PhaseRecord | undefined> {
    return this.#cutover.getPhase(phaseId);
  }

  async putPhase(record: PhaseRecord): Promise<void> {
    this.#cutover.putPhase(record);
  }

  // ── PostgreSQL datasets ────────────────────────────────────────────────────────────

  async getDatabase(dataset: string): Promise<DatabaseRecord | undefined> {
    const row = this.#db.prepare('SELECT record FROM databases WHERE dataset = ?').get(dataset);
    // Stored JSON has null where the record has undefined; the reviver drops those keys again.
    return row ? (JSON.parse(row['record'] as string, (_k, v: unknown) => (v === null ? undefined : v)) as DatabaseRecord) : undefined;
  }

  async putDatabase(record: DatabaseRecord): Promise<void> {
    // Redacted like every free text the state keeps: a tool's error may quote a connection string.
    const json = redact(JSON.stringify(record, (_k, v: unknown) => (v === undefined ? null : v)));
    this.#db.prepare('INSERT INTO databases (dataset, record) VALUES (?, ?) ON CONFLICT (dataset) DO UPDATE SET record = excluded.record').run(record.dataset, json);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /**
   * Runs `fn` in a write transaction. IMMEDIATE takes the write lock up front, so a busy
   * database makes us wait (busy timeout) instead of failing when a read would upgrade.
   */
  #write<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  #noObject(dataset: string, key: string): Error {
    return new Error(`cannot update object ${dataset}/${key}: no such record in ${this.location}; run inventory first`);
  }
}
