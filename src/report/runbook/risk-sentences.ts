/**
 * The risks of risks.ts as sentences in the runbook's language. English keeps the sentences
 * `cloudexit status` prints, word for word; other languages are written from the same facts
 * (the phase's risk kinds, its dates, the window and the projection), so no risk shows in one
 * language and not in the other.
 */
import { parisDay } from '../../plan/clock.ts';
import type { PhaseRisk } from '../risks.ts';
import { capital, code, plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';

/** Risk sentences from the projection carry commands in backticks: keep those as code. */
export function plainWithCommands(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) => (part.startsWith('`') ? code(`npx ${part.slice(1, -1)}`.replace(/^npx npx /, 'npx ')) : plain(part)))
    .join('');
}

/**
 * One risk of a phase as the register says it: in English the very sentence `cloudexit status`
 * prints; in another language the same facts in its words.
 */
export function phaseRiskSentence(facts: RunbookFacts, phase: PhaseFacts, risk: PhaseRisk): string {
  const { t, w } = facts;
  if (w.lang === 'en') return plainWithCommands(capital(risk.text));
  const s = phase.status;
  const projected = s.projectedBulkCopyEnd ? w.date(parisDay(new Date(s.projectedBulkCopyEnd))) : '';
  switch (risk.kind) {
    case 'rolled-back': {
      const failed = s.record?.failed;
      return t.risks.rolledBack(s.record ? w.date(s.record.updatedAt) : '', failed ? t.steps[failed.step] : '');
    }
    case 'planned-date-passed':
      return t.risks.plannedPassed(w.date(s.plannedCutover));
    case 'projected-after-deadline':
      return t.risks.afterDeadline(projected, w.date(facts.status.window.deadline));
    case 'projected-after-planned-date':
      return t.risks.afterPlanned(projected, w.date(s.plannedCutover));
    case 'decommission-after-window':
      return t.risks.decommissionLate(
        s.decommissionDay ? w.date(s.decommissionDay) : '',
        w.date(facts.status.window.closesOn),
      );
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The migration's risks, one sentence each, for the overview's list. */
export function migrationRiskSentences(facts: RunbookFacts): string[] {
  const { t, w, status } = facts;
  if (w.lang === 'en') return status.risks.map((r) => `${plainWithCommands(capital(r))}.`);
  const sentences: string[] = [];
  if (status.window.daysLeft < 0) sentences.push(t.overview.windowClosed(w.date(status.window.closesOn)));
  for (const phase of facts.phases)
    for (const risk of phase.status.risks)
      sentences.push(t.overview.phaseRisk(phase.status.id, lowerFirst(phaseRiskSentence(facts, phase, risk))));
  // The projection's own risk, as projection.ts decides it: phases never listed, or no rate yet.
  if (!status.migrationAtRisk) {
    const open = status.phases.filter((p) => p.state !== 'committed');
    const unlisted = open.filter((p) => p.objects === 0).map((p) => p.id);
    const remaining = open.some((p) => p.objects > p.copiedObjects);
    if (unlisted.length > 0)
      sentences.push(
        t.overview.notInventoriedRisk(t.list(unlisted.map(String)), code('npx cloudexit inventory'), unlisted.length),
      );
    else if (!status.throughput && remaining) sentences.push(t.overview.notMeasuredRisk(code('npx cloudexit copy')));
  }
  return sentences.map((s) => `${s}.`);
}
