/**
 * `WorkQueue.fleet` on a PostgreSQL state: workers, their live leases and throughput,
 * stalled leases and refused writes, read in one snapshot at one database time.
 */
import type pg from 'pg';
import type { FleetSnapshot, FleetWorker } from './contracts/work-queue.ts';
import { checkPositive } from './postgres-leases.ts';

/** `now()` less the window: the parameter $1 is the window in milliseconds. */
const SINCE = "now() - $1::bigint * interval '1 millisecond'";

/** Leases not released with the objects each still has under its token (all, or only those left to copy). */
const OPEN_LEASES = (live: boolean, statuses: string) => `
  SELECT l.lease_id, l.worker_id, l.dataset, l.expires_at, c.objects
  FROM object_leases l
  CROSS JOIN LATERAL (
    SELECT count(*)::bigint AS objects FROM objects o WHERE o.lease_token = l.fencing_token ${statuses}
  ) c
  WHERE l.released_at IS NULL AND l.expires_at ${live ? '>' : '<='} now()
  ORDER BY l.expires_at, l.lease_id`;

interface LeaseRow {
  lease_id: string;
  worker_id: string;
  dataset: string;
  expires_at: Date;
  objects: number;
}

export async function readFleet(pool: pg.Pool, windowMs: number): Promise<FleetSnapshot> {
  checkPositive('windowMs', windowMs);
  const client = await pool.connect();
  try {
    // One REPEATABLE READ transaction: every part of the snapshot from the same moment, and
    // now() is that moment.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await read(client, windowMs);
    } finally {
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
}

async function read(client: pg.PoolClient, windowMs: number): Promise<FleetSnapshot> {
  const at = await client.query<{ at: Date }>('SELECT now() AS at');
  const live = await client.query<LeaseRow>(OPEN_LEASES(true, ''));
  // Held objects still to copy: a stalled lease whose objects were all taken over or done stalls nothing.
  const expired = await client.query<LeaseRow>(OPEN_LEASES(false, "AND o.status IN ('pending', 'failed')"));
  // Seen within the window, or holding a live lease (a window shorter than the leases
  // must not hide who holds what).
  const workers = await client.query<{
    worker_id: string;
    host: string;
    pid: number;
    started_at: Date;
    last_seen_at: Date;
  }>(
    `SELECT worker_id, host, pid, started_at, last_seen_at FROM workers
     WHERE last_seen_at > ${SINCE} OR worker_id = ANY($2::text[])
     ORDER BY worker_id`,
    [windowMs, live.rows.map((l) => l.worker_id)],
  );
  const recent = await client.query<{ worker_id: string; objects: number; bytes: number }>(
    `SELECT worker_id, count(*)::bigint AS objects, sum(bytes)::bigint AS bytes
     FROM worker_copies WHERE at > ${SINCE} GROUP BY worker_id`,
    [windowMs],
  );
  const fenced = await client.query<{ n: number }>('SELECT count(*)::bigint AS n FROM fenced_writes');

  const recentOf = new Map(recent.rows.map((r) => [r.worker_id, r]));
  return {
    at: at.rows[0]!.at.toISOString(),
    workers: workers.rows.map((w): FleetWorker => ({
      workerId: w.worker_id,
      host: w.host,
      pid: w.pid,
      startedAt: w.started_at.toISOString(),
      lastSeenAt: w.last_seen_at.toISOString(),
      leases: live.rows
        .filter((l) => l.worker_id === w.worker_id)
        .map((l) => ({
          leaseId: l.lease_id,
          dataset: l.dataset,
          objects: l.objects,
          expiresAt: l.expires_at.toISOString(),
        })),
      recent: {
        objects: recentOf.get(w.worker_id)?.objects ?? 0,
        bytes: recentOf.get(w.worker_id)?.bytes ?? 0,
        windowMs,
      },
    })),
    stalledLeases: expired.rows
      .filter((l) => l.objects > 0)
      .map((l) => ({
        leaseId: l.lease_id,
        workerId: l.worker_id,
        dataset: l.dataset,
        objects: l.objects,
        expiredAt: l.expires_at.toISOString(),
      })),
    fencedWrites: fenced.rows[0]?.n ?? 0,
  };
}
