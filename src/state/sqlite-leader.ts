/**
 * The `PhaseLeader` contract on a SQLite state file: a row per held lock in `phase_locks`,
 * naming its holder (host, pid, command) and carrying a random token.
 *
 * Why it is correct:
 * - Taking the lock is one `BEGIN IMMEDIATE` transaction: it holds SQLite's write lock from
 *   the read of the row to the write of ours, so of two processes asking at once, the second
 *   reads the first one's row. At most one row per phase: at most one holder.
 * - A row is replaced only when its holder is dead: on this host (a SQLite state is shared
 *   by processes of one machine), with no process of that pid (`kill(pid, 0)` fails with
 *   ESRCH). A dead process runs no step, so replacing its row cannot make two leaders.
 *   Whatever cannot be proven dead is kept: a holder on another host, a pid another user
 *   owns (EPERM), a pid reused after a reboot. The error is then a refusal that names the
 *   holder, never a second leader.
 * - `release` deletes the row only if it still carries this grant's token: a holder whose
 *   row was replaced (it was taken for dead) can never delete its successor's.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  checkPhaseId,
  type HeldPhaseLock,
  type LockHolder,
  type PhaseLeader,
  type PhaseLockRefusal,
} from './contracts/leader.ts';
import type { WriteTransaction } from './sqlite-transaction.ts';

/** Whether a process of this pid exists on this machine (EPERM: it exists, owned by another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SqlitePhaseLeader implements PhaseLeader {
  readonly #db: DatabaseSync;
  readonly #write: WriteTransaction;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;

  constructor(db: DatabaseSync, write: WriteTransaction) {
    this.#db = db;
    this.#write = write;
    this.#get = db.prepare('SELECT host, pid, command, since FROM phase_locks WHERE phase_id = ?');
    this.#put = db.prepare(
      `INSERT INTO phase_locks (phase_id, token, host, pid, command, since) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (phase_id) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid,
         command = excluded.command, since = excluded.since`,
    );
    this.#delete = db.prepare('DELETE FROM phase_locks WHERE phase_id = ? AND token = ?');
  }

  async acquirePhaseLock(phaseId: number, holder: LockHolder): Promise<HeldPhaseLock | PhaseLockRefusal> {
    checkPhaseId(phaseId);
    const token = randomUUID();
    const since = new Date().toISOString();
    const refusal = this.#write((): PhaseLockRefusal | undefined => {
      const row = this.#get.get(phaseId);
      if (row && !holderIsDead(row)) {
        return {
          heldBy: { host: String(row['host']), pid: Number(row['pid']), command: String(row['command']) },
          since: String(row['since']),
        };
      }
      this.#put.run(phaseId, token, holder.host, holder.pid, holder.command, since);
      return undefined;
    });
    if (refusal) return refusal;
    let released = false;
    return {
      holder,
      since,
      release: async () => {
        if (released || !this.#db.isOpen) return;
        released = true;
        this.#delete.run(phaseId, token);
      },
    };
  }
}

/** Dead for sure: on this host, and no process has its pid. */
function holderIsDead(row: Record<string, unknown>): boolean {
  return row['host'] === hostname() && !processAlive(Number(row['pid']));
}
