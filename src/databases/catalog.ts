/**
 * The tables a PostgreSQL dataset moves, read from the server's catalog: every ordinary
 * table and partitioned parent of the dataset's schemas, minus its exclusions, sorted by
 * schema then name (code points, not the server's collation, so the order is the same on
 * every server). Partitions themselves are not listed: their parent covers their rows.
 */
import type { PostgresDataset } from '../plan/schema.ts';
import type { PgConnection } from './connection.ts';
import { databaseError, quoteTable, withClient, type Queryable } from './sql.ts';

/** The part of a dataset that decides which tables it holds. */
export type TableScope = Pick<PostgresDataset, 'schemas' | 'excludeTables'> & Partial<Pick<PostgresDataset, 'tables'>>;

/**
 * Whether table `name` (schema.table) belongs to the dataset: in its `tables` when the
 * plan lists some, and not in `excludeTables`. The one rule every step applies.
 */
export function inScope(scope: Pick<TableScope, 'tables' | 'excludeTables'>, name: string): boolean {
  return (!scope.tables || scope.tables.includes(name)) && !scope.excludeTables.includes(name);
}

/**
 * Whether a sequence belongs to the dataset: one owned by a table follows its table; a
 * free-standing one belongs to a dataset selected by schema, not to one listing tables
 * (pg_dump --table brings only the listed tables' own sequences).
 */
export function sequenceInScope(
  scope: Pick<TableScope, 'tables' | 'excludeTables'>,
  ownedBy: string | null | undefined,
): boolean {
  return ownedBy ? inScope(scope, ownedBy) : scope.tables === undefined;
}

export interface KeyColumn {
  name: string;
  /** As `format_type` prints it, modifier included: `bigint`, `numeric(12,2)`, `character varying(20)`. */
  type: string;
  /**
   * The type to cast a parameter holding a key's text form to, in a chunk boundary. The
   * column's own type, modifier kept: without it `character` and `bit` would mean length 1.
   */
  castType: string;
  /** pg_type OID (20 bigint, 23 integer, 21 smallint…). */
  typeOid: number;
}

export interface TableInfo {
  schema: string;
  table: string;
  /** `schema.table`, unquoted, as in `excludeTables` and `Preflight.tablesWithoutPrimaryKey`. */
  name: string;
  /** `"schema"."table"`, ready for SQL. */
  quoted: string;
  kind: 'table' | 'partitioned';
  /** Primary-key columns in key order, or undefined when the table has none. */
  primaryKey: KeyColumn[] | undefined;
  /** The planner's estimate (pg_class.reltuples, partitions summed); undefined if never analyzed. */
  estimatedRows: number | undefined;
  /** pg_total_relation_size (table, indexes, TOAST; partitions summed), in bytes. */
  bytes: number;
}

interface TableRow {
  schema: string;
  table: string;
  relkind: string;
  reltuples: string | null;
  bytes: string;
  pk: KeyColumn[] | null;
}

// For a partitioned parent, sizes and estimates live on its leaf partitions.
// reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14 and later).
const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS table, c.relkind,
  CASE WHEN c.relkind = 'p' THEN (
    SELECT sum(l.reltuples) FILTER (WHERE l.reltuples >= 0)
    FROM pg_partition_tree(c.oid) t JOIN pg_class l ON l.oid = t.relid WHERE t.isleaf)
  WHEN c.reltuples >= 0 THEN c.reltuples END::text AS reltuples,
  CASE WHEN c.relkind = 'p' THEN (
    SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t WHERE t.isleaf)
  ELSE pg_total_relation_size(c.oid) END::text AS bytes,
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                     'castType', format_type(a.atttypid, a.atttypmod), 'typeOid', a.atttypid::int) ORDER BY k.ord)
   FROM pg_constraint con
   CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
   WHERE con.conrelid = c.oid AND con.contype = 'p') AS pk
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])`;

/** Code-point order, the same in every locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The dataset's tables on one server, sorted by schema then table. */
export async function listTables(client: Queryable, scope: TableScope): Promise<TableInfo[]> {
  const { rows } = await client.query<TableRow>(TABLES_SQL, [scope.schemas]);
  return rows
    .filter((r) => inScope(scope, `${r.schema}.${r.table}`))
    .map((r): TableInfo => ({
      schema: r.schema,
      table: r.table,
      name: `${r.schema}.${r.table}`,
      quoted: quoteTable(r.schema, r.table),
      kind: r.relkind === 'p' ? 'partitioned' : 'table',
      primaryKey: r.pk ?? undefined,
      estimatedRows: r.reltuples === null ? undefined : Math.round(Number(r.reltuples)),
      bytes: Number(r.bytes),
    }))
    .sort((a, b) => compareNames(a.schema, b.schema) || compareNames(a.table, b.table));
}

/** `schema.table` of every table without a primary key, sorted (they block `logical`). */
export function tablesWithoutPrimaryKey(tables: readonly TableInfo[]): string[] {
  return tables.filter((t) => t.primaryKey === undefined).map((t) => t.name);
}

/** `listTables` on its own connection; a failure names the database (`user@host:port/db`). */
export async function readCatalog(connection: PgConnection, scope: TableScope): Promise<TableInfo[]> {
  return withClient(connection, 'reading the table list', async (client) => {
    try {
      return await listTables(client, scope);
    } catch (err) {
      throw databaseError(connection.label, 'reading the table list', err);
    }
  });
}
