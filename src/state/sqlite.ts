/**
 * The default StateStore: one SQLite file through Node's built-in `node:sqlite`.
 * Safe to share between processes on one machine (WAL + busy timeout); many machines
 * need the PostgreSQL store instead.
 *
 * Each contract has its own implementation on the shared connection (`sqlite-<concern>.ts`);
 * this class only puts them together behind one handle.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { AuditEvent, AuditInput } from '../audit/event.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { DatabaseRecord } from './contracts/databases.ts';
import type { ObjectPatch, ObjectRecord, ObjectStatus, StatusCounts } from './contracts/objects.ts';
import type { RunOutcome, RunRecord, RunTotals } from './contracts/runs.ts';
import type { PartRecord, UploadRecord } from './contracts/uploads.ts';
import { SqliteAuditLog } from './sqlite-audit.ts';
import { SqliteDatabaseStore } from './sqlite-databases.ts';
import { SqliteObjectLedger } from './sqlite-objects.ts';
import { SqlitePhaseStore } from './sqlite-phases.ts';
import { SqliteRunLog } from './sqlite-runs.ts';
import { openStateDatabase } from './sqlite-schema.ts';
import { writeTransaction } from './sqlite-transaction.ts';
import { SqliteUploadLog } from './sqlite-uploads.ts';
import type { StateStore } from './state-store.ts';

export { OBJECT_PAGE_SIZE, OBJECT_PAGE_SQL } from './sqlite-objects.ts';
export { AUDIT_PAGE_SIZE } from './sqlite-audit.ts';

/**
 * Opens the state file at `path` (creating it and its parent folders if needed, and
 * bringing its schema up to date). `:memory:` gives a private in-memory store for tests.
 */
export async function openSqliteStateStore(path: string): Promise<StateStore> {
  const { db, location } = await openStateDatabase(path);
  return new SqliteStateStore(db, location);
}

/** A StateStore on an open SQLite connection. Use {@link openSqliteStateStore} to get one. */
export class SqliteStateStore implements StateStore {
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #runs: SqliteRunLog;
  readonly #objects: SqliteObjectLedger;
  readonly #uploads: SqliteUploadLog;
  readonly #audit: SqliteAuditLog;
  readonly #phases: SqlitePhaseStore;
  readonly #databases: SqliteDatabaseStore;
  #closed = false;

  constructor(db: DatabaseSync, location: string) {
    this.#db = db;
    this.location = location;
    const write = writeTransaction(db);
    this.#runs = new SqliteRunLog(db, location);
    this.#objects = new SqliteObjectLedger(db, write, location);
    this.#uploads = new SqliteUploadLog(db, write);
    this.#audit = new SqliteAuditLog(db, write);
    this.#phases = new SqlitePhaseStore(db);
    this.#databases = new SqliteDatabaseStore(db);
  }

  // Plain delegation, written out so that each method of each contract is visibly here.

  startRun(run: { command: string; scope: string }): Promise<string> { return this.#runs.startRun(run); }
  finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void> { return this.#runs.finishRun(id, outcome, totals); }
  listRuns(limit?: number): Promise<RunRecord[]> { return this.#runs.listRuns(limit); }

  getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>> { return this.#objects.getObjects(dataset, keys); }
  putObjects(records: readonly ObjectRecord[]): Promise<void> { return this.#objects.putObjects(records); }
  updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void> { return this.#objects.updateObject(dataset, key, patch); }
  iterateObjects(dataset: string, statuses?: readonly ObjectStatus[]): AsyncIterable<ObjectRecord> { return this.#objects.iterateObjects(dataset, statuses); }
  countObjects(dataset: string): Promise<StatusCounts> { return this.#objects.countObjects(dataset); }
  countVerifiedFull(dataset: string): Promise<number> { return this.#objects.countVerifiedFull(dataset); }
  markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]> { return this.#objects.markUnseenDeleted(dataset, inventoryId); }

  getUpload(dataset: string, key: string): Promise<UploadRecord | undefined> { return this.#uploads.getUpload(dataset, key); }
  startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void> { return this.#uploads.startUpload(upload); }
  recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void> { return this.#uploads.recordPart(dataset, key, uploadId, part); }
  clearUpload(dataset: string, key: string): Promise<void> { return this.#uploads.clearUpload(dataset, key); }

  appendAudit(event: AuditInput): Promise<AuditEvent> { return this.#audit.appendAudit(event); }
  iterateAudit(): AsyncIterable<AuditEvent> { return this.#audit.iterateAudit(); }
  auditHead(): Promise<AuditEvent | undefined> { return this.#audit.auditHead(); }

  getPhase(phaseId: number): Promise<PhaseRecord | undefined> { return this.#phases.getPhase(phaseId); }
  putPhase(record: PhaseRecord): Promise<void> { return this.#phases.putPhase(record); }

  getDatabase(dataset: string): Promise<DatabaseRecord | undefined> { return this.#databases.getDatabase(dataset); }
  putDatabase(record: DatabaseRecord): Promise<void> { return this.#databases.putDatabase(record); }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
