/**
 * `cloudexit state migrate`: moves a migration's SQLite state into an empty PostgreSQL
 * state, so that workers on many machines can share it, then proves nothing was lost or
 * changed: the same counts per contract and status on both sides, the same audit head, and
 * the audit chain recomputed on the PostgreSQL side.
 *
 * Atomic, not resumable (why: `src/state/sqlite-to-postgres.ts`): an interrupted run leaves
 * the target empty, and the same command starts over. The target must be empty: cloudexit
 * never overwrites what it did not write, so a database holding any state is refused (exit
 * 2) before anything is written to it. The source is only read, from one snapshot.
 */
import { verifyChain, type ChainVerdict } from '../audit/chain.ts';
import { hostname } from 'node:os';
import { UserError } from '../errors.ts';
import { SILENT, type ProgressSink } from '../progress.ts';
import { describeStateLocation, isPostgresLocation, postgresConfig, schemaVersionAt } from '../state/open.ts';
import { openPostgresStateStore } from '../state/postgres.ts';
import { PARSE_TYPES } from '../state/postgres-schema.ts';
import { openStateDatabase, type StateDatabase } from '../state/sqlite-schema.ts';
import { SqliteStateStore } from '../state/sqlite.ts';
import { processAlive } from '../state/sqlite-leader.ts';
import { describeHolder } from '../state/contracts/leader.ts';
import { censusDifferences, isEmptyCensus, takeCensus, type StateCensus } from '../state/state-census.ts';
import { transferToPostgres, type TransferCounts, type TransferProgress } from '../state/sqlite-to-postgres.ts';
import pg from 'pg';
import { defaultStatePath } from './paths.ts';
import { planOf } from './plan-state.ts';

export interface StateMigrateOptions {
  /** The SQLite state to move. @default the plan's state, `<plan folder>/.cloudexit/<migration>.db` */
  from?: string | undefined;
  /** The PostgreSQL state to fill, an empty database: `postgresql://USER@HOST:PORT/DATABASE`. */
  to: string;
  /** The plan, read only to find the default `from`. @default `runbooks/emc2/plan.yaml` */
  plan?: string | undefined;
  /** Rows per INSERT. @default 500 */
  batchSize?: number | undefined;
  /** Told of each table as it is copied. @default nothing */
  progress?: ProgressSink | undefined;
  /** Aborting rolls the whole transfer back (the target stays empty). @default never aborted */
  signal?: AbortSignal | undefined;
}

/** One side of the comparison. */
export interface StateSide {
  location: string;
  census: StateCensus;
  /** The audit chain recomputed from the first event. */
  chain: Pick<ChainVerdict, 'ok' | 'count' | 'head'>;
}

export interface StateMigrateReport {
  /** Always atomic: one transaction, so an interruption leaves the target empty. */
  mode: 'atomic';
  source: StateSide;
  target: StateSide;
  /** Rows written per table. */
  copied: TransferCounts;
  /** Where the two sides differ after the move (`path: source ≠ target`); empty when they agree. */
  differences: string[];
  /** Same counts, same audit head, and an intact chain on the target. */
  ok: boolean;
}

/** Moves the SQLite state into the empty PostgreSQL state and compares the two. */
export async function migrateState(options: StateMigrateOptions): Promise<StateMigrateReport> {
  if (!isPostgresLocation(options.to)) {
    throw new UserError('the state to migrate to must be a PostgreSQL URL', {
      where: `--to ${options.to}`,
      fix: 'pass --to postgresql://USER@HOST:PORT/DATABASE, an empty database (the password in PGPASSWORD)',
    });
  }
  const targetConfig = postgresConfig(options.to, '--to');
  const to = describeStateLocation(options.to);
  const source = await openSource(options.from ?? defaultStatePath(await planOf(options.plan)));
  try {
    source.db.exec('BEGIN'); // one snapshot of every table, whatever another process writes meanwhile
    const sourceSide = await readSource(source);
    refusePhaseHeld(source);
    await refuseNonEmpty(targetConfig, to);
    await (await openPostgresStateStore(targetConfig).catch(cannotOpen(to))).close(); // creates the schema
    const copied = await transferToPostgres(source.db, targetConfig, {
      batchSize: options.batchSize,
      signal: options.signal,
      checkTarget: async (client) => {
        if (!isEmptyCensus(await censusOf(client))) throw notEmpty(to);
      },
      progress: tableProgress(options.progress ?? SILENT),
    });
    const targetSide = await readTarget(targetConfig, to);
    const differences = censusDifferences(sourceSide.census, targetSide.census);
    if (sourceSide.chain.head !== targetSide.chain.head) {
      differences.push(`audit chain head: ${sourceSide.chain.head ?? 'none'} ≠ ${targetSide.chain.head ?? 'none'}`);
    }
    const ok = differences.length === 0 && targetSide.chain.ok;
    return { mode: 'atomic', source: sourceSide, target: targetSide, copied, differences, ok };
  } finally {
    source.db.close();
  }
}

/** The source's census and chain; a broken chain is refused: it would be carried over as if intact. */
async function readSource(source: StateDatabase): Promise<StateSide> {
  const side: StateSide = {
    location: source.location,
    census: await takeCensus(async (sql) => source.db.prepare(sql).all()),
    chain: pickChain(await verifyChain(new SqliteStateStore(source).iterateAudit())),
  };
  if (!side.chain.ok) {
    throw new UserError(`the audit log of the SQLite state is broken after event ${side.chain.count}`, {
      where: `--from ${source.location}`,
      fix:
        `run \`cloudexit audit verify --state ${source.location}\` to see the first broken event; ` +
        'restore the state from a backup before moving it',
    });
  }
  return side;
}

/** A progress stage per table, its rows counted as the sink's objects. */
function tableProgress(progress: ProgressSink): TransferProgress {
  let open = false;
  return {
    table(name, rows) {
      if (open) progress.stop();
      progress.start(`state migrate ${name}`, { objects: rows, bytes: 0 });
      open = true;
    },
    rows: (rows) => progress.advance({ objects: rows }),
    done() {
      if (open) progress.stop();
      open = false;
    },
  };
}

async function openSource(from: string): Promise<StateDatabase> {
  if (isPostgresLocation(from)) {
    throw new UserError('the state to migrate from must be a SQLite state file', {
      where: `--from ${describeStateLocation(from)}`,
      fix: 'pass --from with the .db file of the migration (by default the one next to --plan, in .cloudexit/)',
    });
  }
  const source = await openStateDatabase(from, { readOnly: true });
  if (!source.exists) {
    source.db.close();
    throw new UserError(`there is no state file at ${from}`, {
      where: '--from',
      fix: 'pass --from with the state file to move, or --plan with the plan whose state it is',
    });
  }
  return source;
}

/**
 * Refuses while a process holds a phase of the SQLite state (a cutover under way): it would
 * go on recording in the file after the move, and its steps would be missing from PostgreSQL.
 */
function refusePhaseHeld(source: StateDatabase): void {
  const rows = source.db.prepare('SELECT phase_id, host, pid, command, since FROM phase_locks ORDER BY phase_id').all();
  const live = rows.find((r) => r['host'] !== hostname() || processAlive(Number(r['pid'])));
  if (!live) return;
  const holder = { host: String(live['host']), pid: Number(live['pid']), command: String(live['command']) };
  throw new UserError(`phase ${String(live['phase_id'])} is held by ${describeHolder(holder, String(live['since']))}`, {
    where: `--from ${source.location}`,
    fix: 'let that command finish (or stop it), then move the state: nothing may record in the file meanwhile',
  });
}

const pickChain = ({ ok, count, head }: ChainVerdict) => ({ ok, count, head });

const censusOf = (client: pg.ClientBase) =>
  takeCensus(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows);

function notEmpty(to: string): UserError {
  return new UserError('the PostgreSQL state is not empty: state migrate only fills an empty database', {
    where: `--to ${to}`,
    fix:
      'create a new database (CREATE DATABASE …) and pass it to --to; ' +
      'cloudexit never overwrites a state it did not write',
  });
}

const cannotOpen = (to: string) => (err: unknown) => {
  if (err instanceof UserError) throw err;
  throw new UserError(`cannot open the PostgreSQL state: ${(err as Error).message}`, {
    where: `--to ${to}`,
    fix: 'check that the server is reachable, the database exists and the user may create tables in it',
  });
};

/** Refuses a target that holds any state, reading it without writing (nothing created yet). */
async function refuseNonEmpty(config: pg.ClientConfig, to: string): Promise<void> {
  const version = await schemaVersionAt(config).catch(cannotOpen(to));
  if (version === undefined) return;
  const census = await withReadOnlyClient(config, censusOf).catch(cannotOpen(to));
  if (!isEmptyCensus(census)) throw notEmpty(to);
}

/** The target's census and chain, read on read-only connections after the commit. */
async function readTarget(config: pg.ClientConfig, to: string): Promise<StateSide> {
  const census = await withReadOnlyClient(config, censusOf);
  const store = await openPostgresStateStore(config, { readOnly: true });
  try {
    return { location: to, census, chain: pickChain(await verifyChain(store.iterateAudit())) };
  } finally {
    await store.close();
  }
}

async function withReadOnlyClient<T>(config: pg.ClientConfig, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...config, types: PARSE_TYPES, options: '-c default_transaction_read_only=on' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
