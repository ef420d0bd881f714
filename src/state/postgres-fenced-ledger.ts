/**
 * The ledger and upload log as one lease's holder sees them (`WorkQueue.fencedLedger`) on a
 * PostgreSQL state. Every write is one transaction that first locks the objects it writes
 * and checks that their `lease_token` is still this lease's: a claim that takes an object
 * over locks the same row, so either the write commits before the takeover (and the new
 * holder sees it) or it sees the new token and is refused. The write itself is the plain
 * store's, run on the same connection, so fenced and unfenced writes cannot drift apart.
 */
import type pg from 'pg';
import type { ObjectLedger, ObjectPatch, ObjectRecord, ObjectStatus, StatusCounts } from './contracts/objects.ts';
import type { PartRecord, UploadLog, UploadRecord } from './contracts/uploads.ts';
import { FencedWriteError, type ObjectLease } from './contracts/work-queue.ts';
import { PostgresObjectLedger } from './postgres-objects.ts';
import type { PgTransaction } from './postgres-schema.ts';
import { PostgresUploadLog } from './postgres-uploads.ts';
import { patchAssignments } from './records.ts';

/** What a fenced write found of an object it locked. */
interface Held {
  status: ObjectStatus;
  size: number;
  leaseToken: number | null;
}

/** The plain ledger and upload log, writing through one connection inside the fenced transaction. */
interface OnClient {
  objects: PostgresObjectLedger;
  uploads: PostgresUploadLog;
}

/** An object recorded as copied by a write: what the worker's throughput counts. */
interface Copied {
  key: string;
  bytes: number;
}

export class PostgresFencedLedger implements ObjectLedger, UploadLog {
  readonly #pool: pg.Pool;
  readonly #write: PgTransaction;
  readonly #location: string;
  readonly #lease: ObjectLease;
  readonly #objects: ObjectLedger;
  readonly #uploads: UploadLog;

  /** `objects` and `uploads` are the store's own: reads go straight to them. */
  constructor(
    pool: pg.Pool,
    write: PgTransaction,
    location: string,
    lease: ObjectLease,
    objects: ObjectLedger,
    uploads: UploadLog,
  ) {
    this.#pool = pool;
    this.#write = write;
    this.#location = location;
    this.#lease = lease;
    this.#objects = objects;
    this.#uploads = uploads;
  }

  getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>> {
    return this.#objects.getObjects(dataset, keys);
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
  getUpload(dataset: string, key: string): Promise<UploadRecord | undefined> {
    return this.#uploads.getUpload(dataset, key);
  }

  async updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void> {
    // The hot path, one object recorded as its copy ends: one statement, one round trip.
    // Anything else (the object not held, missing, an empty patch) takes the full path,
    // which tells why and counts a refusal.
    if (await this.#updateHeld(dataset, key, patch)) return;
    await this.#fenced(dataset, [key], async ({ objects }, held) => {
      await objects.updateObject(dataset, key, patch);
      const before = held.get(key)!;
      return patch.status === 'copied' && before.status !== 'copied' ? [{ key, bytes: patch.size ?? before.size }] : [];
    });
  }

  async putObjects(records: readonly ObjectRecord[]): Promise<void> {
    if (records.length === 0) return;
    const datasets = new Set(records.map((r) => r.dataset));
    const [dataset] = datasets;
    // A lease covers one dataset: a batch reaching into another could not be held by it.
    if (datasets.size > 1 || dataset !== this.#lease.dataset) {
      const stray = records.find((r) => r.dataset !== this.#lease.dataset) ?? records[0]!;
      await this.#refuse(stray.dataset, stray.key);
    }
    await this.#fenced(this.#lease.dataset, [...new Set(records.map((r) => r.key))], async ({ objects }, held) => {
      await objects.putObjects(records);
      const last = new Map(records.map((r) => [r.key, r])); // the last record of a key wins, as in putObjects
      return [...last.values()]
        .filter((r) => r.status === 'copied' && held.get(r.key)!.status !== 'copied')
        .map((r) => ({ key: r.key, bytes: r.size }));
    });
  }

  markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]> {
    // Not a holder's write: it touches objects of the whole dataset, held or not.
    return Promise.reject(
      new Error(
        `cannot mark unseen objects of ${dataset} deleted (inventory ${inventoryId}) through a worker's lease: ` +
          'that is the inventory leader’s write, on the state itself',
      ),
    );
  }

  async startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void> {
    await this.#fenced(upload.dataset, [upload.key], async ({ uploads }) => {
      await uploads.startUpload(upload);
      return [];
    });
  }

  async recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void> {
    await this.#fenced(dataset, [key], async ({ uploads }) => {
      await uploads.recordPart(dataset, key, uploadId, part);
      return [];
    });
  }

  async clearUpload(dataset: string, key: string): Promise<void> {
    await this.#fenced(dataset, [key], async ({ uploads }) => {
      await uploads.clearUpload(dataset, key);
      return [];
    });
  }

  /**
   * `updateObject` as one statement when this lease holds the object: lock the row if it
   * still carries the token (a claim that took it over commits first or waits), patch it,
   * credit a newly copied object to the worker. False, having changed nothing, otherwise.
   */
  async #updateHeld(dataset: string, key: string, patch: ObjectPatch): Promise<boolean> {
    const { columns, values } = patchAssignments(patch);
    if (columns.length === 0) return false;
    const n = values.length;
    const { rows } = await this.#pool.query<{ n: number }>(
      `WITH held AS (
         SELECT key, status FROM objects WHERE dataset = $${n + 1} AND key = $${n + 2} AND lease_token = $${n + 3}
         FOR UPDATE
       ), updated AS (
         UPDATE objects o SET ${columns.map((c, i) => `${c} = $${i + 1}`).join(', ')}
         FROM held WHERE o.dataset = $${n + 1} AND o.key = held.key
         RETURNING o.status AS status, o.size AS size, held.status AS was
       ), credited AS (
         INSERT INTO worker_copies (worker_id, fencing_token, bytes)
         SELECT $${n + 4}, $${n + 3}, size FROM updated WHERE status = 'copied' AND was <> 'copied'
       )
       SELECT count(*)::bigint AS n FROM updated`,
      [...values, dataset, key, this.#lease.fencingToken, this.#lease.workerId],
    );
    return rows[0]!.n === 1;
  }

  /**
   * Runs `write` in one transaction, after locking the objects `keys` (in key order, as
   * every writer of several rows does: no deadlock) and checking this lease holds them all.
   * When one is not held, nothing is written, the refusal is recorded (committed), and the
   * write rejects with `FencedWriteError`. Objects `write` reports as newly copied are
   * credited to the lease's worker, in the same transaction.
   */
  async #fenced(
    dataset: string,
    keys: readonly string[],
    write: (onClient: OnClient, held: ReadonlyMap<string, Held>) => Promise<Copied[]>,
  ): Promise<void> {
    const token = this.#lease.fencingToken;
    const refused = await this.#write(async (client) => {
      const { rows } = await client.query<{ key: string; status: ObjectStatus; size: number; lease_token: number }>(
        `SELECT key, status, size, lease_token FROM objects
         WHERE dataset = $1 AND key = ANY($2::text[]) ORDER BY key FOR UPDATE`,
        [dataset, keys],
      );
      const held = new Map(rows.map((r) => [r.key, { status: r.status, size: r.size, leaseToken: r.lease_token }]));
      const missing = keys.find((k) => !held.has(k));
      if (missing !== undefined) {
        throw new Error(
          `cannot write ${dataset}/${missing} under lease ${this.#lease.leaseId}: no such record in ` +
            `${this.#location}; a lease holds only objects it claimed`,
        );
      }
      const lost = keys.find((k) => held.get(k)!.leaseToken !== token);
      if (lost !== undefined) {
        await recordRefusal(client, this.#lease, dataset, lost);
        return lost;
      }
      const copied = await write(onClient(client, this.#location), held);
      if (copied.length > 0) {
        await client.query(
          `INSERT INTO worker_copies (worker_id, fencing_token, bytes)
           SELECT $1, $2, unnest($3::bigint[])`,
          [this.#lease.workerId, token, copied.map((c) => c.bytes)],
        );
      }
      return undefined;
    });
    if (refused !== undefined) throw new FencedWriteError(dataset, refused, token);
  }

  /** Records and throws the refusal of a write that could not be held by this lease at all. */
  async #refuse(dataset: string, key: string): Promise<never> {
    await this.#write((client) => recordRefusal(client, this.#lease, dataset, key));
    throw new FencedWriteError(dataset, key, this.#lease.fencingToken);
  }
}

async function recordRefusal(client: pg.PoolClient, lease: ObjectLease, dataset: string, key: string): Promise<void> {
  await client.query('INSERT INTO fenced_writes (worker_id, fencing_token, dataset, key) VALUES ($1, $2, $3, $4)', [
    lease.workerId,
    lease.fencingToken,
    dataset,
    key,
  ]);
}

/**
 * The plain ledger and upload log on one connection of an open transaction. They only ever
 * call `query` on what they are given as a pool, and their own transactions become plain
 * calls here: the fenced transaction is already open.
 */
function onClient(client: pg.PoolClient, location: string): OnClient {
  const asPool = client as unknown as pg.Pool;
  const inTransaction: PgTransaction = (fn) => fn(client);
  return {
    objects: new PostgresObjectLedger(asPool, inTransaction, location),
    uploads: new PostgresUploadLog(asPool, inTransaction),
  };
}
