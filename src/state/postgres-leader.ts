/**
 * The `PhaseLeader` contract on a PostgreSQL state: the lock is a session-level advisory
 * lock (`pg_try_advisory_lock(PHASE_LOCK_CLASS, phase)`) on a connection of its own, held
 * for as long as the holder works; a row in `phase_locks` says who holds it, for the
 * message a refused process prints.
 *
 * Why it is correct:
 * - PostgreSQL grants a session advisory lock to one session at a time, whatever the
 *   number of machines: that alone decides who leads. The row only describes.
 * - The lock lives as long as its connection, never in a pool (a pooled connection would
 *   go back to the pool still holding it, or be closed under the holder). A holder that
 *   dies closes its connection with it, and PostgreSQL releases the lock: no stale lock.
 *   A holder cut from the server (a network partition) keeps it until the server notices
 *   the dead connection (TCP keepalive): refusals meanwhile, never two leaders.
 * - A dead holder's row stays until the next holder replaces it, so a refused reader checks
 *   that the row's `backend_pid` is the session granted the lock in `pg_locks` before it
 *   believes it; otherwise it asks again (the holder may be between lock and row).
 * - `release` deletes the row only if it carries this grant's token, then unlocks and
 *   closes the connection.
 *
 * Limit: if the server restarts while a holder works, its lock is gone with its session and
 * another process may take it; the holder is not told. The cutover records every step
 * before the next, so the second leader resumes, but the first may still run its step.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  checkPhaseId,
  type HeldPhaseLock,
  type LockHolder,
  type PhaseLeader,
  type PhaseLockRefusal,
} from './contracts/leader.ts';

/** The first key of every phase lock ("cxph"): keeps them apart from other advisory locks in the database. */
export const PHASE_LOCK_CLASS = 0x63787068;

/** Times a refused process looks for a holder's row matching the session that holds the lock. */
const HOLDER_LOOKUPS = 40;
const HOLDER_LOOKUP_PAUSE_MS = 50;

export class PostgresPhaseLeader implements PhaseLeader {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async acquirePhaseLock(phaseId: number, holder: LockHolder): Promise<HeldPhaseLock | PhaseLockRefusal> {
    checkPhaseId(phaseId);
    // The pool's settings (server, credentials, read-only sessions), on a connection of its own.
    // pg-pool keeps the password out of a spread (not enumerable, so that it is never logged).
    const options = this.#pool.options;
    const client = new pg.Client({ ...options, password: options.password, keepAlive: true });
    client.on('error', () => {});
    await client.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        const { rows } = await client.query<{ granted: boolean; backend: number }>(
          'SELECT pg_try_advisory_lock($1, $2) AS granted, pg_backend_pid() AS backend',
          [PHASE_LOCK_CLASS, phaseId],
        );
        if (rows[0]!.granted) return await this.#hold(client, phaseId, holder, rows[0]!.backend);
        const refusal = await currentHolder(client, phaseId);
        if (refusal || attempt >= HOLDER_LOOKUPS) {
          await client.end();
          return refusal ?? unknownHolder();
        }
        await new Promise((resolve) => setTimeout(resolve, HOLDER_LOOKUP_PAUSE_MS));
      }
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
  }

  async #hold(client: pg.Client, phaseId: number, holder: LockHolder, backend: number): Promise<HeldPhaseLock> {
    const token = randomUUID();
    const since = new Date().toISOString();
    await client.query(
      `INSERT INTO phase_locks (phase_id, token, host, pid, command, since, backend_pid)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (phase_id) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid,
         command = excluded.command, since = excluded.since, backend_pid = excluded.backend_pid`,
      [phaseId, token, holder.host, holder.pid, holder.command, since, backend],
    );
    let released: Promise<void> | undefined;
    return {
      holder,
      since,
      release: () => {
        released ??= (async () => {
          try {
            await client.query('DELETE FROM phase_locks WHERE phase_id = $1 AND token = $2', [phaseId, token]);
            await client.query('SELECT pg_advisory_unlock($1, $2)', [PHASE_LOCK_CLASS, phaseId]);
          } catch {
            // The session is gone (a server restart): so is its lock, and a row left behind
            // names a backend that holds nothing, which readers ignore. The work that held
            // the lock must not fail for it.
          } finally {
            await client.end().catch(() => {});
          }
        })();
        return released;
      },
    };
  }
}

/** Who holds the lock, if its row names the session PostgreSQL granted it to. */
async function currentHolder(client: pg.Client, phaseId: number): Promise<PhaseLockRefusal | undefined> {
  const { rows } = await client.query<{ host: string; pid: number; command: string; since: string }>(
    `SELECT l.host, l.pid, l.command, l.since FROM phase_locks l
     JOIN pg_locks k ON k.pid = l.backend_pid
     WHERE l.phase_id = $2 AND k.locktype = 'advisory' AND k.granted
       AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND k.classid::bigint = $1 AND k.objid::bigint = $2 AND k.objsubid = 2`,
    [PHASE_LOCK_CLASS, phaseId],
  );
  const row = rows[0];
  return row && { heldBy: { host: row.host, pid: row.pid, command: row.command }, since: row.since };
}

/** The lock is held by a session that never said who it is (an older cloudexit, or someone by hand). */
function unknownHolder(): PhaseLockRefusal {
  return { heldBy: { host: 'unknown', pid: 0, command: 'a session that did not record itself' }, since: 'unknown' };
}
