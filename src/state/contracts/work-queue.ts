/**
 * The work queue: how many `cloudexit worker` processes, on many machines, share one
 * migration's objects through the state (DESIGN.md "Scale-out"). Copying is at least once
 * (a worker may die after writing to the target and before recording it); recording is
 * exactly once, because every outcome is written under a lease's fencing token and a
 * worker whose lease was lost can never record.
 *
 * Why a contract of its own and not part of `ObjectLedger`: one process on a SQLite file
 * needs no lease, and the ledger's suite must stay what both stores pass. The PostgreSQL
 * store implements it (`FOR UPDATE SKIP LOCKED`, times taken from the database's clock so
 * that workers' clocks never decide who holds what); every implementation passes
 * `test/state/conformance/work-queue.ts`.
 */
import type { ObjectLedger } from './objects.ts';
import type { UploadLog } from './uploads.ts';

/** A process that takes work from the queue. */
export interface WorkerInfo {
  /** Unique per process (for example `<host>-<pid>-<random>`); never reused. */
  workerId: string;
  /** Host name, for `status` and for "who holds it" messages. */
  host: string;
  pid: number;
  /** ISO 8601, the database's clock. */
  startedAt: string;
  /** ISO 8601, the database's clock: the last register, claim or renewal by this worker. */
  lastSeenAt: string;
}

/** A batch of objects of one dataset that one worker holds until `expiresAt`. */
export interface ObjectLease {
  leaseId: string;
  workerId: string;
  dataset: string;
  /**
   * Strictly greater than the token of every lease granted before it in this state: an
   * object taken over from an expired lease carries a larger token than the one it had.
   */
  fencingToken: number;
  /** The claimed source keys, in byte order of their UTF-8 form. */
  keys: string[];
  /** ISO 8601, the database's clock. */
  expiresAt: string;
}

/** What `claimObjects` is asked for. */
export interface ClaimRequest {
  dataset: string;
  workerId: string;
  /** Most objects in the batch. */
  limit: number;
  /** How long the lease lasts unless renewed, in milliseconds. */
  leaseMs: number;
}

/** A prefix of a dataset's source that one worker lists for one inventory. */
export interface ShardLease {
  dataset: string;
  inventoryId: string;
  prefix: string;
  workerId: string;
  fencingToken: number;
  /** ISO 8601, the database's clock. */
  expiresAt: string;
}

/** The fleet as `status` shows it. */
export interface FleetSnapshot {
  /** ISO 8601, the database's clock, when the snapshot was read. */
  at: string;
  workers: FleetWorker[];
  /** Leases past their expiry that no worker took over yet (their objects are claimable again). */
  stalledLeases: { leaseId: string; workerId: string; dataset: string; objects: number; expiredAt: string }[];
  /** Writes refused because their lease was lost, since the state was created. */
  fencedWrites: number;
}

export interface FleetWorker extends WorkerInfo {
  /** Live leases of this worker: dataset, objects held, expiry. */
  leases: { leaseId: string; dataset: string; objects: number; expiresAt: string }[];
  /** Objects and bytes this worker recorded as copied over the last `windowMs`. */
  recent: { objects: number; bytes: number; windowMs: number };
}

/** Thrown by a fenced write whose lease is no longer the current holder of the object. */
export class FencedWriteError extends Error {
  override readonly name = 'FencedWriteError';
  readonly dataset: string;
  readonly key: string;
  readonly fencingToken: number;
  constructor(dataset: string, key: string, fencingToken: number) {
    super(
      `refused a write to ${dataset}/${key} under fencing token ${fencingToken}: ` +
        'the lease was lost (expired and taken over, or released)',
    );
    this.dataset = dataset;
    this.key = key;
    this.fencingToken = fencingToken;
  }
}

export interface WorkQueue {
  /** Announces a worker, or refreshes its `lastSeenAt`; the database's clock sets the times. */
  registerWorker(worker: Pick<WorkerInfo, 'workerId' | 'host' | 'pid'>): Promise<void>;
  /**
   * Leases up to `limit` objects of the dataset that are `pending` or `failed` and that no
   * live lease holds (never leased, released, or whose lease expired), in byte order of
   * their keys; `undefined` when there is none. Concurrent claims never get the same
   * object (row locks skipped, not waited for).
   */
  claimObjects(request: ClaimRequest): Promise<ObjectLease | undefined>;
  /**
   * Extends the lease by `leaseMs` from now. False, changing nothing, when the lease is no
   * longer held (expired, even if nobody took it over yet, or released): its holder must
   * stop working on it.
   */
  renewLease(lease: Pick<ObjectLease, 'leaseId' | 'fencingToken'>, leaseMs: number): Promise<boolean>;
  /** Gives the lease's objects that are still `pending` or `failed` back to the pool; a lost lease is no error. */
  releaseLease(lease: Pick<ObjectLease, 'leaseId' | 'fencingToken'>): Promise<void>;
  /**
   * The ledger and upload log as the lease's holder may use them: reads as usual; every
   * write to an object (`updateObject`, `putObjects`, `startUpload`, `recordPart`,
   * `clearUpload`) is checked, in the same atomic step, against the object still being held
   * by this lease's token, and otherwise refused with `FencedWriteError` and counted.
   * Objects copied under the lease count toward its worker's `recent` throughput.
   */
  fencedLedger(lease: ObjectLease): ObjectLedger & UploadLog;
  /**
   * Records the prefixes an inventory lists, once per (dataset, inventoryId): a second call
   * with the same ids changes nothing.
   */
  planShards(dataset: string, inventoryId: string, prefixes: readonly string[]): Promise<void>;
  /** Leases one unfinished shard of the inventory, or `undefined` when none is left to claim. */
  claimShard(dataset: string, inventoryId: string, workerId: string, leaseMs: number): Promise<ShardLease | undefined>;
  /** Marks the shard listed; false (changing nothing) when the shard's lease was lost. */
  completeShard(shard: ShardLease): Promise<boolean>;
  /** Shards of the inventory not yet completed (0 when all are listed). */
  countOpenShards(dataset: string, inventoryId: string): Promise<number>;
  /** Workers seen within `windowMs`, their leases and recent throughput, and stalled leases. */
  fleet(windowMs: number): Promise<FleetSnapshot>;
}
