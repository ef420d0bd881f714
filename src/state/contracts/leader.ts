/**
 * Single-leader phases: the cutover of a phase (its steps, its rollback, its approvals, its
 * decommissioning) is run by one process at a time, whatever the number of operators and
 * machines. The phase record is read and written whole (`PhaseStore`), and steps run hooks
 * that switch readers: two processes on one phase could each run a step, or the last writer
 * could erase what the other recorded. Every implementation passes
 * `test/state/conformance/leader.ts`.
 */

/** Who holds (or asks for) a phase's lock: enough for a person to find that process. */
export interface LockHolder {
  /** The machine's host name. */
  host: string;
  /** The process id on that machine. */
  pid: number;
  /** What it runs, e.g. `cutover 2` or `rollback 2`. */
  command: string;
}

/** The lock, held: release it when the work is done (releasing twice is no error). */
export interface HeldPhaseLock {
  holder: LockHolder;
  /** ISO 8601: when it was granted. */
  since: string;
  release(): Promise<void>;
}

/** The lock is held by another process: who, and since when. */
export interface PhaseLockRefusal {
  heldBy: LockHolder;
  /** ISO 8601: since when it holds it. */
  since: string;
}

export interface PhaseLeader {
  /**
   * Takes the lock of `phaseId` for `holder` at once, or says who holds it; never waits.
   * Granted to one caller at a time across every process and machine sharing the state.
   * The lock of a process that died is not kept: it is granted again (how each
   * implementation knows is said in it). Phases are independent: holding phase 1 does not
   * hold phase 2.
   */
  acquirePhaseLock(phaseId: number, holder: LockHolder): Promise<HeldPhaseLock | PhaseLockRefusal>;
}

/** True when `outcome` is a refusal rather than the lock. */
export function isRefusal(outcome: HeldPhaseLock | PhaseLockRefusal): outcome is PhaseLockRefusal {
  return 'heldBy' in outcome;
}

/** `cutover 2 (pid 4242 on ops-1, since 2026-12-01T06:00:00.000Z)`: the holder, for messages. */
export function describeHolder(holder: LockHolder, since: string): string {
  return `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${since})`;
}

/** Refuses, before anything is written, a phase id no implementation can lock (the PostgreSQL key is 32 bits). */
export function checkPhaseId(phaseId: number): void {
  if (!Number.isSafeInteger(phaseId) || phaseId < 0 || phaseId > 0x7fffffff)
    throw new Error(`cannot lock phase ${String(phaseId)}: a phase id is a whole number from 0 to 2^31 - 1`);
}
