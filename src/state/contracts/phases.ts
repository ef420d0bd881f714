/**
 * Phase records: where each phase's cutover stands, read and written whole by the cutover
 * state machine, approvals and rollback. The record's shape is the shared leaf
 * `src/phase-record.ts` (why there, and not here or in `cutover/`, is said in that file).
 * Every implementation passes `test/state/conformance/phases.ts`.
 */
import type { PhaseRecord } from '../../phase-record.ts';

export interface PhaseStore {
  /**
   * The record of a phase as last put (secrets masked, unset fields present as `undefined`), or
   * undefined if the phase was never started or approved.
   */
  getPhase(phaseId: number): Promise<PhaseRecord | undefined>;
  /**
   * Inserts or replaces the whole record of a phase, its strings redacted (an error message
   * may quote a connection string). Rejects, changing nothing, a phase id that is not a
   * whole number or a state that is not a `PhaseState`. Durable when the promise resolves.
   * The last writer wins: the cutover of one phase is run by one operator at a time.
   */
  putPhase(record: PhaseRecord): Promise<void>;
}
