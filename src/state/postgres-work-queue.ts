/**
 * The `WorkQueue` contract on a PostgreSQL state (DESIGN.md "Scale-out"): leases in
 * `postgres-leases.ts`, fenced writes in `postgres-fenced-ledger.ts`, inventory shards in
 * `postgres-shards.ts`, the fleet view in `postgres-fleet.ts`. This class puts them together
 * on the store's pool; `PostgresStateStore` exposes it.
 */
import type pg from 'pg';
import type { ObjectLedger } from './contracts/objects.ts';
import type { UploadLog } from './contracts/uploads.ts';
import type {
  ClaimRequest,
  FleetSnapshot,
  ObjectLease,
  ShardLease,
  WorkerInfo,
  WorkQueue,
} from './contracts/work-queue.ts';
import { PostgresFencedLedger } from './postgres-fenced-ledger.ts';
import { readFleet } from './postgres-fleet.ts';
import { PostgresLeases, type LeaseRef } from './postgres-leases.ts';
import type { PgTransaction } from './postgres-schema.ts';
import { PostgresShards } from './postgres-shards.ts';

export class PostgresWorkQueue implements WorkQueue {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;
  readonly #location: string;
  readonly #leases: PostgresLeases;
  readonly #shards: PostgresShards;
  readonly #objects: ObjectLedger;
  readonly #uploads: UploadLog;

  /** `objects` and `uploads` are the store's own, for the reads of a fenced ledger. */
  constructor(pool: pg.Pool, write: PgTransaction, location: string, objects: ObjectLedger, uploads: UploadLog) {
    this.#pool = pool;
    this.#write = write;
    this.#location = location;
    this.#leases = new PostgresLeases(pool, write);
    this.#shards = new PostgresShards(pool, write);
    this.#objects = objects;
    this.#uploads = uploads;
  }

  registerWorker(worker: Pick<WorkerInfo, 'workerId' | 'host' | 'pid'>): Promise<void> {
    return this.#leases.registerWorker(worker);
  }
  claimObjects(request: ClaimRequest): Promise<ObjectLease | undefined> {
    return this.#leases.claimObjects(request);
  }
  renewLease(lease: LeaseRef, leaseMs: number): Promise<boolean> {
    return this.#leases.renewLease(lease, leaseMs);
  }
  releaseLease(lease: LeaseRef): Promise<void> {
    return this.#leases.releaseLease(lease);
  }
  fencedLedger(lease: ObjectLease): ObjectLedger & UploadLog {
    return new PostgresFencedLedger(this.#pool, this.#write, this.#location, lease, this.#objects, this.#uploads);
  }
  planShards(dataset: string, inventoryId: string, prefixes: readonly string[]): Promise<void> {
    return this.#shards.planShards(dataset, inventoryId, prefixes);
  }
  claimShard(dataset: string, inventoryId: string, workerId: string, leaseMs: number): Promise<ShardLease | undefined> {
    return this.#shards.claimShard(dataset, inventoryId, workerId, leaseMs);
  }
  completeShard(shard: ShardLease): Promise<boolean> {
    return this.#shards.completeShard(shard);
  }
  countOpenShards(dataset: string, inventoryId: string): Promise<number> {
    return this.#shards.countOpenShards(dataset, inventoryId);
  }
  fleet(windowMs: number): Promise<FleetSnapshot> {
    return readFleet(this.#pool, windowMs);
  }
}
