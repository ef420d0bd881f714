/**
 * Workers and object leases of the `WorkQueue` on a PostgreSQL state: the `workers` and
 * `object_leases` tables, and each object's holder on its own row (`lease_token`,
 * `lease_expires_at`). Every time comes from the database's `now()` (each call is one
 * short transaction, so it is the moment of the call): a worker whose clock drifts never
 * decides whether a lease is live.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ClaimRequest, ObjectLease, WorkerInfo } from './contracts/work-queue.ts';
import type { PgTransaction } from './postgres-schema.ts';

/** A lease as `renewLease` and `releaseLease` name it. */
export type LeaseRef = Pick<ObjectLease, 'leaseId' | 'fencingToken'>;

/**
 * The candidates of a claim: still to copy (the partial index `objects_claimable`, in key
 * order) and held by no live lease. A row another claimer or a fenced write has locked is
 * skipped, not waited for. Every condition is on the row itself: a row whose lock was
 * released while this scan ran is re-checked as its newest version, so a row another
 * claimer has just leased is seen leased (a condition read elsewhere would be read from
 * this statement's older snapshot, and both would get it). Exported for `EXPLAIN` in tests
 * and the bench: at a million rows it must read the partial index `objects_claimable`.
 */
export const CLAIM_PICK_SQL = `SELECT key FROM objects
  WHERE dataset = $1 AND status IN ('pending', 'failed') AND (lease_expires_at IS NULL OR lease_expires_at <= now())
  ORDER BY key
  LIMIT $2
  FOR UPDATE SKIP LOCKED`;

const LEASE_EXPIRY = "now() + $1::bigint * interval '1 millisecond'";

/**
 * The rest of a claim once its rows are locked, as one statement (one round trip): the
 * worker seen, a token drawn (once: a CTE with a volatile function is evaluated once), the
 * rows and the lease row written. No row when the worker never registered.
 * $1 lease ms, $2 worker, $3 dataset, $4 keys, $5 lease id.
 */
const GRANT_SQL = `WITH seen AS (
    UPDATE workers SET last_seen_at = now() WHERE worker_id = $2 RETURNING worker_id
  ), granted AS (
    SELECT nextval('fencing_tokens') AS token, ${LEASE_EXPIRY} AS expires_at FROM seen
  ), leased AS (
    UPDATE objects o SET lease_token = g.token, lease_expires_at = g.expires_at
    FROM granted g WHERE o.dataset = $3 AND o.key = ANY($4::text[])
  ), lease AS (
    INSERT INTO object_leases (fencing_token, lease_id, worker_id, dataset, objects, granted_at, expires_at)
    SELECT g.token, $5, $2, $3, cardinality($4::text[]), now(), g.expires_at FROM granted g
  )
  SELECT token, expires_at FROM granted`;

export class PostgresLeases {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;

  constructor(pool: pg.Pool, write: PgTransaction) {
    this.#pool = pool;
    this.#write = write;
  }

  async registerWorker(worker: Pick<WorkerInfo, 'workerId' | 'host' | 'pid'>): Promise<void> {
    if (worker.workerId === '') throw new Error('cannot register a worker without an id');
    await this.#pool.query(
      `INSERT INTO workers (worker_id, host, pid) VALUES ($1, $2, $3)
       ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = now()`,
      [worker.workerId, worker.host, worker.pid],
    );
  }

  async claimObjects(request: ClaimRequest): Promise<ObjectLease | undefined> {
    checkPositive('limit', request.limit);
    checkPositive('leaseMs', request.leaseMs);
    return this.#write(async (client) => {
      const picked = await client.query<{ key: string }>(CLAIM_PICK_SQL, [request.dataset, request.limit]);
      if (picked.rows.length === 0) {
        await touchWorker(client, request.workerId); // an empty claim is still a sign of life
        return undefined;
      }
      // Picked in key order: the column is COLLATE "C", so that is byte order of the UTF-8 key.
      const keys = picked.rows.map((r) => r.key);
      const leaseId = randomUUID();
      // The token is drawn only now, with the rows locked: whoever held one of them before
      // drew theirs while holding the same lock, so this token is larger than theirs.
      const { rows } = await client.query<{ token: number; expires_at: Date }>(GRANT_SQL, [
        request.leaseMs,
        request.workerId,
        request.dataset,
        keys,
        leaseId,
      ]);
      const granted = rows[0];
      if (!granted) throw notRegistered(request.workerId); // rolls back: the rows are let go
      return {
        leaseId,
        workerId: request.workerId,
        dataset: request.dataset,
        fencingToken: granted.token,
        keys,
        expiresAt: granted.expires_at.toISOString(),
      };
    });
  }

  async renewLease(lease: LeaseRef, leaseMs: number): Promise<boolean> {
    checkPositive('leaseMs', leaseMs);
    // Past its expiry a lease is lost even if nobody took it over: its objects may be
    // claimed at any moment, so its holder must stop rather than keep going. Objects
    // already taken over carry another token and keep their new holder's expiry.
    const { rows } = await this.#pool.query(
      `WITH renewed AS (
         UPDATE object_leases SET expires_at = ${LEASE_EXPIRY}
         WHERE lease_id = $2 AND fencing_token = $3 AND released_at IS NULL AND expires_at > now()
         RETURNING worker_id, fencing_token, expires_at
       ), held AS (
         UPDATE objects o SET lease_expires_at = r.expires_at FROM renewed r WHERE o.lease_token = r.fencing_token
       ), seen AS (
         UPDATE workers SET last_seen_at = now() WHERE worker_id IN (SELECT worker_id FROM renewed)
       )
       SELECT 1 FROM renewed`,
      [leaseMs, lease.leaseId, lease.fencingToken],
    );
    return rows.length > 0;
  }

  async releaseLease(lease: LeaseRef): Promise<void> {
    // One statement: every object still carrying the token lets go of it (unfinished ones
    // become claimable, finished ones stay as they are, and no write under this lease
    // passes again). A lease lost or released already has nothing left to give back.
    await this.#pool.query(
      `WITH released AS (
         UPDATE object_leases SET released_at = now()
         WHERE lease_id = $1 AND fencing_token = $2 AND released_at IS NULL
         RETURNING fencing_token
       )
       UPDATE objects SET lease_token = NULL, lease_expires_at = NULL
       WHERE lease_token IN (SELECT fencing_token FROM released)`,
      [lease.leaseId, lease.fencingToken],
    );
  }
}

/** Refreshes the worker's `lastSeenAt`; a worker that never registered is refused. */
export async function touchWorker(client: Pick<pg.PoolClient, 'query'>, workerId: string): Promise<void> {
  const { rowCount } = await client.query('UPDATE workers SET last_seen_at = now() WHERE worker_id = $1', [workerId]);
  if (rowCount === 0) throw notRegistered(workerId);
}

function notRegistered(workerId: string): Error {
  return new Error(`worker ${workerId} is not registered in this state; call registerWorker before claiming work`);
}

/** A lease duration or batch size must be a whole number above 0. */
export function checkPositive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a whole number above 0, got ${String(value)}`);
  }
}
