/**
 * What both methods do with a dataset's objects besides copying rows: the sequences of its
 * schemas (copied at the final sync), the grants re-applied on the target, ANALYZE, and a
 * few server facts. The tables come from `catalog.ts`. Identifiers are always quoted,
 * values always parameters.
 */
import type pg from 'pg';
import type { PostgresDataset } from '../plan/schema.ts';
import { sequenceInScope, type TableInfo } from './catalog.ts';
import type { PgConnection } from './connection.ts';
import { quoteIdent, quoteTable, withClient } from './sql.ts';

/** Schemas of the dataset that the database does not have. */
export async function missingSchemas(client: pg.Client, dataset: PostgresDataset): Promise<string[]> {
  const { rows } = await client.query<{ nspname: string }>(
    'SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])',
    [dataset.schemas],
  );
  const present = new Set(rows.map((r) => r.nspname));
  return dataset.schemas.filter((s) => !present.has(s));
}

interface MovedSequence {
  schema: string;
  name: string;
  sql: string;
}

/**
 * Sequences of the dataset's schemas, serial and identity ones included, except those that
 * belong to an excluded table (they are not dumped with it, so the target has none).
 */
async function listMovedSequences(client: pg.Client, dataset: PostgresDataset): Promise<MovedSequence[]> {
  const { rows } = await client.query<{ schema: string; name: string; owner: string | null }>(
    `SELECT n.nspname AS schema, s.relname AS name, tn.nspname || '.' || t.relname AS owner
       FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
       LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
                            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class t ON t.oid = d.refobjid
       LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
      WHERE s.relkind = 'S' AND n.nspname = ANY($1::text[])
      ORDER BY 1, 2`,
    [dataset.schemas],
  );
  return rows
    .filter((r) => sequenceInScope(dataset, r.owner))
    .map((r) => ({ schema: r.schema, name: r.name, sql: quoteTable(r.schema, r.name) }));
}

/**
 * Sets every moved sequence of the target to the source's value (`last_value`, `is_called`):
 * logical replication does not carry sequences. Run while the source is frozen.
 */
export async function copySequences(
  source: PgConnection,
  target: PgConnection,
  dataset: PostgresDataset,
): Promise<number> {
  const values = await withClient(source, 'reading sequence values', async (client) => {
    const sequences = await listMovedSequences(client, dataset);
    const out: { seq: MovedSequence; last: string; called: boolean }[] = [];
    for (const seq of sequences) {
      const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
        `SELECT last_value, is_called FROM ${seq.sql}`,
      );
      out.push({ seq, last: rows[0]!.last_value, called: rows[0]!.is_called });
    }
    return out;
  });
  await withClient(target, 'setting sequence values', async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S'`,
    );
    const present = new Set(rows.map((r) => r.name));
    const missing = values
      .filter((v) => !present.has(`${v.seq.schema}.${v.seq.name}`))
      .map((v) => `${v.seq.schema}.${v.seq.name}`);
    if (missing.length > 0)
      throw new Error(
        `the target has no sequence ${missing.join(', ')}: its schema differs from the source; run the bulk copy again`,
      );
    await client.query('BEGIN');
    try {
      for (const v of values)
        await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [v.seq.sql, v.last, v.called]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
  return values.length;
}

/** A role name for GRANT: PUBLIC is a keyword, every other role is quoted. */
function grantee(role: string): string {
  return role.toUpperCase() === 'PUBLIC' ? 'PUBLIC' : quoteIdent(role);
}

/**
 * Re-applies the plan's grants on the target (ownership and privileges are not carried:
 * the target user owns what it restored). Sequences get SELECT with SELECT, and USAGE with
 * INSERT or UPDATE, so that inserts through serial and identity columns work. One
 * transaction: grants apply all together or not at all.
 */
export async function applyGrants(client: pg.Client, dataset: PostgresDataset): Promise<string[]> {
  const statements: string[] = [];
  for (const grant of dataset.grants) {
    const to = grantee(grant.role);
    for (const schema of grant.schemas ?? dataset.schemas) {
      statements.push(`GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${to}`);
      statements.push(`GRANT ${grant.privileges.join(', ')} ON ALL TABLES IN SCHEMA ${quoteIdent(schema)} TO ${to}`);
      const seq = [
        ...(grant.privileges.includes('SELECT') ? ['SELECT'] : []),
        ...(grant.privileges.some((p) => p === 'INSERT' || p === 'UPDATE') ? ['USAGE'] : []),
      ];
      if (seq.length > 0)
        statements.push(`GRANT ${seq.join(', ')} ON ALL SEQUENCES IN SCHEMA ${quoteIdent(schema)} TO ${to}`);
    }
  }
  if (statements.length === 0) return [];
  await client.query('BEGIN');
  try {
    for (const sql of statements) await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw new Error(
      `re-applying the grants of ${dataset.name} on the target failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return statements;
}

/** Fresh planner statistics on the target: a restore or a sync leaves none. */
export async function analyzeTables(client: pg.Client, tables: readonly TableInfo[]): Promise<void> {
  for (const t of tables) await client.query(`ANALYZE ${t.quoted}`);
}

/** Server major version (e.g. 15). */
export async function serverMajor(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ v: string }>('SELECT current_setting($1) AS v', ['server_version_num']);
  return Math.floor(Number(rows[0]!.v) / 10_000);
}

/** `pg_database_size` of the session's database, in bytes. */
export async function databaseSize(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
  return Number(rows[0]!.size);
}
