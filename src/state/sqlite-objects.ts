/** The `ObjectLedger` contract on a SQLite state file: the `objects` table. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  OBJECT_STATUSES,
  type ObjectLedger,
  type ObjectPatch,
  type ObjectRecord,
  type ObjectStatus,
  type StatusCounts,
} from './contracts/objects.ts';
import { OBJECT_COLUMN_LIST, UPSERT_OBJECT_SQL, objectFromRow, objectValues, patchAssignments } from './sqlite-rows.ts';
import type { WriteTransaction } from './sqlite-transaction.ts';

/** Rows fetched per query by `iterateObjects`: bounds memory whatever the dataset size. */
export const OBJECT_PAGE_SIZE = 1000;

/**
 * Page queries of `iterateObjects`, keyset-paginated on `key` so each page is an index
 * seek, not an OFFSET scan. One status reads `objects_by_status`, already in key order.
 * Several statuses read the primary key in key order and filter: the unary `+` keeps the
 * planner off the status index (which it may prefer once statistics exist), because that
 * plan sorts every remaining match again on every page.
 */
export const OBJECT_PAGE_SQL = {
  all: `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = ? AND key > ? ORDER BY key LIMIT ?`,
  oneStatus: `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = ? AND status = ? AND key > ? ORDER BY key LIMIT ?`,
  someStatuses: `SELECT ${OBJECT_COLUMN_LIST} FROM objects
    WHERE dataset = ? AND +status IN (SELECT value FROM json_each(?)) AND key > ? ORDER BY key LIMIT ?`,
} as const;

export class SqliteObjectLedger implements ObjectLedger {
  readonly #db: DatabaseSync;
  readonly #write: WriteTransaction;
  readonly #location: string;
  readonly #updateStatements = new Map<string, StatementSync>();
  // Prepared once: re-preparing per call would dominate the cost of bulk inserts.
  readonly #getObjects: StatementSync;
  readonly #upsertObject: StatementSync;
  readonly #pageAll: StatementSync;
  readonly #pageOneStatus: StatementSync;
  readonly #pageSomeStatuses: StatementSync;
  readonly #countByStatus: StatementSync;
  readonly #countVerifiedFull: StatementSync;
  readonly #selectUnseen: StatementSync;
  readonly #markUnseen: StatementSync;

  constructor(db: DatabaseSync, write: WriteTransaction, location: string) {
    this.#db = db;
    this.#write = write;
    this.#location = location;
    this.#getObjects = db.prepare(
      `SELECT ${OBJECT_COLUMN_LIST} FROM objects WHERE dataset = ? AND key IN (SELECT value FROM json_each(?))`,
    );
    this.#upsertObject = db.prepare(UPSERT_OBJECT_SQL);
    this.#pageAll = db.prepare(OBJECT_PAGE_SQL.all);
    this.#pageOneStatus = db.prepare(OBJECT_PAGE_SQL.oneStatus);
    this.#pageSomeStatuses = db.prepare(OBJECT_PAGE_SQL.someStatuses);
    this.#countByStatus = db.prepare(
      'SELECT status, count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM objects WHERE dataset = ? GROUP BY status',
    );
    // Counted by the index on (dataset, status, key): gates and status read this often.
    this.#countVerifiedFull = db.prepare(
      "SELECT count(*) AS n FROM objects WHERE dataset = ? AND status = 'verified' AND verified_mode = 'full'",
    );
    const unseen = "dataset = ? AND inventory_id <> ? AND status <> 'deleted-at-source'";
    this.#selectUnseen = db.prepare(`SELECT key FROM objects WHERE ${unseen} ORDER BY key`);
    this.#markUnseen = db.prepare(`UPDATE objects SET status = 'deleted-at-source' WHERE ${unseen}`);
  }

  async getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>> {
    const found = new Map<string, ObjectRecord>();
    if (keys.length === 0) return found;
    // One JSON array parameter instead of one `?` per key: no limit on the number of keys,
    // and one prepared statement for every call.
    for (const row of this.#getObjects.iterate(dataset, JSON.stringify(keys))) {
      const record = objectFromRow(row);
      found.set(record.key, record);
    }
    return found;
  }

  async putObjects(records: readonly ObjectRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.#write(() => {
      for (const record of records) this.#upsertObject.run(...objectValues(record));
    });
  }

  async updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void> {
    const { columns, values } = patchAssignments(patch);
    if (columns.length === 0) {
      if ((await this.getObjects(dataset, [key])).size === 0) throw this.#noObject(dataset, key);
      return;
    }
    const shape = columns.join(',');
    let statement = this.#updateStatements.get(shape);
    if (!statement) {
      statement = this.#db.prepare(
        `UPDATE objects SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE dataset = ? AND key = ?`,
      );
      this.#updateStatements.set(shape, statement);
    }
    if (statement.run(...values, dataset, key).changes === 0) throw this.#noObject(dataset, key);
  }

  async *iterateObjects(dataset: string, statuses?: readonly ObjectStatus[]): AsyncIterable<ObjectRecord> {
    if (statuses !== undefined && statuses.length === 0) return;
    const wanted = statuses === undefined ? undefined : [...new Set(statuses)];
    const statusJson = wanted && JSON.stringify(wanted);
    let after = '';
    for (;;) {
      // Each page is its own short read, so the caller may write to the store between
      // records (and other processes may write too) without holding a snapshot open.
      const rows =
        wanted === undefined
          ? this.#pageAll.all(dataset, after, OBJECT_PAGE_SIZE)
          : wanted.length === 1
            ? this.#pageOneStatus.all(dataset, wanted[0]!, after, OBJECT_PAGE_SIZE)
            : this.#pageSomeStatuses.all(dataset, statusJson!, after, OBJECT_PAGE_SIZE);
      for (const row of rows) yield objectFromRow(row);
      if (rows.length < OBJECT_PAGE_SIZE) return;
      after = rows.at(-1)!['key'] as string;
    }
  }

  async countObjects(dataset: string): Promise<StatusCounts> {
    const counts = Object.fromEntries(OBJECT_STATUSES.map((s) => [s, { objects: 0, bytes: 0 }])) as StatusCounts;
    for (const row of this.#countByStatus.iterate(dataset)) {
      counts[row['status'] as ObjectStatus] = { objects: row['objects'] as number, bytes: row['bytes'] as number };
    }
    return counts;
  }

  async countVerifiedFull(dataset: string): Promise<number> {
    const row = this.#countVerifiedFull.get(dataset);
    return (row?.['n'] as number | undefined) ?? 0;
  }

  async markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]> {
    // SELECT then UPDATE inside one write transaction: the keys come back in byte order
    // (UPDATE … RETURNING has no order) and are exactly the rows updated.
    return this.#write(() => {
      const keys = this.#selectUnseen.all(dataset, inventoryId).map((row) => row['key'] as string);
      if (keys.length > 0) this.#markUnseen.run(dataset, inventoryId);
      return keys;
    });
  }

  #noObject(dataset: string, key: string): Error {
    return new Error(
      `cannot update object ${dataset}/${key}: no such record in ${this.#location}; run inventory first`,
    );
  }
}
