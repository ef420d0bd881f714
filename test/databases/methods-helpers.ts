/**
 * Shared by the method and freeze tests: a dataset and method context over embedded
 * clusters (passwords through the environment, as in production), row counts and sequence
 * values of both sides, and a progress sink that keeps what it was told.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { resolveConnection, type PgConnection } from '../../src/databases/connection.ts';
import type { MethodContext } from '../../src/databases/contract.ts';
import type { ProgressSink } from '../../src/progress.ts';
import { postgresDataset, type PostgresDataset } from '../../src/plan/schema.ts';
import { FIXTURE_DATABASE } from './fixture.ts';

export interface Login {
  cluster: EmbeddedCluster;
  user: string;
  password: string;
  database?: string;
}

export const superuser = (cluster: EmbeddedCluster): Login => ({
  cluster,
  user: cluster.user,
  password: cluster.password,
});

/** A connection resolved the way the CLI does it: password from an environment variable (registered for redaction). */
export function connect(login: Login, side: string): PgConnection {
  const variable = `CLOUDEXIT_TEST_${side.toUpperCase()}_PASSWORD`;
  return resolveConnection(
    {
      host: login.cluster.host,
      port: login.cluster.port,
      database: login.database ?? FIXTURE_DATABASE,
      user: login.user,
      passwordEnv: variable,
      sslmode: 'disable',
    },
    `the ${side} database`,
    { [variable]: login.password },
  );
}

export function dataset(source: Login, target: Login, overrides: Record<string, unknown> = {}): PostgresDataset {
  const endpoint = (l: Login) => ({
    host: l.cluster.host,
    port: l.cluster.port,
    database: l.database ?? FIXTURE_DATABASE,
    user: l.user,
    sslmode: 'disable',
  });
  return postgresDataset.parse({
    name: 'emc2-catalog',
    title: 'EMC2 catalog',
    kind: 'postgres',
    source: endpoint(source),
    target: endpoint(target),
    ...overrides,
  });
}

export interface RecordingProgress extends ProgressSink {
  notes: string[];
}

export function recordingProgress(): RecordingProgress {
  const notes: string[] = [];
  return { notes, start() {}, advance() {}, note: (m) => notes.push(m), stop() {} };
}

export async function workDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cloudexit-work-'));
}

export function methodContext(
  ds: PostgresDataset,
  source: Login,
  target: Login,
  progress: ProgressSink = recordingProgress(),
): MethodContext {
  return {
    dataset: ds,
    source: connect(source, 'source'),
    target: connect(target, 'target'),
    bindir: source.cluster.bindir,
    progress,
  };
}

/** Runs `work` with a superuser client on the cluster's fixture database. */
export async function onDatabase<T>(
  cluster: EmbeddedCluster,
  work: (client: pg.Client) => Promise<T>,
  database = FIXTURE_DATABASE,
): Promise<T> {
  const client = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    user: cluster.user,
    password: cluster.password,
    database,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Row count of each given table (`schema.table`); -1 when the table does not exist. */
export async function rowCounts(cluster: EmbeddedCluster, tables: readonly string[]): Promise<Record<string, number>> {
  return onDatabase(cluster, async (client) => {
    const counts: Record<string, number> = {};
    for (const t of tables) {
      const [schema, table] = t.split('.') as [string, string];
      const { rows } = await client.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [
        `"${schema}"."${table}"`,
      ]);
      counts[t] =
        rows[0]!.r === null
          ? -1
          : Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table}"`)).rows[0]!.n);
    }
    return counts;
  });
}

/** `last_value/is_called` of every sequence of the public schema. */
export async function sequenceValues(cluster: EmbeddedCluster): Promise<Record<string, string>> {
  return onDatabase(cluster, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace ORDER BY 1`,
    );
    const values: Record<string, string> = {};
    for (const { name } of rows) {
      const {
        rows: [v],
      } = await client.query<{ last_value: string; is_called: boolean }>(
        `SELECT last_value, is_called FROM public."${name}"`,
      );
      values[name] = `${v!.last_value}/${v!.is_called}`;
    }
    return values;
  });
}

export const FIXTURE_TABLES = ['public.audit_trail', 'public.measurements', 'public.patients', 'public.stays'];

/** Polls `check` until it returns true; fails after `limitMs` (a bound, not a timing assertion). */
export async function eventually(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
