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
      await touchWorker(client, request.workerId);
      const picked = await client.query<{ key: string }>(CLAIM_PICK_SQL, [request.dataset, request.limit]);
      if (picked.rows.length === 0) return undefined;
      // The token is drawn only now, with the rows locked: whoever held one of them before
      // drew theirs while holding the same lock, so this token is larger than theirs.
      const granted = await client.query<{ token: number; expires_at: Date }>(
        `SELECT nextval('fencing_tokens') AS token, ${LEASE_EXPIRY} AS expires_at`,
        [request.leaseMs],
      );
      const { token, expires_at: expiresAt } = granted.rows[0]!;
      const keys = picked.rows.map((r) => r.key);
      const leaseId = randomUUID();
      await client.query(
        'UPDATE objects SET lease_token = $1, lease_expires_at = $2 WHERE dataset = $3 AND key = ANY($4::text[])',
        [token, expiresAt, request.dataset, keys],
      );
      await client.query(
        `INSERT INTO object_leases (fencing_token, lease_id, worker_id, dataset, objects, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, now(), $6)`,
        [token, leaseId, request.workerId, request.dataset, keys.length, expiresAt],
      );
      // Picked in key order: the column is COLLATE "C", so that is byte order of the UTF-8 key.
      return {
        leaseId,
        workerId: request.workerId,
        dataset: request.dataset,
        fencingToken: token,
        keys,
        expiresAt: expiresAt.toISOString(),
      };
    });
  }

  async renewLease(lease: LeaseRef, leaseMs: number): Promise<boolean> {
    checkPositive('leaseMs', leaseMs);
    return this.#write(async (client) => {
      // Past its expiry a lease is lost even if nobody took it over: its objects may be
      // claimed at any moment, so its holder must stop rather than keep going.
      const { rows } = await client.query<{ worker_id: string; expires_at: Date }>(
        `UPDATE object_leases SET expires_at = ${LEASE_EXPIRY}
         WHERE lease_id = $2 AND fencing_token = $3 AND released_at IS NULL AND expires_at > now()
         RETURNING worker_id, expires_at`,
        [leaseMs, lease.leaseId, lease.fencingToken],
      );
      const renewed = rows[0];
      if (!renewed) return false;
      // Objects already taken over carry another token now and keep their new holder's expiry.
      await client.query('UPDATE objects SET lease_expires_at = $1 WHERE lease_token = $2', [
        renewed.expires_at,
        lease.fencingToken,
      ]);
      await client.query('UPDATE workers SET last_seen_at = now() WHERE worker_id = $1', [renewed.worker_id]);
      return true;
    });
  }

  async releaseLease(lease: LeaseRef): Promise<void> {
    await this.#write(async (client) => {
      const released = await client.query(
        `UPDATE object_leases SET released_at = now()
         WHERE lease_id = $1 AND fencing_token = $2 AND released_at IS NULL`,
        [lease.leaseId, lease.fencingToken],
      );
      if (released.rowCount === 0) return; // lost or released already: nothing is ours to give back
      // Every object still carrying the token lets go of it: unfinished ones become
      // claimable, finished ones stay as they are, and no write under this lease passes again.
      await client.query('UPDATE objects SET lease_token = NULL, lease_expires_at = NULL WHERE lease_token = $1', [
        lease.fencingToken,
      ]);
    });
  }
}

/** Refreshes the worker's `lastSeenAt`; a worker that never registered is refused. */
export async function touchWorker(client: Pick<pg.PoolClient, 'query'>, workerId: string): Promise<void> {
  const { rowCount } = await client.query('UPDATE workers SET last_seen_at = now() WHERE worker_id = $1', [workerId]);
  if (rowCount === 0) {
    throw new Error(`worker ${workerId} is not registered in this state; call registerWorker before claiming work`);
  }
}

/** A lease duration or batch size must be a whole number above 0. */
export function checkPositive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a whole number above 0, got ${String(value)}`);
  }
}
