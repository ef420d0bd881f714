/**
 * Inventory shards of the `WorkQueue` on a PostgreSQL state: the prefixes one inventory of
 * a large dataset lists, each claimed by one worker at a time under a lease with a fencing
 * token (`shard_plans`, `inventory_shards`). As for objects, times are the database's.
 */
import type pg from 'pg';
import type { ShardLease } from './contracts/work-queue.ts';
import { checkPositive, touchWorker } from './postgres-leases.ts';
import type { PgTransaction } from './postgres-schema.ts';

export class PostgresShards {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;

  constructor(pool: pg.Pool, write: PgTransaction) {
    this.#pool = pool;
    this.#write = write;
  }

  async planShards(dataset: string, inventoryId: string, prefixes: readonly string[]): Promise<void> {
    await this.#write(async (client) => {
      // The plan's row decides: a second planner (even one racing this one) waits on its
      // key, then finds it and adds nothing, so one inventory never mixes two plans.
      const planned = await client.query(
        'INSERT INTO shard_plans (dataset, inventory_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [dataset, inventoryId],
      );
      if (planned.rowCount === 0) return;
      await client.query(
        `INSERT INTO inventory_shards (dataset, inventory_id, prefix)
         SELECT $1, $2, p FROM unnest($3::text[]) AS p ON CONFLICT DO NOTHING`,
        [dataset, inventoryId, [...prefixes]],
      );
    });
  }

  async claimShard(
    dataset: string,
    inventoryId: string,
    workerId: string,
    leaseMs: number,
  ): Promise<ShardLease | undefined> {
    checkPositive('leaseMs', leaseMs);
    return this.#write(async (client) => {
      await touchWorker(client, workerId);
      const picked = await client.query<{ prefix: string }>(
        `SELECT prefix FROM inventory_shards
         WHERE dataset = $1 AND inventory_id = $2 AND completed_at IS NULL
           AND (expires_at IS NULL OR expires_at <= now())
         ORDER BY prefix LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [dataset, inventoryId],
      );
      const prefix = picked.rows[0]?.prefix;
      if (prefix === undefined) return undefined;
      // Drawn with the row locked, as for objects: larger than the previous holder's token.
      const { rows } = await client.query<{ fencing_token: number; expires_at: Date }>(
        `UPDATE inventory_shards
         SET worker_id = $4, fencing_token = nextval('fencing_tokens'),
             expires_at = now() + $5::bigint * interval '1 millisecond'
         WHERE dataset = $1 AND inventory_id = $2 AND prefix = $3
         RETURNING fencing_token, expires_at`,
        [dataset, inventoryId, prefix, workerId, leaseMs],
      );
      const row = rows[0]!;
      return {
        dataset,
        inventoryId,
        prefix,
        workerId,
        fencingToken: row.fencing_token,
        expiresAt: row.expires_at.toISOString(),
      };
    });
  }

  async completeShard(shard: ShardLease): Promise<boolean> {
    // The token decides, not the expiry: a late holder nobody replaced still listed the
    // whole prefix; one that was replaced is refused. Completing twice is no error.
    const { rowCount } = await this.#pool.query(
      `UPDATE inventory_shards SET completed_at = coalesce(completed_at, now())
       WHERE dataset = $1 AND inventory_id = $2 AND prefix = $3 AND fencing_token = $4`,
      [shard.dataset, shard.inventoryId, shard.prefix, shard.fencingToken],
    );
    return rowCount === 1;
  }

  async countOpenShards(dataset: string, inventoryId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(
      `SELECT count(*)::bigint AS n FROM inventory_shards
       WHERE dataset = $1 AND inventory_id = $2 AND completed_at IS NULL`,
      [dataset, inventoryId],
    );
    return rows[0]?.n ?? 0;
  }
}
