/**
 * A StateStore on a PostgreSQL database, for many workers on many machines sharing one
 * state (DESIGN.md "Scale-out"). It passes the same conformance suites as the SQLite
 * store (test/state/postgres-conformance.test.ts).
 *
 * Each contract has its own implementation on the shared pool (`postgres-<concern>.ts`);
 * this class only puts them together behind one handle.
 */
import pg from 'pg';
import type { AuditEvent, AuditInput } from '../audit/event.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { BindingRecord, BindOutcome, RebindOutcome, WantedBinding } from './contracts/binding.ts';
import type { DatabaseRecord } from './contracts/databases.ts';
import type { HeldPhaseLock, LockHolder, PhaseLockRefusal } from './contracts/leader.ts';
import type { ObjectLedger, ObjectPatch, ObjectRecord, ObjectStatus, StatusCounts } from './contracts/objects.ts';
import type { ProbeRecord } from './contracts/probes.ts';
import type { RunOutcome, RunRecord, RunTotals } from './contracts/runs.ts';
import type { PartRecord, UploadLog, UploadRecord } from './contracts/uploads.ts';
import type {
  ClaimRequest,
  FleetSnapshot,
  ObjectLease,
  ShardLease,
  WorkerInfo,
  WorkQueue,
} from './contracts/work-queue.ts';
import { POSTGRES_AUDIT_PAGE_SIZE, PostgresAuditLog } from './postgres-audit.ts';
import { PostgresMigrationBinding } from './postgres-binding.ts';
import { POSTGRES_OBJECT_PAGE_SIZE, PostgresObjectLedger } from './postgres-objects.ts';
import { PostgresPhaseLeader } from './postgres-leader.ts';
import { PostgresDatabaseStore, PostgresPhaseStore, PostgresProbeLog } from './postgres-records.ts';
import { PostgresRunLog } from './postgres-runs.ts';
import { migratePostgres, PARSE_TYPES, pgTransaction } from './postgres-schema.ts';
import { PostgresUploadLog } from './postgres-uploads.ts';
import { PostgresWorkQueue } from './postgres-work-queue.ts';
import { describeLocation } from './postgres-location.ts';
import type { StateStore } from './state-store.ts';

export { POSTGRES_AUDIT_PAGE_SIZE } from './postgres-audit.ts';
export { POSTGRES_OBJECT_PAGE_SIZE } from './postgres-objects.ts';
export { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from './postgres-schema.ts';
export { isRetriableStateError } from './postgres-retriable.ts';

export interface OpenPostgresStateOptions {
  /**
   * Connections the store's pool may open at most. Each call takes one for the duration
   * of its query or transaction; an iteration takes one per page only.
   * @default 4
   */
  poolSize?: number;
  /** Records per page of `iterateObjects`. @default POSTGRES_OBJECT_PAGE_SIZE (1000) */
  objectPageSize?: number;
  /** Events per page of `iterateAudit`. @default POSTGRES_AUDIT_PAGE_SIZE (1000) */
  auditPageSize?: number;
  /**
   * Change nothing: the schema is neither created nor migrated, and every session is
   * read-only (`default_transaction_read_only`), so the server itself refuses any write.
   * The caller checks first that the schema exists (`src/state/open.ts`).
   * @default false
   */
  readOnly?: boolean;
}

/**
 * Connects to the PostgreSQL database at `url` (a `postgresql://` URL, or pg's pool
 * settings), brings its schema up to date (once, under an advisory lock, whatever the
 * number of processes opening it at once: see `migratePostgres`), and returns the store.
 * The database must exist; the user needs to create tables in it the first time.
 */
export async function openPostgresStateStore(
  url: string | pg.PoolConfig,
  options: OpenPostgresStateOptions = {},
): Promise<PostgresStateStore> {
  const config: pg.PoolConfig = typeof url === 'string' ? { connectionString: url } : { ...url };
  const location = describeLocation(config);
  const readOnly = options.readOnly === true ? { options: '-c default_transaction_read_only=on' } : {};
  const pool = new pg.Pool({ ...config, ...readOnly, max: options.poolSize ?? 4, types: PARSE_TYPES });
  // An idle connection that fails (server restart, database dropped) must not crash the
  // process: the next query gets a new connection, or the error.
  pool.on('error', () => {});
  // Nor one lost while checked out (a transaction in flight): pg emits 'error' on it with
  // no listener of the pool's, which would throw. Its query rejects anyway, so the caller
  // gets the error, and the pool drops the dead connection when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    if (options.readOnly === true) await pool.query('SELECT 1');
    else await migratePostgres(pool, location);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PostgresStateStore(pool, location, options);
}

/** A StateStore on a PostgreSQL pool. Use {@link openPostgresStateStore} to get one. */
export class PostgresStateStore implements StateStore, WorkQueue {
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #binding: PostgresMigrationBinding;
  readonly #runs: PostgresRunLog;
  readonly #objects: PostgresObjectLedger;
  readonly #uploads: PostgresUploadLog;
  readonly #audit: PostgresAuditLog;
  readonly #phases: PostgresPhaseStore;
  readonly #databases: PostgresDatabaseStore;
  readonly #probes: PostgresProbeLog;
  readonly #leader: PostgresPhaseLeader;
  readonly #workQueue: PostgresWorkQueue;
  #closed: Promise<void> | undefined;

  constructor(pool: pg.Pool, location: string, options: OpenPostgresStateOptions = {}) {
    this.#pool = pool;
    this.location = location;
    const write = pgTransaction(pool);
    this.#binding = new PostgresMigrationBinding(pool, write, location);
    this.#runs = new PostgresRunLog(pool, location);
    this.#objects = new PostgresObjectLedger(
      pool,
      write,
      location,
      options.objectPageSize ?? POSTGRES_OBJECT_PAGE_SIZE,
    );
    this.#uploads = new PostgresUploadLog(pool, write);
    this.#audit = new PostgresAuditLog(pool, write, options.auditPageSize ?? POSTGRES_AUDIT_PAGE_SIZE);
    this.#phases = new PostgresPhaseStore(pool);
    this.#databases = new PostgresDatabaseStore(pool);
    this.#probes = new PostgresProbeLog(pool);
    this.#leader = new PostgresPhaseLeader(pool);
    this.#workQueue = new PostgresWorkQueue(pool, write, location, this.#objects, this.#uploads);
  }

  // Plain delegation, written out so that each method of each contract is visibly here.

  getBinding(): Promise<BindingRecord | undefined> {
    return this.#binding.getBinding();
  }
  bind(wanted: WantedBinding): Promise<BindOutcome> {
    return this.#binding.bind(wanted);
  }
  rebind(wanted: WantedBinding, reason: string): Promise<RebindOutcome> {
    return this.#binding.rebind(wanted, reason);
  }

  startRun(run: { command: string; scope: string }): Promise<string> {
    return this.#runs.startRun(run);
  }
  finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void> {
    return this.#runs.finishRun(id, outcome, totals);
  }
  listRuns(limit?: number): Promise<RunRecord[]> {
    return this.#runs.listRuns(limit);
  }

  getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>> {
    return this.#objects.getObjects(dataset, keys);
  }
  putObjects(records: readonly ObjectRecord[]): Promise<void> {
    return this.#objects.putObjects(records);
  }
  updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void> {
    return this.#objects.updateObject(dataset, key, patch);
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
    return this.#objects.markUnseenDeleted(dataset, inventoryId);
  }

  getUpload(dataset: string, key: string): Promise<UploadRecord | undefined> {
    return this.#uploads.getUpload(dataset, key);
  }
  startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void> {
    return this.#uploads.startUpload(upload);
  }
  recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void> {
    return this.#uploads.recordPart(dataset, key, uploadId, part);
  }
  clearUpload(dataset: string, key: string): Promise<void> {
    return this.#uploads.clearUpload(dataset, key);
  }

  appendAudit(event: AuditInput): Promise<AuditEvent> {
    return this.#audit.appendAudit(event);
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
    return this.#phases.putPhase(record);
  }

  getDatabase(dataset: string): Promise<DatabaseRecord | undefined> {
    return this.#databases.getDatabase(dataset);
  }
  putDatabase(record: DatabaseRecord): Promise<void> {
    return this.#databases.putDatabase(record);
  }

  getProbe(target: string): Promise<ProbeRecord | undefined> {
    return this.#probes.getProbe(target);
  }
  listProbes(): Promise<ProbeRecord[]> {
    return this.#probes.listProbes();
  }
  putProbe(record: ProbeRecord): Promise<void> {
    return this.#probes.putProbe(record);
  }

  registerWorker(worker: Pick<WorkerInfo, 'workerId' | 'host' | 'pid'>): Promise<void> {
    return this.#workQueue.registerWorker(worker);
  }
  claimObjects(request: ClaimRequest): Promise<ObjectLease | undefined> {
    return this.#workQueue.claimObjects(request);
  }
  renewLease(lease: Pick<ObjectLease, 'leaseId' | 'fencingToken'>, leaseMs: number): Promise<boolean> {
    return this.#workQueue.renewLease(lease, leaseMs);
  }
  releaseLease(lease: Pick<ObjectLease, 'leaseId' | 'fencingToken'>): Promise<void> {
    return this.#workQueue.releaseLease(lease);
  }
  fencedLedger(lease: ObjectLease): ObjectLedger & UploadLog {
    return this.#workQueue.fencedLedger(lease);
  }
  planShards(dataset: string, inventoryId: string, prefixes: readonly string[]): Promise<void> {
    return this.#workQueue.planShards(dataset, inventoryId, prefixes);
  }
  claimShard(dataset: string, inventoryId: string, workerId: string, leaseMs: number): Promise<ShardLease | undefined> {
    return this.#workQueue.claimShard(dataset, inventoryId, workerId, leaseMs);
  }
  completeShard(shard: ShardLease): Promise<boolean> {
    return this.#workQueue.completeShard(shard);
  }
  countOpenShards(dataset: string, inventoryId: string): Promise<number> {
    return this.#workQueue.countOpenShards(dataset, inventoryId);
  }
  fleet(windowMs: number): Promise<FleetSnapshot> {
    return this.#workQueue.fleet(windowMs);
  }

  acquirePhaseLock(phaseId: number, holder: LockHolder): Promise<HeldPhaseLock | PhaseLockRefusal> {
    return this.#leader.acquirePhaseLock(phaseId, holder);
  }

  /** Ends the pool once its connections are idle; closing twice is no error. */
  close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }
}
