/**
 * Moving a SQLite state's rows into a PostgreSQL state, table by table, row for row: the
 * PostgreSQL schema is the SQLite one in PostgreSQL terms (`postgres-schema.ts`), so the
 * records need no translation, and going through the contracts instead would re-stamp what
 * must be kept as it was (run ids and times, audit events, attempts).
 *
 * It is ONE PostgreSQL transaction (see `transferToPostgres`): atomic, not resumable. The
 * target must be empty to begin with, so a half-moved state would be a non-empty target
 * that the next attempt had to tell apart from someone else's data; with one transaction
 * an interruption (Ctrl-C, SIGKILL, a lost connection) leaves the target as empty as it
 * was, and running the command again starts over on a target that is still acceptable.
 */
import type { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { PARSE_TYPES } from './postgres-schema.ts';

/**
 * Every table that holds a contract, parents before children (uploads before their parts),
 * with the columns that order its rows: the audit log goes in `seq` order, as its insert
 * trigger demands of each new event.
 */
export const TRANSFER_TABLES: readonly { table: string; orderBy: string }[] = [
  { table: 'binding', orderBy: 'id' },
  { table: 'binding_datasets', orderBy: 'name' },
  { table: 'binding_rebinds', orderBy: 'seq' },
  { table: 'runs', orderBy: 'seq' },
  { table: 'objects', orderBy: 'dataset, key' },
  { table: 'uploads', orderBy: 'dataset, key' },
  { table: 'upload_parts', orderBy: 'dataset, key, part_number' },
  { table: 'audit_events', orderBy: 'seq' },
  { table: 'phases', orderBy: 'phase_id' },
  { table: 'databases', orderBy: 'dataset' },
  { table: 'probes', orderBy: 'target' },
];

/** Tables whose `seq` PostgreSQL numbers itself (bigserial): their sequence must follow the copied rows. */
const SERIAL_TABLES = ['binding_rebinds', 'runs'];

/** The advisory lock two `state migrate` runs into one database take: the second waits, then finds it not empty. */
const TRANSFER_LOCK_KEY = 0x636c6f7564656d67n; // "cloudemg"

export interface TransferProgress {
  /** A table begins, with the rows it holds. */
  table(name: string, rows: number): void;
  /** `rows` more rows were written. */
  rows(rows: number): void;
  /** The transfer ended, committed or not. */
  done(): void;
}

export interface TransferOptions {
  /** Rows per INSERT statement. @default 500 */
  batchSize?: number;
  /** Told of each table and batch. @default nothing */
  progress?: TransferProgress;
  /** Aborting rolls the whole transfer back, between two batches. @default never aborted */
  signal?: AbortSignal;
  /**
   * Checked inside the transaction, after the advisory lock, before the first row: throws
   * to refuse (a target that another process filled meanwhile). @default nothing checked
   */
  checkTarget?: (client: pg.ClientBase) => Promise<void>;
}

/** Rows copied per table. */
export type TransferCounts = Record<string, number>;

/**
 * Copies every row of every contract table of `source` (read inside the caller's read
 * transaction, so all tables come from one snapshot) into the PostgreSQL database of
 * `target`, whose schema is already current, in one transaction; commits only when every
 * table is copied and the serial sequences are moved past the copied rows.
 */
export async function transferToPostgres(
  source: DatabaseSync,
  target: pg.ClientConfig,
  options: TransferOptions = {},
): Promise<TransferCounts> {
  const client = new pg.Client({ ...target, types: PARSE_TYPES });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [TRANSFER_LOCK_KEY.toString()]);
    await options.checkTarget?.(client);
    const counts: TransferCounts = {};
    for (const { table, orderBy } of TRANSFER_TABLES) {
      counts[table] = await copyTable(source, client, table, orderBy, options);
    }
    for (const table of SERIAL_TABLES) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'seq'), coalesce(max(seq), 1), max(seq) IS NOT NULL)
         FROM ${table}`,
      );
    }
    await client.query('COMMIT');
    return counts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    options.progress?.done();
    await client.end().catch(() => {});
  }
}

async function copyTable(
  source: DatabaseSync,
  client: pg.ClientBase,
  table: string,
  orderBy: string,
  options: TransferOptions,
): Promise<number> {
  const columns = await sharedColumns(source, client, table);
  const total = Number(source.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.['n'] ?? 0);
  options.progress?.table(table, total);
  const batchSize = options.batchSize ?? 500;
  const list = columns.map((c) => `"${c}"`).join(', ');
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    options.signal?.throwIfAborted();
    const placeholders = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    try {
      await client.query(`INSERT INTO ${table} (${list}) VALUES ${placeholders.join(', ')}`, batch.flat());
    } catch (err) {
      // Which table and rows: the driver's message alone does not say.
      throw new Error(`copying ${table}, rows ${copied + 1} to ${copied + batch.length}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    copied += batch.length;
    options.progress?.rows(batch.length);
    batch = [];
  };
  for (const row of source.prepare(`SELECT ${list} FROM ${table} ORDER BY ${orderBy}`).iterate()) {
    batch.push(columns.map((c) => row[c] ?? null));
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return copied;
}

/**
 * The SQLite table's columns, each of which the PostgreSQL table must have (columns only
 * PostgreSQL has, as the worker's lease columns, keep their defaults). A missing one means
 * the two schemas drifted apart: refused before a row is written.
 */
async function sharedColumns(source: DatabaseSync, client: pg.ClientBase, table: string): Promise<string[]> {
  const columns = source
    .prepare(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((r) => String(r['name']));
  const { rows } = await client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
    [table],
  );
  const target = new Set(rows.map((r) => r.column_name));
  const missing = columns.filter((c) => !target.has(c));
  if (missing.length > 0) {
    throw new Error(`the PostgreSQL table ${table} has no column ${missing.join(', ')}: upgrade cloudexit`);
  }
  return columns;
}
