/**
 * The paperwork sections of a phase runbook: document control (version, author, reviewers,
 * change reference, what state it describes), the risk register (the plan's own risks, then
 * those risks.ts finds in the state and the calendar) and the glossary.
 */
import { PHASE_RISK_RATING, type PhaseRiskKind, type RiskRating } from '../risks.ts';
import type { Block } from './doc.ts';
import { code, plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { placeholderCount } from './people-blocks.ts';
import { phaseRiskSentence } from './risk-sentences.ts';

export function documentControlBlocks(facts: RunbookFacts, phase: PhaseFacts, command: string): Block[] {
  const { t, w } = facts;
  const d = facts.plan.governance.documentControl;
  const s = phase.status;
  return [
    { kind: 'heading', level: 2, text: t.documentControl.heading },
    {
      kind: 'table',
      head: t.documentControl.head,
      rows: [
        [t.documentControl.document, t.documentControl.title(`${t.burndown.cutover(s.id)}, ${plain(s.name)}`)],
        [t.documentControl.version, plain(d.version)],
        [t.documentControl.status, t.documentControl.draft],
        [t.documentControl.author, plain(d.author)],
        [t.documentControl.reviewers, d.reviewers.map(plain).join(', ')],
        [t.documentControl.change, plain(d.changeReference)],
        [t.documentControl.classification, plain(d.classification)],
        [
          t.documentControl.describes,
          facts.asOf.at ? t.documentControl.asOf(w.dateTime(facts.asOf.at)) : t.documentControl.planOnly,
        ],
        [t.documentControl.auditHead, facts.auditHead ? code(facts.auditHead.hash) : t.documentControl.noAuditHead],
        [t.documentControl.generated, t.documentControl.generator(code(command))],
      ],
    },
  ];
}

interface RegisterRow {
  id: string;
  text: string;
  /** The owner is a role of the phase (state risks) or the plan's own words (plan risks). */
  rating: Omit<RiskRating, 'owner'> & { owner: string };
  mitigation: string;
  source: string;
}

/** The state's risks of one phase (risks.ts), in the runbook's language. */
function stateRows(facts: RunbookFacts, phase: PhaseFacts): RegisterRow[] {
  const { t } = facts;
  return phase.status.risks.map((risk, i) => ({
    id: `S${i + 1}`,
    text: phaseRiskSentence(facts, phase, risk),
    rating: PHASE_RISK_RATING[risk.kind],
    mitigation: mitigationOf(facts, risk.kind),
    source: risk.kind === 'decommission-after-window' ? t.risks.fromCalendar : t.risks.fromState,
  }));
}

function mitigationOf({ t }: RunbookFacts, kind: PhaseRiskKind): string {
  switch (kind) {
    case 'rolled-back':
      return t.risks.rolledBackMitigation;
    case 'planned-date-passed':
      return t.risks.plannedPassedMitigation;
    case 'decommission-after-window':
      return t.risks.decommissionLateMitigation;
    default:
      return t.risks.slowMitigation;
  }
}

export function riskRegisterBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w, plan } = facts;
  const rows: RegisterRow[] = plan.governance.risks.map((r) => ({
    id: r.id,
    text: plain(r.title),
    rating: { likelihood: r.likelihood, impact: r.impact, owner: plain(r.owner) },
    mitigation: plain(r.mitigation),
    source: t.risks.fromPlan,
  }));
  const state = stateRows(facts, phase);
  const left = placeholderCount(plan.governance);
  if (left > 0)
    state.push({
      id: `S${state.length + 1}`,
      text: t.risks.placeholders(left, w.count(left)),
      rating: { likelihood: 'high', impact: 'medium', owner: 'decisionMaker' },
      mitigation: t.risks.placeholdersMitigation,
      source: t.risks.fromPlan,
    });
  const all = [...rows, ...state];
  const owner = (r: RegisterRow) => {
    const o = r.rating.owner;
    return o in t.roles ? w.capital(t.roles[o as keyof typeof t.roles]) : o;
  };
  return [
    { kind: 'heading', level: 2, text: t.risks.heading },
    { kind: 'paragraph', text: all.length === 0 ? t.risks.none : t.risks.intro },
    ...(all.length === 0
      ? []
      : [
          {
            kind: 'table' as const,
            head: t.risks.head,
            rows: all.map((r) => [
              r.id,
              r.text,
              t.risks.level[r.rating.likelihood],
              t.risks.level[r.rating.impact],
              owner(r),
              r.mitigation,
              r.source,
            ]),
          },
        ]),
  ];
}

export function glossaryBlocks(facts: RunbookFacts): Block[] {
  const { t } = facts;
  return [
    { kind: 'heading', level: 2, text: t.glossary.heading },
    { kind: 'table', head: t.glossary.head, rows: t.glossary.terms.map(([term, meaning]) => [`**${term}**`, meaning]) },
  ];
}
