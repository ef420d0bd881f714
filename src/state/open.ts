/**
 * Opening a state by where it lives, as `--state` gives it: a `postgres://` or
 * `postgresql://` URL opens the PostgreSQL state (many workers on many machines), anything
 * else is a SQLite file. Every use case opens its state here, so every command accepts
 * either, and the two behave alike: read-only changes nothing (a state not created yet
 * reads as "not started"), bad input is a `UserError` (exit 2) naming `--state` and the fix,
 * and no password ever reaches a message (the location is described without it).
 *
 * The PostgreSQL store and its client (pg) are loaded only when a PostgreSQL state is
 * opened: every command reaches this module, and most runs (a SQLite state, `--help`) would
 * otherwise evaluate pg and the store's modules for nothing.
 */
import type pg from 'pg';
import { UserError } from '../errors.ts';
import { registerSecret } from '../secrets/redact.ts';
import { describeLocation } from './postgres-location.ts';
import { openEmptyStateView, openSqliteStateStore } from './sqlite.ts';
import type { StateStore } from './state-store.ts';

/** Which implementation holds a state. */
export type StateKind = 'sqlite' | 'postgres';

/** A state as `openStateStore` opened it. */
export type OpenedStateStore = StateStore & {
  readonly kind: StateKind;
  /** Opened with `{ readOnly: true }`: every write is refused. */
  readonly readOnly: boolean;
  /** False when nothing exists at the location yet and this read-only store is an empty view. */
  readonly exists: boolean;
};

export interface OpenStateStoreOptions {
  /**
   * Change nothing where the state lives: a SQLite file is neither created nor migrated, a
   * PostgreSQL schema is neither created nor migrated and every session is read-only. A state
   * not created yet gives an empty view (`exists` false).
   * @default false
   */
  readOnly?: boolean;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** True when `location` is a PostgreSQL URL (`postgres://…` or `postgresql://…`), not a file path. */
export function isPostgresLocation(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/**
 * Where a state lives, for messages, reports and `--json`: a file path as given, a
 * PostgreSQL URL without its password or query parameters. Never throws.
 */
export function describeStateLocation(location: string): string {
  if (!isPostgresLocation(location)) return location;
  try {
    return describeLocation({ connectionString: location });
  } catch {
    return 'postgresql://(an unreadable URL)';
  }
}

/** Opens the state at `location` (a SQLite file or a PostgreSQL URL); see {@link OpenStateStoreOptions}. */
export async function openStateStore(location: string, options: OpenStateStoreOptions = {}): Promise<OpenedStateStore> {
  const readOnly = options.readOnly ?? false;
  if (!isPostgresLocation(location)) {
    return Object.assign(await openSqliteStateStore(location, { readOnly }), { kind: 'sqlite' as const });
  }
  const config = postgresConfig(location);
  const where = describeLocation(config);
  // Outside the try: a module that cannot load is an internal error, not a state to fix.
  const { openPostgresStateStore, POSTGRES_SCHEMA_VERSION } = await import('./postgres.ts');
  try {
    if (readOnly) {
      const version = await schemaVersionAt(config);
      if (version === undefined) return Object.assign(await openEmptyStateView(where), { kind: 'postgres' as const });
      if (version > POSTGRES_SCHEMA_VERSION) {
        throw new UserError(
          `the state database has schema version ${version}, newer than this cloudexit's (${POSTGRES_SCHEMA_VERSION})`,
          { where: `--state ${where}`, fix: 'upgrade cloudexit' },
        );
      }
    }
    const store = await openPostgresStateStore(config, { readOnly });
    return Object.assign(store, { kind: 'postgres' as const, readOnly, exists: true });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot open the PostgreSQL state: ${(err as Error).message}`, {
      where: `--state ${where}`,
      fix:
        'check that the server is reachable, the database exists and the user may connect ' +
        '(and create tables, the first time); give the password in PGPASSWORD or ~/.pgpass rather than in the URL',
    });
  }
}

/**
 * The schema version of the state database, or undefined when it holds no cloudexit schema
 * yet; read on one short read-only connection, creating nothing.
 */
export async function schemaVersionAt(config: pg.PoolConfig): Promise<number | undefined> {
  const { Client } = await import('pg');
  const client = new Client({ ...config, options: '-c default_transaction_read_only=on' });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ present: string | null }>(
      "SELECT to_regclass('schema_version')::text AS present",
    );
    if (!rows[0]?.present) return undefined;
    const version = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    return version.rows[0]?.v ?? undefined;
  } finally {
    await client.end();
  }
}

/**
 * The pool settings of a PostgreSQL URL, checked before any connection: a URL that cannot
 * be parsed, or names no database, is refused (a `UserError` naming `flag`). A password in
 * the URL is registered as a secret, so that no message can show it even if a driver quoted it.
 */
export function postgresConfig(location: string, flag = '--state'): pg.PoolConfig {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw badUrl(location, flag, 'is not a valid URL');
  }
  if (url.password) registerSecret(decodeURIComponent(url.password));
  if (url.hostname === '' && !url.searchParams.has('host')) throw badUrl(location, flag, 'names no host');
  if (url.pathname.replace(/^\//, '') === '') throw badUrl(location, flag, 'names no database');
  return { connectionString: location };
}

function badUrl(location: string, flag: string, problem: string): UserError {
  return new UserError(`the PostgreSQL state URL ${problem}`, {
    where: `${flag} ${describeStateLocation(location)}`,
    fix: `pass ${flag} postgresql://USER@HOST:PORT/DATABASE (the password in PGPASSWORD or ~/.pgpass, not in the URL)`,
  });
}
