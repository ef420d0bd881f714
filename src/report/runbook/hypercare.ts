/** The end of a phase's hypercare as the runbook sections need it (one rule, in status.ts). */
import { hypercareEndOf } from '../status.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';

/** The day the hypercare of a phase ends: its commit day (done or planned) plus the plan's hypercare days. */
export function hypercareEnd(facts: RunbookFacts, phase: PhaseFacts): { day: string; committedOn: string | undefined } {
  return hypercareEndOf(phase.status.record, phase.status.plannedCutover, facts.plan.hypercareDays);
}
