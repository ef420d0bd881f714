/**
 * Verification of a PostgreSQL dataset: per table, row count and fingerprint by
 * primary-key chunks (whole table when there is no primary key), compared chunk by chunk
 * between source and target, plus the schema comparison. Chunks are cut on the source and
 * the same ranges are applied to the target, so a mismatch names a key range.
 *
 * Each side reads one consistent snapshot: a coordinating transaction exports it
 * (pg_export_snapshot, as pg_dump does) and every worker connection adopts it, so counts
 * and fingerprints of different chunks describe the same instant even if writes go on.
 */
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import PQueue from 'p-queue';
import pg from 'pg';
import { makeFolder } from '../make-folder.ts';
import { canonicalJson } from '../audit/chain.ts';
import { SILENT, type ProgressSink } from '../progress.ts';
import type { PostgresDataset } from '../plan/schema.ts';
import { compareNames, listTables, type TableInfo } from './catalog.ts';
import { clientConfig, type PgConnection } from './connection.ts';
import type { DatabaseVerification, TableVerification } from './contract.ts';
import {
  addFingerprints,
  describeChunk,
  EMPTY_FINGERPRINT,
  fingerprintChunk,
  fingerprintHex,
  planChunks,
  sameFingerprint,
  type Chunk,
  type Fingerprint,
  type HashColumn,
} from './fingerprint.ts';
import { compareSchemas, readSchema, type SchemaSnapshot } from './schema-compare.ts';
import { databaseError, displayTable } from './sql.ts';

export interface VerifyOptions {
  /** Chunk queries running at once on each side. @default 4 */
  concurrency?: number;
  progress?: ProgressSink;
  /** Stops scheduling chunks; running chunk queries finish, then the verification rejects. */
  signal?: AbortSignal;
}

/** One server, read through one exported snapshot. */
interface Side {
  label: string;
  pool: pg.Pool;
  /** Holds the exporting transaction open until the end; also reads the catalog. */
  holder: pg.PoolClient;
  snapshot: string;
}

async function openSide(connection: PgConnection, concurrency: number): Promise<Side> {
  const pool = new pg.Pool({ ...clientConfig(connection), max: concurrency + 1 });
  pool.on('error', () => {}); // an idle client losing its server: the next query reports it
  let holder: pg.PoolClient | undefined;
  try {
    holder = await pool.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await holder.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    const snapshot = rows[0]!.id;
    // Inlined below (SET TRANSACTION SNAPSHOT takes no parameter): only accept its known shape.
    if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id ${JSON.stringify(snapshot)}`);
    return { label: connection.label, pool, holder, snapshot };
  } catch (err) {
    holder?.release(true);
    await pool.end().catch(() => {});
    throw databaseError(connection.label, 'opening a snapshot for verification', err);
  }
}

async function closeSide(side: Side): Promise<void> {
  await side.holder.query('COMMIT').catch(() => {});
  side.holder.release();
  await side.pool.end().catch(() => {});
}

/** Runs `fn` on a worker connection inside the side's snapshot; failures name the database and `what`. */
async function inSnapshot<T>(side: Side, what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await side.pool.connect();
  } catch (err) {
    throw databaseError(side.label, what, err);
  }
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${side.snapshot}'`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw databaseError(side.label, what, err);
  } finally {
    client.release(broken);
  }
}

interface TableWork {
  source: TableInfo;
  /** The target's table with the source's key, or undefined when the target has no such table. */
  target: TableInfo | undefined;
  /** Source columns that also exist on the target, in the source's order. */
  columns: HashColumn[];
  chunks: Chunk[];
  results: { source: Fingerprint; target: Fingerprint }[];
}

function prepare(
  source: TableInfo,
  target: TableInfo | undefined,
  sourceSchema: SchemaSnapshot,
  targetSchema: SchemaSnapshot,
): TableWork {
  const targetColumns = new Set(targetSchema.tables.get(source.name)?.columns.map((c) => c.name) ?? []);
  const all = sourceSchema.tables.get(source.name)?.columns ?? [];
  // A column missing on the target is a schema difference (reported there); the content of the others still compares.
  const columns = target
    ? all.filter((c) => targetColumns.has(c.name)).map((c) => ({ name: c.name, type: c.type }))
    : all.map((c) => ({ name: c.name, type: c.type }));
  // Chunk predicates need every key column on both sides; otherwise compare the table whole.
  const keyUsable = !target || (source.primaryKey ?? []).every((k) => targetColumns.has(k.name));
  const keyed = keyUsable ? source : { ...source, primaryKey: undefined };
  return {
    source: keyed,
    target: target && { ...target, primaryKey: keyed.primaryKey },
    columns,
    chunks: [],
    results: [],
  };
}

function summarize(work: TableWork): TableVerification {
  const { source, target } = work;
  const total = (side: 'source' | 'target') =>
    work.results.reduce((sum, r) => addFingerprints(sum, r[side]), EMPTY_FINGERPRINT);
  const sourceTotal = total('source');
  const targetTotal = total('target');
  const mismatches: string[] = [];
  if (!target) mismatches.push(`the table is missing on the target (${sourceTotal.rows} rows on the source)`);
  else {
    work.results.forEach((r, i) => {
      if (sameFingerprint(r.source, r.target)) return;
      const detail =
        r.source.rows === r.target.rows
          ? `${r.source.rows} rows on both sides, content differs`
          : `${r.source.rows} rows on the source and ${r.target.rows} on the target`;
      mismatches.push(`${describeChunk(source, work.chunks[i]!)}: ${detail}`);
    });
  }
  return {
    schema: source.schema,
    table: source.table,
    rows: { source: Number(sourceTotal.rows), target: Number(targetTotal.rows) },
    method: source.primaryKey ? 'pk-range' : 'whole-table',
    chunks: work.chunks.length,
    fingerprint: fingerprintHex(sourceTotal),
    mismatches,
  };
}

/**
 * Verifies that the target holds the source's dataset: row counts, content fingerprints by
 * primary-key range and schema. Only aggregates and chunk boundaries come back from the
 * servers. `ok` only when every table matches and the schemas do not differ.
 * The caller owns the progress stage (start/stop); this advances it per chunk (objects) and
 * by each chunk's share of its table's size (bytes).
 */
export async function verifyDatabase(
  source: PgConnection,
  target: PgConnection,
  dataset: PostgresDataset,
  options: VerifyOptions = {},
): Promise<DatabaseVerification> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const progress = options.progress ?? SILENT;
  const opened = await Promise.allSettled([openSide(source, concurrency), openSide(target, concurrency)]);
  const sides = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    for (const r of opened) if (r.status === 'rejected') throw r.reason;
    const [src, tgt] = sides as [Side, Side];
    const readSide = async (side: Side) => {
      try {
        const tables = await listTables(side.holder, dataset);
        return { tables, schema: await readSchema(side.holder, dataset, tables) };
      } catch (err) {
        throw databaseError(side.label, `reading the catalog of ${dataset.name}`, err);
      }
    };
    const [s, t] = await Promise.all([readSide(src), readSide(tgt)]);
    const schemaDifferences = compareSchemas(s.schema, t.schema);
    const targetTables = new Map(t.tables.map((table) => [table.name, table]));
    const work = s.tables.map((table) => prepare(table, targetTables.get(table.name), s.schema, t.schema));

    const queue = new PQueue({ concurrency });
    let failure: unknown;
    const schedule = (task: () => Promise<void>) => {
      if (failure !== undefined) return; // a planning task finishing after a failure adds nothing
      queue
        .add(async () => {
          options.signal?.throwIfAborted();
          await task();
        })
        .catch((err: unknown) => {
          failure ??= err;
          queue.clear();
        });
    };
    for (const w of work) {
      const name = displayTable(w.source.schema, w.source.table);
      schedule(async () => {
        w.chunks = await inSnapshot(src, `cutting ${name} into key ranges`, (c) =>
          planChunks(c, w.source, dataset.chunkRows),
        );
        w.chunks.forEach((chunk, i) =>
          schedule(async () => {
            const what = `fingerprinting ${name} (${describeChunk(w.source, chunk)})`;
            const [a, b] = await Promise.all([
              inSnapshot(src, what, (c) => fingerprintChunk(c, w.source, w.columns, chunk)),
              w.target
                ? inSnapshot(tgt, what, (c) => fingerprintChunk(c, w.target!, w.columns, chunk))
                : EMPTY_FINGERPRINT,
            ]);
            w.results[i] = { source: a, target: b };
            progress.advance({ objects: 1, bytes: Math.round(w.source.bytes / w.chunks.length) });
          }),
        );
      });
    }
    await queue.onIdle();
    if (failure !== undefined) throw failure;

    const tables = work.map(summarize);
    for (const table of tables)
      for (const m of table.mismatches)
        progress.note(`${dataset.name}: ${displayTable(table.schema, table.table)}: ${m}`);
    const ok = schemaDifferences.length === 0 && tables.every((table) => table.mismatches.length === 0);
    return { dataset: dataset.name, ok, tables, schemaDifferences };
  } finally {
    await Promise.all(sides.map(closeSide));
  }
}

/** What the evidence file says about how fingerprints were computed, so an auditor can recompute them. */
const FINGERPRINT_SCHEME = [
  'rows: count(*) of the table (partitioned tables with their partitions)',
  "fingerprint: 32 hex digits, sum(('x' || substr(h, 1, 16))::bit(64)::bigint) then sum(('x' || substr(h, 17, 16))::bit(64)::bigint), each modulo 2^64, where h = md5(ROW(every column in the source's column order, money as numeric)::text)",
  'session: TimeZone=UTC, DateStyle=ISO,YMD, IntervalStyle=iso_8601, extra_float_digits=3, bytea_output=hex',
  'order-independent: sums do not depend on row order or on the key ranges used to compute them',
].join('; ');

/**
 * Writes the per-table fingerprints as canonical JSON (keys sorted, tables sorted by schema
 * then name, no timestamps): the same verification always gives the same bytes. Written
 * to a temporary file then renamed, so a reader never sees half a file. Returns its SHA-256.
 */
export async function writeFingerprintEvidence(verification: DatabaseVerification, file: string): Promise<string> {
  const tables = [...verification.tables]
    .sort((a, b) => compareNames(a.schema, b.schema) || compareNames(a.table, b.table))
    .map((t) => ({
      schema: t.schema,
      table: t.table,
      method: t.method,
      chunks: t.chunks,
      rows: t.rows,
      fingerprint: t.fingerprint,
      mismatches: t.mismatches,
    }));
  const body = canonicalJson({
    dataset: verification.dataset,
    ok: verification.ok,
    scheme: FINGERPRINT_SCHEME,
    tables,
    schemaDifferences: verification.schemaDifferences,
  });
  const bytes = Buffer.from(`${body}\n`, 'utf8');
  makeFolder(dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, file);
  return createHash('sha256').update(bytes).digest('hex');
}
