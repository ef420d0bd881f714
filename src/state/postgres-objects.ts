/** The `ObjectLedger` contract on a PostgreSQL state: the `objects` table. */
import type pg from 'pg';
import {
  OBJECT_STATUSES,
  type ObjectLedger,
  type ObjectPatch,
  type ObjectRecord,
  type ObjectStatus,
  type StatusCounts,
} from './contracts/objects.ts';
import type { PgTransaction } from './postgres-schema.ts';
import { OBJECT_COLUMN_LIST, OBJECT_COLUMNS, OBJECT_FIELDS, objectFromRow, patchAssignments } from './records.ts';

/** Rows fetched per query by `iterateObjects`: bounds memory whatever the dataset size. */
export const POSTGRES_OBJECT_PAGE_SIZE = 1000;

/** Records sent per INSERT by `putObjects` (all in one transaction): bounds the size of one statement. */
export const POSTGRES_INSERT_CHUNK = 5000;

/** The SQL type of each column, for the arrays `unnest` turns back into rows. */
const COLUMN_TYPES: Record<string, string> = { size: 'bigint', attempts: 'integer' };

/**
 * One INSERT of a whole chunk: one array parameter per column, `unnest` makes rows of
 * them. A value an array cannot hold (a fractional size in a `bigint[]`) fails the whole
 * statement, and the transaction around it.
 */
const UPSERT_OBJECTS_SQL = `INSERT INTO objects (${OBJECT_COLUMN_LIST})
  SELECT * FROM unnest(${OBJECT_FIELDS.map((f, i) => `$${i + 1}::${COLUMN_TYPES[OBJECT_COLUMNS[f]] ?? 'text'}[]`).join(', ')})
  ON CONFLICT (dataset, key) DO UPDATE SET ${OBJECT_FIELDS.slice(2)
    .map((f) => `${OBJECT_COLUMNS[f]} = excluded.${OBJECT_COLUMNS[f]}`)
    .join(', ')}`;

/**
 * Page queries of `iterateObjects`, keyset-paginated on `key` (byte order: the column is
 * `COLLATE "C"`), each page an index range scan, not an OFFSET scan.
 */
const PAGE_SQL = {
  all: `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = $1 AND key > $2 ORDER BY key LIMIT $3`,
  statuses: `SELECT ${OBJECT_COLUMN_LIST} FROM objects
    WHERE dataset = $1 AND status = ANY($4::text[]) AND key > $2 ORDER BY key LIMIT $3`,
} as const;

export class PostgresObjectLedger implements ObjectLedger {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;
  readonly #location: string;
  readonly #pageSize: number;

  constructor(pool: pg.Pool, write: PgTransaction, location: string, pageSize = POSTGRES_OBJECT_PAGE_SIZE) {
    this.#pool = pool;
    this.#write = write;
    this.#location = location;
    this.#pageSize = pageSize;
  }

  async getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>> {
    const found = new Map<string, ObjectRecord>();
    if (keys.length === 0) return found;
    // One array parameter: no limit on the number of keys, one statement (one snapshot).
    const { rows } = await this.#pool.query(
      `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = $1 AND key = ANY($2::text[])`,
      [dataset, keys],
    );
    for (const row of rows) {
      const record = objectFromRow(row as Record<string, unknown>);
      found.set(record.key, record);
    }
    return found;
  }

  async putObjects(records: readonly ObjectRecord[]): Promise<void> {
    if (records.length === 0) return;
    // The last record of a key wins, as it would with one upsert per record (one INSERT
    // may not touch a row twice); sorted so that concurrent batches lock rows in the same
    // order and cannot deadlock.
    const byKey = new Map<string, ObjectRecord>();
    for (const r of records) byKey.set(JSON.stringify([r.dataset, r.key]), r);
    const sorted = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
    await this.#write(async (client) => {
      for (let start = 0; start < sorted.length; start += POSTGRES_INSERT_CHUNK) {
        const chunk = sorted.slice(start, start + POSTGRES_INSERT_CHUNK);
        await client.query(
          UPSERT_OBJECTS_SQL,
          OBJECT_FIELDS.map((f) => chunk.map((r) => r[f] ?? null)),
        );
      }
    });
  }

  async updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void> {
    const { columns, values } = patchAssignments(patch);
    if (columns.length === 0) {
      if ((await this.getObjects(dataset, [key])).size === 0) throw this.#noObject(dataset, key);
      return;
    }
    const set = columns.map((c, i) => `${c} = $${i + 1}`).join(', ');
    const n = columns.length;
    const { rowCount } = await this.#pool.query(
      `UPDATE objects SET ${set} WHERE dataset = $${n + 1} AND key = $${n + 2}`,
      [...values, dataset, key],
    );
    if (rowCount === 0) throw this.#noObject(dataset, key);
  }

  async *iterateObjects(dataset: string, statuses?: readonly ObjectStatus[]): AsyncIterable<ObjectRecord> {
    if (statuses !== undefined && statuses.length === 0) return;
    const wanted = statuses === undefined ? undefined : [...new Set(statuses)];
    let after = '';
    for (;;) {
      // Each page is its own short query on the pool: no snapshot or lock is held between
      // pages, so the caller and other processes may write while we iterate.
      const { rows } =
        wanted === undefined
          ? await this.#pool.query(PAGE_SQL.all, [dataset, after, this.#pageSize])
          : await this.#pool.query(PAGE_SQL.statuses, [dataset, after, this.#pageSize, wanted]);
      for (const row of rows) yield objectFromRow(row as Record<string, unknown>);
      if (rows.length < this.#pageSize) return;
      after = (rows.at(-1) as { key: string }).key;
    }
  }

  async countObjects(dataset: string): Promise<StatusCounts> {
    const counts = Object.fromEntries(OBJECT_STATUSES.map((s) => [s, { objects: 0, bytes: 0 }])) as StatusCounts;
    // One statement: one snapshot, so the totals never mix two moments.
    const { rows } = await this.#pool.query<{ status: ObjectStatus; objects: number; bytes: number }>(
      `SELECT status, count(*)::bigint AS objects, coalesce(sum(size), 0)::bigint AS bytes
       FROM objects WHERE dataset = $1 GROUP BY status`,
      [dataset],
    );
    for (const row of rows) counts[row.status] = { objects: row.objects, bytes: row.bytes };
    return counts;
  }

  async countVerifiedFull(dataset: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(
      "SELECT count(*)::bigint AS n FROM objects WHERE dataset = $1 AND status = 'verified' AND verified_mode = 'full'",
      [dataset],
    );
    return rows[0]?.n ?? 0;
  }

  async markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]> {
    // One statement: exactly the rows it changed come back, then sorted in byte order.
    const { rows } = await this.#pool.query<{ key: string }>(
      `WITH marked AS (
         UPDATE objects SET status = 'deleted-at-source'
         WHERE dataset = $1 AND inventory_id <> $2 AND status <> 'deleted-at-source'
         RETURNING key
       )
       SELECT key FROM marked ORDER BY key`,
      [dataset, inventoryId],
    );
    return rows.map((r) => r.key);
  }

  #noObject(dataset: string, key: string): Error {
    return new Error(
      `cannot update object ${dataset}/${key}: no such record in ${this.#location}; run inventory first`,
    );
  }
}
