/**
 * The `MigrationBinding` contract on a PostgreSQL state: one `binding` row, one row per
 * bound dataset in `binding_datasets`, and the rebinds in `binding_rebinds`.
 */
import type pg from 'pg';
import { redact } from '../secrets/redact.ts';
import {
  BindingConflictError,
  checkWantedBinding,
  compareBinding,
  type BindingConflict,
  type BindingRecord,
  type BindOutcome,
  type DatasetBinding,
  type MigrationBinding,
  type RebindOutcome,
  type WantedBinding,
} from './contracts/binding.ts';
import type { PgTransaction } from './postgres-schema.ts';

/** Anything that runs a query: the pool, or one connection inside a transaction. */
type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Taken first by every `bind` and `rebind` transaction: EXCLUSIVE mode lets readers on
 * and makes a second writer wait until the first commits, so it compares against the
 * binding the first recorded (two workers binding a new state record one binding).
 */
const LOCK_BINDING = 'LOCK TABLE binding IN EXCLUSIVE MODE';

export class PostgresMigrationBinding implements MigrationBinding {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;
  readonly #location: string;

  constructor(pool: pg.Pool, write: PgTransaction, location: string) {
    this.#pool = pool;
    this.#write = write;
    this.#location = location;
  }

  async getBinding(): Promise<BindingRecord | undefined> {
    // One REPEATABLE READ transaction: the binding, its datasets and rebinds from one snapshot.
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await read(client);
      } finally {
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
  }

  async bind(wanted: WantedBinding): Promise<BindOutcome> {
    checkWantedBinding(wanted);
    return this.#write(async (client) => {
      await client.query(LOCK_BINDING);
      const recorded = await read(client);
      const { conflicts, added, removed } = compareBinding(recorded, wanted);
      if (conflicts.length > 0) throw new BindingConflictError(this.#location, conflicts);
      if (!recorded || added.length > 0) {
        const now = new Date().toISOString();
        await setBinding(client, recorded ? recorded.migration : wanted.migration, now, !recorded);
        for (const d of added) await putDataset(client, d);
      }
      return { binding: (await read(client))!, first: !recorded, added, removed };
    });
  }

  async rebind(wanted: WantedBinding, reason: string): Promise<RebindOutcome> {
    checkWantedBinding(wanted);
    if (reason.trim() === '') throw new Error('cannot rebind the state without a reason');
    return this.#write(async (client) => {
      await client.query(LOCK_BINDING);
      const recorded = await read(client);
      const { conflicts, added, removed } = compareBinding(recorded, wanted);
      const now = new Date().toISOString();
      await setBinding(client, wanted.migration, now, !recorded);
      for (const d of wanted.datasets) await putDataset(client, d);
      await client.query('INSERT INTO binding_rebinds (at, reason, conflicts) VALUES ($1, $2, $3::jsonb)', [
        now,
        redact(reason),
        JSON.stringify(conflicts),
      ]);
      return { binding: (await read(client))!, first: !recorded, added, removed, conflicts };
    });
  }
}

async function setBinding(client: Queryable, migration: string, now: string, first: boolean): Promise<void> {
  if (first)
    await client.query('INSERT INTO binding (id, migration, bound_at, updated_at) VALUES (1, $1, $2, $2)', [
      migration,
      now,
    ]);
  else await client.query('UPDATE binding SET migration = $1, updated_at = $2 WHERE id = 1', [migration, now]);
}

async function putDataset(client: Queryable, d: DatasetBinding): Promise<void> {
  await client.query(
    `INSERT INTO binding_datasets (name, kind, source, target) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, source = excluded.source, target = excluded.target`,
    [d.name, d.kind, d.source, d.target],
  );
}

async function read(client: Queryable): Promise<BindingRecord | undefined> {
  const binding = await client.query<{ migration: string; bound_at: string; updated_at: string }>(
    'SELECT migration, bound_at, updated_at FROM binding WHERE id = 1',
  );
  const row = binding.rows[0];
  if (!row) return undefined;
  const datasets = await client.query<DatasetBinding>(
    'SELECT name, kind, source, target FROM binding_datasets ORDER BY name',
  );
  const rebinds = await client.query<{ at: string; reason: string; conflicts: string }>(
    'SELECT at, reason, conflicts::text AS conflicts FROM binding_rebinds ORDER BY seq',
  );
  return {
    migration: row.migration,
    datasets: datasets.rows.map((d) => ({ name: d.name, kind: d.kind, source: d.source, target: d.target })),
    boundAt: row.bound_at,
    updatedAt: row.updated_at,
    rebinds: rebinds.rows.map((r) => ({
      at: r.at,
      reason: r.reason,
      conflicts: JSON.parse(r.conflicts) as BindingConflict[],
    })),
  };
}
