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
import type { BindingRecord, BindOutcome, RebindOutcome, WantedBinding } from './contracts/binding.ts';
import type { DatabaseRecord } from './contracts/databases.ts';
import type { HeldPhaseLock, LockHolder, PhaseLockRefusal } from './contracts/leader.ts';
import type { ObjectPatch, ObjectRecord, ObjectStatus, StatusCounts } from './contracts/objects.ts';
import type { RunOutcome, RunRecord, RunTotals } from './contracts/runs.ts';
import type { PartRecord, UploadRecord } from './contracts/uploads.ts';
import { SqliteAuditLog } from './sqlite-audit.ts';
import { SqliteMigrationBinding } from './sqlite-binding.ts';
import { SqliteDatabaseStore } from './sqlite-databases.ts';
import { SqlitePhaseLeader } from './sqlite-leader.ts';
import { SqliteObjectLedger } from './sqlite-objects.ts';
import { SqlitePhaseStore } from './sqlite-phases.ts';
import { SqliteProbeLog } from './sqlite-probes.ts';
import type { ProbeRecord } from './contracts/probes.ts';
import { SqliteRunLog } from './sqlite-runs.ts';
import { openStateDatabase, type OpenStateOptions, type StateDatabase } from './sqlite-schema.ts';
import { writeTransaction } from './sqlite-transaction.ts';
import { SqliteUploadLog } from './sqlite-uploads.ts';
import type { StateStore } from './state-store.ts';

export { OBJECT_PAGE_SIZE, OBJECT_PAGE_SQL } from './sqlite-objects.ts';
export { AUDIT_PAGE_SIZE } from './sqlite-audit.ts';
export type { OpenStateOptions } from './sqlite-schema.ts';

/**
 * Opens the state file at `path`; `:memory:` gives a private in-memory store for tests.
 *
 * For writing (the default) it creates the file and its parent folders if needed, and
 * brings the schema up to date. With `{ readOnly: true }` it changes nothing on disk: a
 * missing state gives an empty view in memory (`exists` false) and every write method
 * rejects; see `OpenStateOptions`. Either way, a path that cannot hold a state (a folder,
 * a path through a file, a place this user cannot write, another application's file) is
 * refused with a `UserError` (exit 2) naming the path and the fix, the file left as it was.
 */
export async function openSqliteStateStore(path: string, options: OpenStateOptions = {}): Promise<SqliteStateStore> {
  return new SqliteStateStore(await openStateDatabase(path, options));
}

/**
 * An empty read-only state in memory standing for a state not created yet at `location`
 * (a PostgreSQL database whose schema was never migrated): `exists` false, every write refused.
 */
export async function openEmptyStateView(location: string): Promise<SqliteStateStore> {
  return new SqliteStateStore({ ...(await openStateDatabase(':memory:', { readOnly: true })), location });
}

/** A StateStore on an open SQLite connection. Use {@link openSqliteStateStore} to get one. */
export class SqliteStateStore implements StateStore {
  readonly location: string;
  /** Opened with `{ readOnly: true }`: every write method rejects. */
  readonly readOnly: boolean;
  /**
   * False when no state exists at `location` yet and this read-only store is an empty view
   * in memory: the caller can say "not started" instead of showing zeros.
   */
  readonly exists: boolean;
  readonly #db: DatabaseSync;
  readonly #binding: SqliteMigrationBinding;
  readonly #runs: SqliteRunLog;
  readonly #objects: SqliteObjectLedger;
  readonly #uploads: SqliteUploadLog;
  readonly #audit: SqliteAuditLog;
  readonly #phases: SqlitePhaseStore;
  readonly #databases: SqliteDatabaseStore;
  readonly #probes: SqliteProbeLog;
  readonly #leader: SqlitePhaseLeader;
  #closed = false;

  constructor({ db, location, readOnly, exists }: StateDatabase) {
    this.#db = db;
    this.location = location;
    this.readOnly = readOnly;
    this.exists = exists;
    const write = writeTransaction(db);
    this.#binding = new SqliteMigrationBinding(db, write, location);
    this.#runs = new SqliteRunLog(db, location);
    this.#objects = new SqliteObjectLedger(db, write, location);
    this.#uploads = new SqliteUploadLog(db, write);
    this.#audit = new SqliteAuditLog(db, write);
    this.#phases = new SqlitePhaseStore(db);
    this.#databases = new SqliteDatabaseStore(db);
    this.#probes = new SqliteProbeLog(db);
    this.#leader = new SqlitePhaseLeader(db, write);
  }

  // Plain delegation, written out so that each method of each contract is visibly here.
  // Writes go through #writable first: a read-only store refuses them with a message
  // naming the method, before SQLite would with "attempt to write a readonly database".

  getBinding(): Promise<BindingRecord | undefined> {
    return this.#binding.getBinding();
  }
  bind(wanted: WantedBinding): Promise<BindOutcome> {
    return this.#writable('bind') ?? this.#binding.bind(wanted);
  }
  rebind(wanted: WantedBinding, reason: string): Promise<RebindOutcome> {
    return this.#writable('rebind') ?? this.#binding.rebind(wanted, reason);
  }

  startRun(run: { command: string; scope: string }): Promise<string> {
    return this.#writable('startRun') ?? this.#runs.startRun(run);
  }
  finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void> {
    return this.#writable('finishRun') ?? this.#runs.finishRun(id, outcome, totals);
  }
  listRuns(limit?: number): Promise<RunRecord[]> {
    return this.#runs.listRuns(limit);
  }

  getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>> {
    return this.#objects.getObjects(dataset, keys);
  }
  putObjects(records: readonly ObjectRecord[]): Promise<void> {
    return this.#writable('putObjects') ?? this.#objects.putObjects(records);
  }
  updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void> {
    return this.#writable('updateObject') ?? this.#objects.updateObject(dataset, key, patch);
  }
  iterateObjects(dataset: string, statuses?: readonly ObjectStatus[]): AsyncIterable<ObjectRecord> {
    return this.#objects.iterateObjects(dataset, statuses);
  }
  countObjects(dataset: string): Promise<StatusCounts> {
    return this.#objects.countObjects(dataset);
  }
  countVerifiedFull(dataset: string): Promise<number> {
    return this.#objects.countVerifiedFull(dataset);
  }
  markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]> {
    return this.#writable('markUnseenDeleted') ?? this.#objects.markUnseenDeleted(dataset, inventoryId);
  }

  getUpload(dataset: string, key: string): Promise<UploadRecord | undefined> {
    return this.#uploads.getUpload(dataset, key);
  }
  startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void> {
    return this.#writable('startUpload') ?? this.#uploads.startUpload(upload);
  }
  recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void> {
    return this.#writable('recordPart') ?? this.#uploads.recordPart(dataset, key, uploadId, part);
  }
  clearUpload(dataset: string, key: string): Promise<void> {
    return this.#writable('clearUpload') ?? this.#uploads.clearUpload(dataset, key);
  }

  appendAudit(event: AuditInput): Promise<AuditEvent> {
    return this.#writable('appendAudit') ?? this.#audit.appendAudit(event);
  }
  iterateAudit(): AsyncIterable<AuditEvent> {
    return this.#audit.iterateAudit();
  }
  auditHead(): Promise<AuditEvent | undefined> {
    return this.#audit.auditHead();
  }

  getPhase(phaseId: number): Promise<PhaseRecord | undefined> {
    return this.#phases.getPhase(phaseId);
  }
  putPhase(record: PhaseRecord): Promise<void> {
    return this.#writable('putPhase') ?? this.#phases.putPhase(record);
  }

  getDatabase(dataset: string): Promise<DatabaseRecord | undefined> {
    return this.#databases.getDatabase(dataset);
  }
  putDatabase(record: DatabaseRecord): Promise<void> {
    return this.#writable('putDatabase') ?? this.#databases.putDatabase(record);
  }

  getProbe(target: string): Promise<ProbeRecord | undefined> {
    return this.#probes.getProbe(target);
  }
  listProbes(): Promise<ProbeRecord[]> {
    return this.#probes.listProbes();
  }
  putProbe(record: ProbeRecord): Promise<void> {
    return this.#writable('putProbe') ?? this.#probes.putProbe(record);
  }

  acquirePhaseLock(phaseId: number, holder: LockHolder): Promise<HeldPhaseLock | PhaseLockRefusal> {
    return this.#writable('acquirePhaseLock') ?? this.#leader.acquirePhaseLock(phaseId, holder);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /** Undefined when writing is allowed; otherwise the rejection a write method returns. */
  #writable(method: string): Promise<never> | undefined {
    if (!this.readOnly) return undefined;
    return Promise.reject(new Error(`cannot ${method}: the state ${this.location} was opened read-only`));
  }
}
