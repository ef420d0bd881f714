/**
 * The rehearsal's last step, as a migration ends: every committed phase's source is
 * decommissioned through the production use case, after the decision maker's and the DPO's
 * decommission go. A rehearsal cannot wait the plan's hypercare days, so it runs the step on a
 * clock set to the day the hypercare ends (commit + `hypercareDays`), which the gate checks
 * exactly as in production; the certificates land in the rehearsal's evidence folder.
 */
import { hypercareEnd } from '../cutover/decommission-gates.ts';
import { DECOMMISSION_ROLES } from '../cutover/decommission-gates.ts';
import { fixedClock } from '../plan/clock.ts';
import { approveDecommission, decommission } from './decommission.ts';
import { withPlanAndState } from './plan-state.ts';
import type { PhaseRehearsal, RehearsalDecommission } from './rehearsal-report.ts';
import type { RehearsalRun } from './rehearsal-steps.ts';

/** What the rehearsal's decommission left, in its final JSON. */

export async function decommissionPhases(
  run: RehearsalRun,
  phases: readonly PhaseRehearsal[],
): Promise<RehearsalDecommission> {
  const result: RehearsalDecommission = { datasets: [], objectsLeftAtSource: 0, residualUntil: undefined, ok: true };
  for (const phase of phases) {
    if (phase.state !== 'committed' || run.signal?.aborted) {
      result.ok = false;
      continue;
    }
    const record = await withPlanAndState(run, { create: true }, ({ state }) => state.getPhase(phase.id));
    const end = hypercareEnd(record, run.plan.hypercareDays);
    if (!end) {
      result.ok = false;
      continue;
    }
    const clock = fixedClock(end.toISOString());
    for (const owner of DECOMMISSION_ROLES) await approveDecommission({ ...run, phase: phase.id, owner, clock });
    run.progress.note(`decommission of phase ${phase.id} (${phase.name}) at the end of its hypercare`);
    const report = await decommission({ ...run, phase: phase.id, clock });
    for (const d of report.datasets) {
      if (d.outcome === 'refused') continue;
      const { outcome: _outcome, ...entry } = d;
      result.datasets.push(entry);
    }
    result.objectsLeftAtSource += report.objectsLeftAtSource;
    if (report.residualUntil && (!result.residualUntil || report.residualUntil > result.residualUntil))
      result.residualUntil = report.residualUntil;
    if (report.outcome !== 'done') result.ok = false;
  }
  return result;
}
