/**
 * The timed sections of a phase runbook: the cutover night from T−60 min to the commit, with
 * the freeze, downtime and rollback deadline (cutover-night.ts computes them), and the
 * calendar from the bulk copy to the decommissioning against the authorisation window.
 */
import { daysBetween, parisDay } from '../../plan/clock.ts';
import type { Block } from './doc.ts';
import { code, plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { cutoverNight, tMinus } from './cutover-night.ts';
import { STEP_OWNERS } from './steps.ts';
import { hypercareEnd } from './hypercare.ts';

export function nightBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w, plan } = facts;
  const night = cutoverNight(phase, plan, facts.status.throughput);
  const throughput = facts.status.throughput;
  const rate = throughput
    ? t.night.rate(w.bytes(throughput.bytesPerSecond), w.count(Math.round(throughput.objectsPerSecond * 10) / 10))
    : t.night.noRate;
  const record = phase.status.record;
  const rows = night.rows.map((row) => {
    const clock = row.startIsLowerBound ? t.night.notBefore(w.time(row.startsAt)) : w.time(row.startsAt);
    const owner = row.step === 'go-no-go' ? 'decisionMaker' : STEP_OWNERS[row.step];
    const done = row.step === 'go-no-go' ? undefined : record?.done.find((d) => d.step === row.step);
    const length =
      row.seconds === undefined
        ? t.unknown
        : row.basis === 'hook-timeout'
          ? t.night.atMost(w.duration(row.seconds))
          : w.duration(row.seconds);
    return [
      tMinus(row.offsetMinutes),
      done ? t.night.withActual(clock, w.dateTime(done.at)) : clock,
      row.step === 'go-no-go' ? t.night.goNoGo : t.steps[row.step],
      `${w.capital(t.roles[owner])}, ${plain(phase.plan.owners[owner])}`,
      length,
      t.night.basis[row.basis],
    ];
  });
  const deadline = w.dateTime(night.rollbackDeadline);
  const back = w.dateTime(new Date(Date.parse(night.rollbackDeadline) + night.rollbackSeconds * 1000).toISOString());
  return [
    { kind: 'heading', level: 2, text: t.night.heading },
    { kind: 'paragraph', text: t.night.intro(w.time(night.freezeAt), w.date(phase.status.plannedCutover), rate) },
    { kind: 'table', head: t.night.head, rows },
    {
      kind: 'list',
      items: [
        night.freezeSeconds === undefined ? t.night.freezeUnknown : t.night.freeze(w.duration(night.freezeSeconds)),
        t.night.downtime(w.duration(night.downtimeSeconds)),
        t.night.rollback(
          deadline,
          w.duration(night.rollbackSeconds),
          night.rollbackTimed ? t.night.rollbackTimed : t.night.rollbackBound,
          back,
        ),
      ],
    },
  ];
}

/** The latest of some ISO instants, or `undefined`. */
function latest(instants: readonly (string | undefined)[]): string | undefined {
  return instants
    .filter((x): x is string => !!x)
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(-1);
}

interface PhaseCalendar {
  bulk: { text: string; day: string | undefined };
  cutover: { text: string; day: string };
  hypercareEnd: string;
  gone: string | undefined;
  residues: string | undefined;
  allGone: boolean;
}

/** The milestones of a phase from the bulk copy to the last copy at the source gone. */
function phaseCalendar(facts: RunbookFacts, phase: PhaseFacts): PhaseCalendar {
  const { t, w } = facts;
  const s = phase.status;
  const bulkDone = s.state === 'committed' || s.gates.find((g) => g.gate === 'bulk-copy')?.ok === true;
  const lastCopy = latest(phase.datasets.map((d) => d.lastBulkCopiedAt));
  const bulk =
    bulkDone && lastCopy
      ? { text: t.calendar.done(w.date(lastCopy)), day: parisDay(new Date(lastCopy)) }
      : s.projectedBulkCopyEnd
        ? {
            text: t.calendar.projected(w.date(s.projectedBulkCopyEnd)),
            day: parisDay(new Date(s.projectedBulkCopyEnd)),
          }
        : { text: t.unknown, day: undefined };
  const hypercare = hypercareEnd(facts, phase);
  const cutover = hypercare.committedOn
    ? { text: t.calendar.done(w.date(hypercare.committedOn)), day: hypercare.committedOn }
    : { text: t.calendar.planned(w.date(s.plannedCutover)), day: s.plannedCutover };
  const decommissioned = s.record?.decommissioned ?? [];
  const allGone = phase.datasets.every((d) => decommissioned.some((x) => x.dataset === d.name && x.goneAt));
  return {
    bulk,
    cutover,
    hypercareEnd: hypercare.day,
    gone: allGone ? latest(decommissioned.map((x) => x.goneAt)) : undefined,
    residues: latest(decommissioned.map((x) => x.residualUntil)),
    allGone,
  };
}

/** "N days before it closes", "N days after it closes" or "the day it closes", for a Paris day. */
function againstWindow(facts: RunbookFacts, day: string | undefined): string {
  const { t, w } = facts;
  if (day === undefined) return '';
  const left = daysBetween(day, facts.status.window.closesOn);
  const days = (n: number) => w.plural(n, ...t.nouns.day);
  return left > 0 ? t.calendar.before(days(left)) : left < 0 ? t.calendar.after(days(-left)) : t.calendar.sameDay;
}

export function calendarBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const closes = facts.status.window.closesOn;
  const c = phaseCalendar(facts, phase);
  const against = (day: string | undefined) => againstWindow(facts, day);
  const rows = [
    [t.calendar.bulk, c.bulk.text, against(c.bulk.day)],
    [t.calendar.cutover, c.cutover.text, against(c.cutover.day)],
    [
      t.calendar.hypercareEnds(w.plural(facts.plan.hypercareDays, ...t.nouns.day)),
      t.calendar.planned(w.date(c.hypercareEnd)),
      against(c.hypercareEnd),
    ],
    [t.calendar.decommission, t.calendar.planned(w.date(c.hypercareEnd)), against(c.hypercareEnd)],
    [
      t.calendar.gone,
      c.gone ? t.calendar.done(w.date(c.gone)) : t.calendar.notYetKnown,
      c.gone ? against(parisDay(new Date(c.gone))) : '',
    ],
    [
      t.calendar.residues,
      c.residues ? w.date(c.residues) : c.allGone ? t.none : t.calendar.notYetKnown,
      c.residues ? against(parisDay(new Date(c.residues))) : '',
    ],
    [t.calendar.closes, w.date(closes), ''],
  ];
  return [
    { kind: 'heading', level: 2, text: t.calendar.heading },
    { kind: 'paragraph', text: t.calendar.intro(w.date(closes)) },
    { kind: 'table', head: t.calendar.head, rows },
  ];
}

/** The overall calendar: every phase from its cutover to its last copy at the source gone, against the window. */
export function overviewCalendarBlocks(facts: RunbookFacts): Block[] {
  const { t, w } = facts;
  const rows = facts.phases.map((phase) => {
    const c = phaseCalendar(facts, phase);
    const goneDay = c.gone ? parisDay(new Date(c.gone)) : undefined;
    return [
      t.phase.title(phase.status.id, plain(phase.status.name)),
      c.cutover.text,
      w.date(c.hypercareEnd),
      c.gone ? t.calendar.done(w.date(c.gone)) : t.calendar.planned(w.date(c.hypercareEnd)),
      c.residues ? w.date(c.residues) : c.allGone ? t.none : t.calendar.notYetKnown,
      againstWindow(facts, goneDay ?? c.hypercareEnd),
    ];
  });
  return [
    { kind: 'heading', level: 2, text: t.calendar.heading },
    { kind: 'paragraph', text: t.calendar.intro(w.date(facts.status.window.closesOn)) },
    { kind: 'table', head: t.calendar.overviewHead, rows },
  ];
}

/** The decommission command of a phase, as inline code. */
export function decommissionCommand(id: number): string {
  return code(`npx cloudexit decommission --phase ${id}`);
}
