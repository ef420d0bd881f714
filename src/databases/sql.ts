/**
 * Small SQL helpers shared by the catalog, fingerprint and schema modules: identifier
 * quoting (values always travel as parameters, identifiers cannot), table names for
 * messages, and one way to open a client whose failures name the database, never its
 * password.
 */
import pg from 'pg';
import { clientConfig, type PgConnection } from './connection.ts';

/** Anything that runs `query(text, values)`: a client, a pooled client or a pool. */
export type Queryable = pg.ClientBase | pg.Pool;

/** A quoted SQL identifier: `a"b` → `"a""b"`. Always quoted, so case and reserved words survive. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new TypeError('an SQL identifier cannot hold a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`. */
export function quoteTable(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * How messages name a table: `stays` in `public` (as psql shows it with the default
 * search_path), `schema.table` elsewhere.
 */
export function displayTable(schema: string, table: string): string {
  return schema === 'public' ? table : `${schema}.${table}`;
}

/**
 * An error saying which database and what failed; `pg` errors never carry the password,
 * and the connection label is `user@host:port/db`.
 */
export function databaseError(label: string, what: string, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(`${label}: ${what} failed: ${reason}`, { cause: err });
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(
  connection: PgConnection,
  what: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(clientConfig(connection));
  // An idle client whose server goes away emits 'error'; without a listener Node would crash.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw databaseError(connection.label, `connecting (${what})`, err);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
