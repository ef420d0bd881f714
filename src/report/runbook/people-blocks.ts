/**
 * The sections of a phase runbook that name people: contacts, the escalation matrix, vendor
 * support, the business go/no-go criteria and the user-acceptance sign-off, from the plan's
 * `governance` section. Placeholders ("À compléter / TBD") are printed as they are and
 * counted, so the runbook says what is still to complete before anyone signs.
 */
import { isPlaceholder, type Governance } from '../../plan/governance.ts';
import type { Block } from './doc.ts';
import { plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { cutoverNight, tMinus } from './cutover-night.ts';

/** How many values of the governance section are still the placeholder. */
export function placeholderCount(g: Governance): number {
  const values = [
    ...g.people.flatMap((p) => [p.name, p.phone, p.email]),
    ...g.vendorSupport.map((v) => v.contract),
    g.documentControl.author,
    g.documentControl.changeReference,
    ...g.documentControl.reviewers,
  ];
  return values.filter(isPlaceholder).length;
}

export function contactBlocks(facts: RunbookFacts): Block[] {
  const { t, w } = facts;
  const g = facts.plan.governance;
  const cell = (text: string | undefined) => (text ? plain(text) : '');
  const people = new Map(g.people.map((p) => [p.id, p]));
  const left = placeholderCount(g);
  return [
    { kind: 'heading', level: 2, text: t.contacts.heading },
    g.people.length === 0
      ? { kind: 'paragraph', text: t.contacts.none }
      : {
          kind: 'table',
          head: t.contacts.head,
          rows: g.people.map((p) => [
            plain(p.name),
            plain(p.role),
            plain(p.organisation),
            cell(p.phone),
            cell(p.email),
            p.onCall ? t.yes : t.no,
          ]),
        },
    ...(left > 0 ? [{ kind: 'paragraph' as const, text: t.placeholderNote(left, w.count(left)) }] : []),
    { kind: 'heading', level: 3, text: t.contacts.escalationHeading },
    g.escalation.length === 0
      ? { kind: 'paragraph', text: t.contacts.escalationNone }
      : { kind: 'paragraph', text: t.contacts.escalationIntro },
    ...(g.escalation.length === 0
      ? []
      : [
          {
            kind: 'table' as const,
            head: t.contacts.escalationHead,
            rows: g.escalation.map((e) => {
              const p = people.get(e.who)!;
              return [
                String(e.level),
                t.contacts.afterMinutes(e.afterMinutes, w.duration(e.afterMinutes * 60)),
                `${plain(p.name)} (${plain(p.role)})`,
                cell(p.phone),
                plain(e.decides),
              ];
            }),
          },
        ]),
    { kind: 'heading', level: 3, text: t.contacts.vendorHeading },
    g.vendorSupport.length === 0
      ? { kind: 'paragraph', text: t.contacts.vendorNone }
      : {
          kind: 'table',
          head: t.contacts.vendorHead,
          rows: g.vendorSupport.map((v) => [
            plain(v.vendor),
            plain(v.services),
            plain(v.contract),
            plain(v.channel),
            cell(v.severity),
          ]),
        },
  ];
}

export function goNoGoCriteriaBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const criteria = facts.plan.governance.goNoGo;
  const meeting = cutoverNight(phase, facts.plan, facts.status.throughput).rows[0]!;
  return [
    { kind: 'heading', level: 2, text: t.goNoGo.heading },
    {
      kind: 'paragraph',
      text:
        criteria.length === 0
          ? t.goNoGo.none
          : t.goNoGo.intro(`${tMinus(meeting.offsetMinutes)}, ${w.dateTime(meeting.startsAt)}`),
    },
    ...(criteria.length === 0
      ? []
      : [
          {
            kind: 'tasks' as const,
            items: criteria.map((c) => ({
              done: false,
              text: t.goNoGo.item(plain(c.criterion), `${t.roles[c.owner]}, ${plain(phase.plan.owners[c.owner])}`),
            })),
          },
        ]),
  ];
}

export function acceptanceBlocks(facts: RunbookFacts): Block[] {
  const { t } = facts;
  const a = facts.plan.governance.acceptance;
  return [
    { kind: 'heading', level: 2, text: t.acceptance.heading },
    { kind: 'paragraph', text: a.checks.length === 0 ? t.acceptance.none : t.acceptance.intro },
    ...(a.checks.length === 0
      ? []
      : [{ kind: 'tasks' as const, items: a.checks.map((c) => ({ done: false, text: plain(c) })) }]),
    {
      kind: 'table',
      head: t.acceptance.signHead,
      rows: a.signers.map((s) => [plain(s.role), plain(s.organisation), '', '', '', '']),
    },
  ];
}
