/**
 * Freezing writes on a source database, and proving afterwards that the freeze held.
 *
 * The freeze is `ALTER DATABASE … SET default_transaction_read_only = on`: every session
 * opened from then on starts read-only. It does not change sessions already open, so the
 * other client sessions of the database are terminated (replication walsenders are left
 * alone: a logical subscription must keep streaming until the final sync). Applications
 * that reconnect get read-only sessions.
 *
 * The setting is a default, not a lock: a session may `SET default_transaction_read_only =
 * off`, and a superuser is not stopped either. That is why the freeze also records, per
 * table, PostgreSQL's cumulative write counters (`n_tup_ins + n_tup_upd + n_tup_del`), and
 * `checkQuiescent` compares them later: any table whose counters moved is named.
 *
 * Counters are flushed by each backend, not instantly: since PostgreSQL 15 a backend
 * flushes at the end of a transaction at most once a second; when it flushed less than a
 * second before, what is pending waits for its idle timeout, 10 s later (60 s at worst under
 * lock contention). A backend that exits flushes first. So before reading, both functions
 * wait until every other session of the database has gone or has been idle longer than the
 * idle timeout (bounded: a session that never goes idle cannot hold the cutover forever).
 */
import type pg from 'pg';
import type { PostgresDataset } from '../plan/schema.ts';
import { inScope } from './catalog.ts';
import type { PgConnection } from './connection.ts';
import type { FreezeMarker } from './contract.ts';
import { quoteIdent, withClient } from './sql.ts';

export interface FreezeOptions {
  /** How long a session must have been idle for its counters to count as flushed. @default 11 s (PostgreSQL's 10 s idle flush, plus a margin) */
  settleMs?: number;
  /** Upper bound of that wait. @default 75 s (PostgreSQL's 60 s forced flush, plus margins) */
  maxWaitMs?: number;
  /** @default 250 ms */
  pollMs?: number;
}

/** What `freezeWrites` records: the contract's marker, plus the sessions it could not end. */
export interface SourceFreeze extends FreezeMarker {
  /** `pid user (application)` of the sessions that survived termination (e.g. a superuser's, without the right to end it). */
  sessionsNotEnded: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sessions whose cumulative-statistics counters may not be flushed yet. */
async function waitForSettledStats(client: pg.Client, options: FreezeOptions): Promise<void> {
  const settle = options.settleMs ?? 11_000;
  const started = Date.now();
  const deadline = started + (options.maxWaitMs ?? 75_000);
  for (;;) {
    // Walsenders and autovacuum never change the user tables' tuple counters.
    const { rows } = await client.query<{ state: string | null; idle_ms: number | null }>(
      `SELECT state, (extract(epoch FROM clock_timestamp() - state_change) * 1000)::float8 AS idle_ms
         FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type NOT IN ('walsender', 'autovacuum worker')`,
    );
    const unsettled = rows.filter((r) =>
      r.state === null || r.idle_ms === null
        ? Date.now() - started < settle // another role's session, state hidden: give it one idle timeout
        : r.state !== 'idle' || r.idle_ms < settle,
    );
    if (unsettled.length === 0 || Date.now() >= deadline) return;
    await sleep(options.pollMs ?? 250);
  }
}

/** Current write counters of the dataset's tables (partitions by their own name), as `schema.table`. */
async function writeCounters(client: pg.Client, dataset: PostgresDataset): Promise<Record<string, number>> {
  // Drops this session's cached statistics snapshot, so that what follows reads shared memory now.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ name: string; writes: string }>(
    `SELECT schemaname || '.' || relname AS name, n_tup_ins + n_tup_upd + n_tup_del AS writes
       FROM pg_stat_user_tables WHERE schemaname = ANY($1::text[]) ORDER BY 1`,
    [dataset.schemas],
  );
  const writes: Record<string, number> = {};
  for (const r of rows) if (inScope(dataset, r.name)) writes[r.name] = Number(r.writes);
  return writes;
}

/** cloudexit's own sessions must be able to change the database's settings while it is frozen. */
async function readWriteSession(client: pg.Client): Promise<void> {
  await client.query('SET default_transaction_read_only = off');
}

/** Ends the other client sessions of the database; returns those that survived, as `pid user (application)`. */
async function endOtherSessions(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ pid: number; who: string }>(
    `SELECT pid, pid || ' ' || coalesce(usename, '?') || ' (' || coalesce(nullif(application_name, ''), 'no application name') || ')' AS who
       FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  const survivors: string[] = [];
  for (const { pid, who } of rows) {
    try {
      // Waits (up to 5 s) for the backend to exit; an exiting backend flushes its statistics first.
      const { rows: ended } = await client.query<{ ok: boolean }>('SELECT pg_terminate_backend($1, 5000) AS ok', [pid]);
      if (!ended[0]?.ok) survivors.push(who);
    } catch {
      survivors.push(who); // not allowed to end it (a superuser's session, or no pg_signal_backend)
    }
  }
  return survivors;
}

/** Wraps a failed ALTER DATABASE with what the user must be allowed to do. */
function alterFailed(what: string, source: PgConnection, err: unknown): Error {
  const detail = err instanceof Error ? err.message : String(err);
  return new Error(
    `${what} ${source.label} failed: ${detail}; the source user must own the database (or be a superuser) to change its default_transaction_read_only`,
    { cause: err },
  );
}

/**
 * Makes the source database read-only for new sessions, ends the other client sessions,
 * waits for their statistics, and records each table's write counters.
 */
export async function freezeWrites(
  source: PgConnection,
  dataset: PostgresDataset,
  options: FreezeOptions = {},
): Promise<SourceFreeze> {
  return withClient(source, 'freezing writes', async (client) => {
    await readWriteSession(client);
    try {
      await client.query(
        `ALTER DATABASE ${quoteIdent(source.endpoint.database)} SET default_transaction_read_only = on`,
      );
    } catch (err) {
      throw alterFailed(`freezing ${dataset.name}: making read-only`, source, err);
    }
    const frozenAt = new Date().toISOString();
    const sessionsNotEnded = await endOtherSessions(client);
    await waitForSettledStats(client, options);
    return { frozenAt, writes: await writeCounters(client, dataset), sessionsNotEnded };
  });
}

/**
 * Tables written since the freeze, as `schema.table`, after waiting for statistics to be
 * flushed. A table whose counters went down (statistics reset), appeared or disappeared is
 * listed too: quiescence cannot be proved for it.
 */
export async function checkQuiescent(
  source: PgConnection,
  dataset: PostgresDataset,
  marker: FreezeMarker,
  options: FreezeOptions = {},
): Promise<string[]> {
  return withClient(source, 'checking quiescence', async (client) => {
    await waitForSettledStats(client, options);
    const now = await writeCounters(client, dataset);
    const names = new Set([...Object.keys(now), ...Object.keys(marker.writes)]);
    return [...names].filter((name) => now[name] !== marker.writes[name]).sort();
  });
}

/**
 * Lets new sessions write again, and ends the client sessions opened during the freeze:
 * they started read-only and would stay so (a connection pool keeps them for hours).
 */
export async function thawWrites(source: PgConnection, dataset: PostgresDataset): Promise<void> {
  await withClient(source, 'thawing writes', async (client) => {
    await readWriteSession(client);
    try {
      await client.query(`ALTER DATABASE ${quoteIdent(source.endpoint.database)} RESET default_transaction_read_only`);
    } catch (err) {
      throw alterFailed(`thawing ${dataset.name}: making writable again`, source, err);
    }
    await endOtherSessions(client);
  });
}
