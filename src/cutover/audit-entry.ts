/**
 * Every event the cutover, its approvals and its rollback write to the audit log, as one
 * union keyed by step and outcome: what an auditor finds under a `freeze` / `succeeded`
 * event is decided here, not wherever an event happens to be written.
 */
import type { Clock } from '../plan/clock.ts';
import type { Phase } from '../plan/schema.ts';
import type { CutoverStep } from '../phase-record.ts';
import type { AuditLog } from '../state/contracts/audit.ts';
import type { HookOutcome } from './deps.ts';
import type { OwnerRole } from './gates.ts';
import type { HookName } from './hook-env.ts';
import type { StepDetails, StepFailureDetails } from './step-details.ts';

/** A step that succeeded, its details typed by the step (for a generic `S`, the one step's). */
export type StepSucceeded<S extends CutoverStep = CutoverStep> = {
  [K in S]: { step: K; outcome: 'succeeded'; details: StepDetails[K] };
}[S];

/** The hooks a rollback may run, each audited under `rollback:<hook>`. */
export type RollbackHook = Extract<HookName, 'rollback' | 'thaw'>;

export type CutoverAuditEntry<S extends CutoverStep = CutoverStep> =
  | StepSucceeded<S>
  | { step: CutoverStep; outcome: 'failed'; details: StepFailureDetails }
  | { step: 'restart'; outcome: 'started'; details: { reason: string } }
  | {
      step: 'approve';
      outcome: 'succeeded';
      details: { role: OwnerRole; name: string; owner: string; person: string; osUser: string; host: string };
    }
  | { step: 'waiver'; outcome: 'recorded'; details: { gate: 'parity'; reason: string; actor: string; detail: string } }
  | { step: 'commit'; outcome: 'awaiting-decision'; details: { note: string } }
  | { step: 'rollback'; outcome: 'refused'; details: { reason: string } }
  | { step: 'rollback'; outcome: 'succeeded'; details: { hooks: HookName[]; undone: CutoverStep[] } }
  | { step: `rollback:${RollbackHook}`; outcome: 'succeeded'; details: { hook: HookOutcome } }
  | { step: `rollback:${RollbackHook}`; outcome: 'failed'; details: { error: string } };

/** Who writes, and about which phase. */
export interface AuditDeps {
  state: AuditLog;
  clock: Clock;
  actor: string;
  phase: Pick<Phase, 'id'>;
}

/** Appends one cutover event, stamped now, by the actor, about the phase. */
export async function audit<S extends CutoverStep>(deps: AuditDeps, entry: CutoverAuditEntry<S>): Promise<void> {
  await deps.state.appendAudit({
    time: deps.clock.now().toISOString(),
    actor: deps.actor,
    phase: deps.phase.id,
    step: entry.step,
    outcome: entry.outcome,
    details: entry.details,
  });
}
