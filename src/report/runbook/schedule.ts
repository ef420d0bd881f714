/**
 * The timeline of a migration against its authorisation window, as bars by section: what
 * was done (from the state), what is under way, what is projected (from the measured
 * throughput) and what is planned (from the plan). The Markdown runbooks draw it as a
 * Mermaid Gantt chart, the HTML overview as an SVG (html-gantt.ts): the same bars.
 */
import { addDays, daysBetween, parisDay } from '../../plan/clock.ts';
import { copySlips } from '../risks.ts';
import type { RunbookFacts } from './model.ts';
import { hypercareEnd } from './hypercare.ts';

export interface ScheduleBar {
  /** Stable id inside the chart (never shown). */
  id: string;
  label: string;
  /** First day, `YYYY-MM-DD` in Europe/Paris. */
  start: string;
  /** Calendar days covered, the first day included; 0 for a milestone. */
  days: number;
  /** done and active come from the state, projected from the throughput, planned from the plan. */
  state: 'done' | 'active' | 'projected' | 'planned';
  /** Drawn in the alarm colour: the window's end, a phase at risk, a rollback. */
  critical: boolean;
}

export interface Schedule {
  title: string;
  sections: { title: string; bars: ScheduleBar[] }[];
}

function span(
  id: string,
  label: string,
  from: string,
  to: string,
  state: ScheduleBar['state'],
  critical = false,
): ScheduleBar {
  const end = to < from ? from : to;
  return { id, label, start: from, days: daysBetween(from, end) + 1, state, critical };
}

function milestone(id: string, label: string, day: string, state: ScheduleBar['state'], critical = false): ScheduleBar {
  return { id, label, start: day, days: 0, state, critical };
}

export function scheduleOf(facts: RunbookFacts): Schedule {
  const { t } = facts;
  const tl = t.timeline;
  const w = facts.status.window;
  const asOfDay = facts.asOf.at ? parisDay(new Date(facts.asOf.at)) : undefined;
  const windowBars = [
    ...(asOfDay ? [milestone('asof', tl.asOf(asOfDay), asOfDay, 'done')] : []),
    milestone('deadline', tl.deadline(w.deadline), w.deadline, 'planned'),
    milestone('closes', tl.closes(w.closesOn), w.closesOn, 'planned', true),
  ];
  const sections = [{ title: tl.window, bars: windowBars }];
  for (const phase of facts.phases) {
    const s = phase.status;
    const bars: ScheduleBar[] = [];
    const firstCopied = phase.datasets
      .map((d) => d.firstCopiedAt)
      .filter((x): x is string => !!x)
      .sort()[0];
    const lastCopied = phase.datasets
      .map((d) => d.lastBulkCopiedAt)
      .filter((x): x is string => !!x)
      .sort()
      .at(-1);
    const bulkDone = s.state === 'committed' || s.gates.find((g) => g.gate === 'bulk-copy')?.ok === true;
    const projectedDay = s.projectedBulkCopyEnd ? parisDay(new Date(s.projectedBulkCopyEnd)) : undefined;
    if (firstCopied && bulkDone) {
      bars.push(
        span(
          `p${s.id}copy`,
          tl.copyDone,
          parisDay(new Date(firstCopied)),
          parisDay(new Date(lastCopied ?? firstCopied)),
          'done',
        ),
      );
    } else if (firstCopied) {
      const to =
        [asOfDay, projectedDay]
          .filter((x): x is string => !!x)
          .sort()
          .at(-1) ?? parisDay(new Date(firstCopied));
      bars.push(
        span(
          `p${s.id}copy`,
          projectedDay ? tl.copyProjected(projectedDay) : tl.copyUnderWay,
          parisDay(new Date(firstCopied)),
          to,
          'active',
          copySlips(s.risks),
        ),
      );
    } else if (asOfDay && projectedDay) {
      bars.push(
        span(`p${s.id}copy`, tl.copyProjected(projectedDay), asOfDay, projectedDay, 'projected', copySlips(s.risks)),
      );
    }
    const steps = s.record?.done ?? [];
    const firstStep = steps[0] ? parisDay(new Date(steps[0].at)) : undefined;
    if (s.state === 'committed' && firstStep) {
      bars.push(span(`p${s.id}cut`, tl.cutoverCommitted, firstStep, parisDay(new Date(steps.at(-1)!.at)), 'done'));
    } else if (s.state === 'rolled-back' && s.record) {
      const from = firstStep ?? parisDay(new Date(s.record.updatedAt));
      bars.push(span(`p${s.id}cut`, tl.cutoverRolledBack, from, parisDay(new Date(s.record.updatedAt)), 'done', true));
    } else if (s.state === 'in-progress' && firstStep) {
      bars.push(span(`p${s.id}cut`, tl.cutoverUnderWay, firstStep, asOfDay ?? firstStep, 'active'));
    }
    bars.push(milestone(`p${s.id}plan`, tl.cutoverPlanned(s.plannedCutover), s.plannedCutover, 'planned', s.atRisk));
    bars.push(...afterCommitBars(facts, phase));
    sections.push({ title: tl.section(s.id, s.name), bars });
  }
  return { title: tl.title(facts.plan.title), sections };
}

/**
 * The hypercare after the commit, then the decommissioning (or the day the last copy at the
 * source was gone): drawn in the alarm colour when it falls on or after the window's end.
 */
function afterCommitBars(facts: RunbookFacts, phase: RunbookFacts['phases'][number]): ScheduleBar[] {
  const tl = facts.t.timeline;
  const s = phase.status;
  const closes = facts.status.window.closesOn;
  const end = hypercareEnd(facts, phase);
  const gone = (s.record?.decommissioned ?? [])
    .map((x) => x.goneAt)
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);
  const allGone = phase.datasets.every((d) => s.record?.decommissioned?.some((x) => x.dataset === d.name && x.goneAt));
  const start = end.committedOn ?? s.plannedCutover;
  const bars = [span(`p${s.id}care`, tl.hypercare(end.day), start, end.day, end.committedOn ? 'active' : 'planned')];
  if (allGone && gone) {
    const day = parisDay(new Date(gone));
    bars.push(milestone(`p${s.id}gone`, tl.gone(day), day, 'done', day >= closes));
  } else bars.push(milestone(`p${s.id}decom`, tl.decommission(end.day), end.day, 'planned', end.day >= closes));
  return bars;
}

/** Mermaid takes `:`, `;` and `#` in task text as syntax: they become spaces or commas. */
function mermaidText(text: string): string {
  return text.replace(/[:;]/g, ',').replace(/#/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Mermaid Gantt source. The today marker is off: Mermaid would draw it at the reader's
 * clock, and the chart must show the state's "as of", the same on every screen.
 */
export function mermaidGantt(schedule: Schedule): string {
  const lines = [
    'gantt',
    `    title ${mermaidText(schedule.title)}`,
    '    dateFormat YYYY-MM-DD',
    '    axisFormat %Y-%m-%d',
    '    todayMarker off',
  ];
  for (const section of schedule.sections) {
    lines.push(`    section ${mermaidText(section.title)}`);
    for (const bar of section.bars) {
      const tags = [
        ...(bar.critical ? ['crit'] : []),
        ...(bar.state === 'done' ? ['done'] : bar.state === 'active' ? ['active'] : []),
        ...(bar.days === 0 ? ['milestone'] : []),
      ];
      lines.push(`    ${mermaidText(bar.label)} :${[...tags, bar.id, bar.start, `${bar.days}d`].join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** First and last day the chart must show (a day either side, so milestones are not cut). */
export function scheduleRange(schedule: Schedule): { from: string; to: string } {
  const bars = schedule.sections.flatMap((s) => s.bars);
  const from = bars.map((b) => b.start).sort()[0]!;
  const to = bars
    .map((b) => addDays(b.start, Math.max(0, b.days - 1)))
    .sort()
    .at(-1)!;
  return { from: addDays(from, -1), to: addDays(to, 1) };
}
