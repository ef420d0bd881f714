/** Where a phase's cutover stands, as the machine, approvals and rollback start from it. */
import type { PhaseRecord } from '../phase-record.ts';
import type { PhaseStore } from '../state/contracts/phases.ts';

/** The record of a phase nobody has approved or started yet. */
export function emptyPhaseRecord(phaseId: number, now: string): PhaseRecord {
  return { phaseId, state: 'planned', done: [], failed: undefined, approvals: [], frozenAt: undefined, updatedAt: now };
}

/**
 * Reads a phase's record, or an empty one. A rolled-back record is returned as it is:
 * each caller decides whether that starts a fresh attempt (a new go is needed).
 */
export async function currentRecord(
  state: Pick<PhaseStore, 'getPhase'>,
  phaseId: number,
  now: string,
): Promise<PhaseRecord> {
  return (await state.getPhase(phaseId)) ?? emptyPhaseRecord(phaseId, now);
}
