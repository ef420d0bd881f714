/**
 * Order-independent fingerprints of table content, computed entirely by the server: only
 * aggregates (one row per chunk) and chunk boundaries (one row per chunk) reach Node, so a
 * table of 10^8 rows verifies with a few hundred small result rows.
 *
 * Scheme. Each row becomes its text form `ROW(c1, c2, …)::text`, columns named explicitly
 * in the SOURCE's order on both sides (so a different physical column order on the target
 * does not matter), in a session pinned to one text form per type (see `clientConfig`).
 * Its md5 (128 bits) is cut into two 64-bit halves read as signed bigints. A row set's
 * fingerprint is (count(*), sum(high halves), sum(low halves)). PostgreSQL sums bigints
 * into `numeric`, so the sums are exact, never overflow, and do not depend on row order
 * or on how the rows are cut into chunks: a table's fingerprint is the sum of its
 * chunks'. Unlike xor, a sum does not cancel duplicate rows: two identical rows count
 * twice. Changing, adding or removing one row moves each sum by a 64-bit pseudo-random
 * amount, zero with probability 2^-64 per half.
 *
 * md5 is used because an auditor can recompute it anywhere; this detects corruption and
 * missed rows, it is not a defence against someone forging rows on purpose.
 */
import type { KeyColumn, TableInfo } from './catalog.ts';
import { quoteIdent, type Queryable } from './sql.ts';

/** Exact sums, as PostgreSQL computed them. */
export interface Fingerprint {
  rows: bigint;
  high: bigint;
  low: bigint;
}

export const EMPTY_FINGERPRINT: Fingerprint = { rows: 0n, high: 0n, low: 0n };

export function addFingerprints(a: Fingerprint, b: Fingerprint): Fingerprint {
  return { rows: a.rows + b.rows, high: a.high + b.high, low: a.low + b.low };
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.rows === b.rows && a.high === b.high && a.low === b.low;
}

const MOD64 = 1n << 64n;

/**
 * 32 hex digits: both sums modulo 2^64. Still additive (so still independent of chunking),
 * and what an auditor gets from `SELECT count(*), sum(…), sum(…)` on the whole table.
 */
export function fingerprintHex(f: Fingerprint): string {
  const hex = (v: bigint) => (((v % MOD64) + MOD64) % MOD64).toString(16).padStart(16, '0');
  return hex(f.high) + hex(f.low);
}

/** A column as hashed: name and `format_type` text. */
export interface HashColumn {
  name: string;
  type: string;
}

/**
 * A slice of the key space. Bounds are the key's text forms (one per key column);
 * `after` is exclusive, `upTo` inclusive, a missing bound is open, so the first and last
 * chunks also catch target rows outside the source's key range.
 */
export interface Chunk {
  after?: string[];
  upTo?: string[];
}

/** `FROM ONLY` for ordinary tables (inheritance children are tables of their own); partitioned parents include their partitions. */
function fromClause(table: TableInfo): string {
  return `${table.kind === 'partitioned' ? '' : 'ONLY '}${table.quoted} AS t`;
}

/** Text of one column in the row text; money prints per lc_monetary, so it goes through numeric. */
function columnExpression(column: HashColumn): string {
  const ref = `t.${quoteIdent(column.name)}`;
  return column.type === 'money' ? `${ref}::numeric` : ref;
}

/** The row text of a table's rows, columns in the given (source) order. */
function rowTextSql(columns: readonly HashColumn[]): string {
  if (columns.length === 0) return `'()'::text`;
  return `ROW(${columns.map(columnExpression).join(', ')})::text`;
}

/** WHERE clause and parameters selecting a chunk's rows. */
function chunkPredicate(
  key: readonly KeyColumn[] | undefined,
  chunk: Chunk,
  firstParam = 1,
): { sql: string; values: string[] } {
  if (!key || (!chunk.after && !chunk.upTo)) return { sql: 'true', values: [] };
  const keyRow = `(${key.map((k) => `t.${quoteIdent(k.name)}`).join(', ')})`;
  const values: string[] = [];
  const bound = (bounds: string[]) =>
    `(${key
      .map((k, i) => {
        values.push(bounds[i]!);
        return `$${firstParam + values.length - 1}::${k.castType}`;
      })
      .join(', ')})`;
  const parts: string[] = [];
  // Row-value comparisons follow the primary key's own order, so a btree index on the key serves them.
  if (chunk.after) parts.push(`${keyRow} > ${bound(chunk.after)}`);
  if (chunk.upTo) parts.push(`${keyRow} <= ${bound(chunk.upTo)}`);
  return { sql: parts.join(' AND '), values };
}

/** The aggregate query fingerprinting one chunk: one row comes back, whatever the chunk's size. */
function fingerprintQuery(
  table: TableInfo,
  columns: readonly HashColumn[],
  chunk: Chunk,
): { text: string; values: string[] } {
  const where = chunkPredicate(table.primaryKey, chunk);
  // OFFSET 0 keeps the subquery from being flattened, which would make PostgreSQL compute
  // md5 twice per row (once per half); it skips nothing.
  const text = `SELECT count(*)::text AS rows,
  coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0)::text AS high,
  coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)::text AS low
FROM (SELECT md5(${rowTextSql(columns)}) AS h FROM ${fromClause(table)} WHERE ${where.sql} OFFSET 0) AS r`;
  return { text, values: where.values };
}

/** Fingerprint of one chunk of one table. */
export async function fingerprintChunk(
  client: Queryable,
  table: TableInfo,
  columns: readonly HashColumn[],
  chunk: Chunk,
): Promise<Fingerprint> {
  const { text, values } = fingerprintQuery(table, columns, chunk);
  const { rows } = await client.query<{ rows: string; high: string; low: string }>(text, values);
  const row = rows[0]!;
  return { rows: BigInt(row.rows), high: BigInt(row.high), low: BigInt(row.low) };
}

const INTEGER_TYPES = new Set([20, 21, 23]); // bigint, smallint, integer

/**
 * Cuts a table's key space into chunks of about `chunkRows` rows, on the source; the same
 * chunks are then applied to both sides. No rows reach Node and nothing is skipped with
 * OFFSET:
 * - a single integer key: value ranges of equal width from min/max (read off the index)
 *   and the row estimate (an exact count when the table was never analyzed);
 * - any other key: every `chunkRows`-th key in key order, from one ordered pass on the
 *   server (row_number() over the primary key); only those boundary keys come back.
 * A table without primary key is one chunk.
 */
export async function planChunks(client: Queryable, table: TableInfo, chunkRows: number): Promise<Chunk[]> {
  const key = table.primaryKey;
  if (!key) return [{}];
  if (key.length === 1 && INTEGER_TYPES.has(key[0]!.typeOid))
    return planIntegerChunks(client, table, key[0]!, chunkRows);
  const cols = key.map((k) => `t.${quoteIdent(k.name)}`);
  const { rows } = await client.query<string[]>({
    text: `SELECT ${cols.map((c) => `${c}::text`).join(', ')}
FROM (SELECT ${cols.join(', ')}, row_number() OVER (ORDER BY ${cols.join(', ')}) AS n FROM ${fromClause(table)}) AS t
WHERE t.n % $1 = 0 ORDER BY t.n`,
    values: [chunkRows],
    rowMode: 'array',
  });
  return chunksFromBoundaries(rows);
}

/** Chunks ending (inclusively) at each boundary, plus an open chunk after the last one. */
function chunksFromBoundaries(boundaries: string[][]): Chunk[] {
  const chunks: Chunk[] = [];
  let after: string[] | undefined;
  for (const upTo of boundaries) {
    chunks.push(after ? { after, upTo } : { upTo });
    after = upTo;
  }
  chunks.push(after ? { after } : {});
  return chunks;
}

async function planIntegerChunks(
  client: Queryable,
  table: TableInfo,
  key: KeyColumn,
  chunkRows: number,
): Promise<Chunk[]> {
  const col = `t.${quoteIdent(key.name)}`;
  const { rows } = await client.query<{ min: string | null; max: string | null }>(
    `SELECT min(${col})::text AS min, max(${col})::text AS max FROM ${fromClause(table)}`,
  );
  const { min, max } = rows[0]!;
  if (min === null || max === null) return [{}];
  let estimate = table.estimatedRows ?? 0;
  if (estimate < 1) {
    const counted = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${fromClause(table)}`);
    estimate = Number(counted.rows[0]!.n);
  }
  const lo = BigInt(min);
  const span = BigInt(max) - lo + 1n;
  // Width such that a chunk holds about chunkRows rows if keys are spread evenly; the
  // number of chunks is then about estimate / chunkRows, whatever the key range.
  const perChunk = BigInt(Math.max(1, chunkRows));
  const rowsEstimate = BigInt(Math.max(1, Math.round(estimate)));
  let width = (span * perChunk + rowsEstimate - 1n) / rowsEstimate;
  if (width < 1n) width = 1n;
  const boundaries: string[][] = [];
  for (let upTo = lo - 1n + width; upTo < BigInt(max); upTo += width) boundaries.push([upTo.toString()]);
  return chunksFromBoundaries(boundaries);
}

/** A key value as shown in a message: quoted only when it would be ambiguous. */
function showValue(value: string): string {
  return /^$|[,()"]|^\s|\s$/.test(value) ? JSON.stringify(value) : value;
}

/**
 * A chunk in words: `id from 200001 to 400000`, `id up to 200000`, `id from 1000001 on`,
 * `(patient_id, taken_at, code) after (12, …) up to (…)`.
 */
export function describeChunk(table: TableInfo, chunk: Chunk): string {
  const key = table.primaryKey;
  if (!key) return 'whole table';
  const single = key.length === 1;
  const keyName = single ? key[0]!.name : `(${key.map((k) => k.name).join(', ')})`;
  if (!chunk.after && !chunk.upTo) return `${keyName}: whole key range`;
  if (single && INTEGER_TYPES.has(key[0]!.typeOid)) {
    const from = chunk.after ? (BigInt(chunk.after[0]!) + 1n).toString() : undefined;
    const to = chunk.upTo?.[0];
    if (from !== undefined && to !== undefined) return `${keyName} from ${from} to ${to}`;
    return from !== undefined ? `${keyName} from ${from} on` : `${keyName} up to ${to}`;
  }
  const show = (values: string[]) => (single ? showValue(values[0]!) : `(${values.map(showValue).join(', ')})`);
  const parts = [keyName];
  if (chunk.after) parts.push(`after ${show(chunk.after)}`);
  if (chunk.upTo) parts.push(`up to ${show(chunk.upTo)}`);
  return parts.join(' ');
}
