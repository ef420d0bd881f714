/**
 * One process per phase at a time: the cutover, the rollback, the approvals and the
 * decommissioning of a phase take its lock (`PhaseLeader`) first, and a second process is
 * refused, naming the holder, before it changes anything.
 *
 * The refusal exits 2, not 1: 1 says the work ran and failed (a step stopped, a mismatch),
 * which a script may answer with a rollback; here nothing ran and nothing was changed, and
 * the fix is the caller's (wait for the holder, or stop it), as for every other refusal
 * before a change (a plan the state is not bound to, a committed phase).
 */
import { hostname } from 'node:os';
import { UserError } from '../errors.ts';
import { describeHolder, isRefusal, type HeldPhaseLock, type PhaseLeader } from '../state/contracts/leader.ts';

/** Takes the lock of `phaseId` for this process running `command`; else a `UserError` (exit 2) naming the holder. */
export async function holdPhaseLock(state: PhaseLeader, phaseId: number, command: string): Promise<HeldPhaseLock> {
  const outcome = await state.acquirePhaseLock(phaseId, { host: hostname(), pid: process.pid, command });
  if (!isRefusal(outcome)) return outcome;
  throw new UserError(
    `phase ${phaseId} is held by ${describeHolder(outcome.heldBy, outcome.since)}; nothing was changed`,
    {
      where: `phase ${phaseId}`,
      fix:
        'wait for that process to finish and run this command again; if it is stuck, stop it (a process that ' +
        'died holds nothing: its lock is taken over by the next command)',
    },
  );
}

/** Runs `work` holding the lock of `phaseId`, released whatever happens. */
export async function withPhaseLock<T>(
  state: PhaseLeader,
  phaseId: number,
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  const lock = await holdPhaseLock(state, phaseId, command);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
