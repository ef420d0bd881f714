/**
 * What follows the commit in a phase runbook: the hypercare with its exit criteria, and the
 * decommissioning of the source with, per dataset, the day its last copy at the source was
 * gone and until when the provider keeps residues (from the phase record the decommission
 * writes; "not yet" until then).
 */
import type { Block } from './doc.ts';
import { code, plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { hypercareEnd } from './hypercare.ts';
import { decommissionCommand } from './night-blocks.ts';

export function hypercareBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const end = hypercareEnd(facts, phase);
  const criteria = facts.plan.governance.hypercareExitCriteria;
  return [
    { kind: 'heading', level: 2, text: t.hypercare.heading },
    {
      kind: 'paragraph',
      text: `${t.hypercare.intro(w.plural(facts.plan.hypercareDays, ...t.nouns.day))} ${
        end.committedOn
          ? t.hypercare.ends(w.date(end.committedOn), w.date(end.day))
          : t.hypercare.planned(w.date(end.day))
      } ${t.hypercare.exitIntro}`,
    },
    {
      kind: 'tasks',
      items: (criteria.length > 0 ? criteria.map(plain) : t.hypercare.defaults).map((text) => ({ done: false, text })),
    },
  ];
}

export function decommissionBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const done = phase.status.record?.decommissioned ?? [];
  return [
    { kind: 'heading', level: 2, text: t.decommission.heading },
    {
      kind: 'paragraph',
      text: t.decommission.intro(w.date(hypercareEnd(facts, phase).day), decommissionCommand(phase.status.id)),
    },
    {
      kind: 'table',
      head: t.decommission.head,
      rows: phase.datasets.map((d) => {
        const x = done.find((entry) => entry.dataset === d.name);
        return [
          `${plain(d.title)} (${code(d.name)})`,
          code(d.source),
          x?.goneAt ? w.dateTime(x.goneAt) : t.decommission.notYet,
          x?.residualUntil ? w.date(x.residualUntil) : x?.goneAt ? t.decommission.noResidue : t.calendar.notYetKnown,
          x ? w.count(x.objectsLeftAtSource) : t.calendar.notYetKnown,
          x ? t.decommission.certificate(code(x.certificate), code(x.certificateSha256)) : t.decommission.notYet,
        ];
      }),
    },
  ];
}
