/**
 * The risks of a migration and of each of its phases, computed once: `cloudexit status`
 * (its text, its risk column and its JSON) and the runbooks all print what this returns,
 * so a risk never shows in one place and not in another.
 */
import { parisDay } from '../plan/clock.ts';
import type { Projection } from '../plan/projection.ts';
import type { WindowStatus } from '../plan/window.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { RiskLevel } from '../plan/governance.ts';

export type PhaseRiskKind =
  /** The cutover was rolled back: the phase needs a new go. */
  | 'rolled-back'
  /** Today is after the planned cutover and the phase is not committed. */
  | 'planned-date-passed'
  /** The bulk copy is projected to end after the planned cutover. */
  | 'projected-after-planned-date'
  /** The bulk copy is projected to end after the deadline of the window. */
  | 'projected-after-deadline'
  /** Decommissioning, due after the hypercare, falls on or after the day the window closes. */
  | 'decommission-after-window';

export interface PhaseRisk {
  kind: PhaseRiskKind;
  /** A few words for a table column. */
  label: string;
  /** The sentence a project manager reads, as the migration's list of risks holds it. */
  text: string;
}

/** What the risks are computed from, for one phase. */
export interface PhaseRiskInput {
  id: number;
  state: PhaseRecord['state'];
  plannedCutover: string;
  record: PhaseRecord | undefined;
  /** Paris day the remaining bulk copy is projected to end; `undefined` when nothing remains or it is unknown. */
  projectedDay: string | undefined;
  /**
   * Paris day the phase may be decommissioned (commit, or planned cutover, plus the plan's
   * `hypercareDays`); `undefined` once its source is decommissioned, or when not known.
   */
  decommissionDay?: string | undefined;
}

export interface MigrationRisks {
  /** Every risk of the migration as sentences, the phases' ones prefixed with "phase N: ". */
  risks: string[];
  /** The risks of each phase, by phase id (an empty list for a phase without one). */
  phases: Map<number, PhaseRisk[]>;
}

/**
 * The risks of one phase as of `today` (a Paris day). `closesOn`, the day the window closes,
 * is what the decommissioning is held against: data still on Azure that day is past the
 * authorisation, even when the phase is committed.
 */
export function phaseRisks(phase: PhaseRiskInput, today: string, deadline: string, closesOn?: string): PhaseRisk[] {
  const late = decommissionRisk(phase, closesOn);
  if (phase.state === 'committed') return late;
  const risks: PhaseRisk[] = [];
  if (phase.state === 'rolled-back') {
    const failed = phase.record?.failed;
    const on = phase.record ? ` on ${parisDay(new Date(phase.record.updatedAt))}` : '';
    risks.push({
      kind: 'rolled-back',
      label: 'rolled back',
      text: `phase ${phase.id}: the cutover was rolled back${on}${failed ? ` after the ${failed.step} step failed` : ''}: a new go is needed`,
    });
  }
  if (today > phase.plannedCutover) {
    risks.push({
      kind: 'planned-date-passed',
      label: 'planned date passed',
      text: `phase ${phase.id} was planned for ${phase.plannedCutover} and is not committed`,
    });
  }
  if (phase.projectedDay !== undefined && phase.projectedDay > deadline) {
    risks.push({
      kind: 'projected-after-deadline',
      label: 'copy ends after the deadline',
      text: `phase ${phase.id}: bulk copy projected to end on ${phase.projectedDay}, after the deadline ${deadline}`,
    });
  } else if (phase.projectedDay !== undefined && phase.projectedDay > phase.plannedCutover) {
    risks.push({
      kind: 'projected-after-planned-date',
      label: 'copy ends after the planned date',
      text: `phase ${phase.id}: bulk copy projected to end on ${phase.projectedDay}, after the planned cutover on ${phase.plannedCutover}`,
    });
  }
  return [...risks, ...late];
}

function decommissionRisk(phase: PhaseRiskInput, closesOn: string | undefined): PhaseRisk[] {
  if (!closesOn || phase.decommissionDay === undefined || !decommissionAfterWindow(phase.decommissionDay, closesOn))
    return [];
  return [
    {
      kind: 'decommission-after-window',
      label: 'decommissioning after the window',
      text:
        `phase ${phase.id}: decommissioning planned from ${phase.decommissionDay}: the data would stay on Azure ` +
        `after the window closes on ${closesOn}`,
    },
  ];
}

/** Whether one of `risks` is a bulk copy projected to end too late. */
export function copySlips(risks: readonly PhaseRisk[]): boolean {
  return risks.some((r) => r.kind === 'projected-after-deadline' || r.kind === 'projected-after-planned-date');
}

/** The risks of the migration and of each phase, from the window, the phases and the projection. */
export function migrationRisks(
  window: WindowStatus,
  phases: readonly PhaseRiskInput[],
  projection: Pick<Projection, 'risk' | 'migrationAtRisk'>,
): MigrationRisks {
  const byPhase = new Map(
    phases.map((p) => [p.id, phaseRisks(p, window.today, window.deadline, window.closesOn)] as const),
  );
  const risks = [
    ...(window.daysLeft < 0 ? [`the authorisation window closed on ${window.closesOn}`] : []),
    ...phases.flatMap((p) => byPhase.get(p.id)!.map((r) => r.text)),
    // A migration projected past the deadline is already said by its last phase.
    ...(projection.risk && !projection.migrationAtRisk ? [projection.risk] : []),
  ];
  return { risks, phases: byPhase };
}

/** Likelihood, impact and owner role of a risk the state reveals, for the runbooks' risk register. */
export interface RiskRating {
  likelihood: RiskLevel;
  impact: RiskLevel;
  owner: 'decisionMaker' | 'opsLead' | 'dataOwner' | 'dpo';
}

/**
 * How the register rates each kind of phase risk: as data, so every runbook rates one kind
 * alike. A risk that has already happened (a rollback, a date passed) is rated likely.
 */
export const PHASE_RISK_RATING: Record<PhaseRiskKind, RiskRating> = {
  'rolled-back': { likelihood: 'high', impact: 'medium', owner: 'decisionMaker' },
  'planned-date-passed': { likelihood: 'high', impact: 'high', owner: 'decisionMaker' },
  'projected-after-planned-date': { likelihood: 'medium', impact: 'medium', owner: 'opsLead' },
  'projected-after-deadline': { likelihood: 'medium', impact: 'high', owner: 'opsLead' },
  'decommission-after-window': { likelihood: 'high', impact: 'high', owner: 'decisionMaker' },
};

/**
 * A phase whose decommissioning (after its hypercare) falls on or after the day the window
 * closes leaves the data on Azure beyond the authorisation: the purpose of the exit is not met.
 */
export function decommissionAfterWindow(decommissionDay: string, closesOn: string): boolean {
  return decommissionDay >= closesOn;
}
