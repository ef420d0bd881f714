/**
 * The overview runbook (`README.md` of the runbook folder): the window and the days left,
 * the timeline, one status row per phase with a link to its runbook, the risks.
 */
import { ROLE_TITLES, OWNER_ROLES } from '../../cutover/gates.ts';
import { daysBetween, parisDay } from '../../plan/clock.ts';
import { copySlips } from '../risks.ts';
import type { PhaseStatus } from '../status.ts';
import type { Block } from './doc.ts';
import { capital, code, count, formatBytes, link, parisDate, parisDateTime, plain, plural } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { scheduleOf } from './schedule.ts';
import { STEP_TITLES } from './steps.ts';

/** File name of a phase's runbook, relative to the overview. */
export function phaseFile(id: number): string {
  return `phase-${id}.md`;
}

/** A phase's state in words. */
export function stateWords(s: PhaseStatus): string {
  if (s.state === 'committed') return 'Committed';
  if (s.state === 'rolled-back') return 'Rolled back, a new go is needed';
  if (s.failed) return `Stopped at step “${STEP_TITLES[s.failed.step]}”`;
  if (s.state === 'in-progress')
    return s.lastStep ? `Cutover under way, done up to “${STEP_TITLES[s.lastStep]}”` : 'Cutover under way';
  return 'Not started';
}

/** The sentence saying which instant the runbook describes, and why that one. */
export function asOfSentence(facts: RunbookFacts): string {
  const { asOf } = facts;
  if (asOf.basis === 'none') {
    return 'The state records no run and no audit event yet, so this runbook describes the plan alone and counts no days left: it is never dated by the day it was generated. Pass `--as-of YYYY-MM-DD` to count days from a given day.';
  }
  const at = parisDateTime(asOf.at!);
  return asOf.basis === 'option'
    ? `Status as of **${at}**, the instant given with ${code('--as-of')}.`
    : `Status as of **${at}**, the last activity recorded in the state (the latest run, audit event or phase update). The runbook does not depend on the day it is generated.`;
}

export function daysLeftSentence(facts: RunbookFacts): string {
  const w = facts.status.window;
  if (!facts.asOf.at)
    return `The window closes on **${parisDate(w.closesOn)}**; days left are counted once the migration has started.`;
  const left =
    w.daysLeft < 0
      ? `it closed ${plural(-w.daysLeft, 'day')} ago`
      : `**${plural(w.daysLeft, 'day')} left** as of ${parisDate(w.today)}`;
  return `The window closes on **${parisDate(w.closesOn)}**: ${left}.`;
}

function copiedCell(p: PhaseFacts): string {
  const objects = p.datasets.reduce((n, d) => n + d.objects, 0);
  if (p.status.state === 'committed') return `all (${plural(objects, 'object')})`;
  if (!p.datasets.some((d) => d.inventoried)) return 'not inventoried yet';
  const copied = p.datasets.reduce((n, d) => n + d.copiedObjects, 0);
  const bytes = p.datasets.reduce((n, d) => n + d.bytes, 0);
  const unlisted = p.datasets.filter((d) => !d.inventoried).length;
  return `${count(copied)} of ${plural(objects, 'object')} (${formatBytes(bytes)})${unlisted > 0 ? `; ${plural(unlisted, 'dataset')} not listed yet` : ''}`;
}

function verifiedCell(p: PhaseFacts): string {
  const objects = p.datasets.reduce((n, d) => n + d.objects, 0);
  if (!p.datasets.some((d) => d.inventoried)) return 'not yet';
  return `${count(p.datasets.reduce((n, d) => n + d.verifiedFull, 0))} of ${count(objects)}`;
}

export function overviewBlocks(facts: RunbookFacts): Block[] {
  const { plan, status } = facts;
  const w = status.window;
  const committed = status.phases.filter((p) => p.state === 'committed').length;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: plain(plan.title) },
    {
      kind: 'paragraph',
      text: `Cutover runbooks of the migration ${code(plan.migration)}, written by ${code('cloudexit runbook')} from the plan and the state. ${facts.asOf.basis === 'none' ? 'Status: **not started**. ' : ''}${asOfSentence(facts)}`,
    },
    { kind: 'heading', level: 2, text: 'Authorisation window' },
    {
      kind: 'list',
      items: [
        `Authorised on ${parisDate(w.opensOn)} for ${plural(plan.window.years, 'year')}${plan.window.reference ? `: ${plain(plan.window.reference)}` : ''}.`,
        daysLeftSentence(facts),
        `Every phase must be committed by **${parisDate(w.deadline)}**, a safety margin of ${plural(w.safetyMarginDays, 'day')}${facts.asOf.at ? ` (${plural(w.daysToDeadline, 'day')} from ${parisDate(w.today)})` : ''}.`,
        `${count(committed)} of ${plural(status.phases.length, 'phase')} committed.`,
        status.throughput
          ? `Measured copy rate: ${formatBytes(status.throughput.bytesPerSecond)}/s and ${count(Math.round(status.throughput.objectsPerSecond * 10) / 10)} objects/s, from ${plural(status.throughput.runs, 'copy run')}.`
          : 'Measured copy rate: none yet; projected dates appear after the first finished copy.',
      ],
    },
    { kind: 'heading', level: 2, text: 'Timeline' },
    { kind: 'gantt', schedule: scheduleOf(facts) },
    {
      kind: 'paragraph',
      text: 'Done bars come from the state, projected ones from the measured copy rate, planned milestones from the plan. The red milestone is the end of the authorisation window.',
    },
    { kind: 'heading', level: 2, text: 'Status' },
    {
      kind: 'table',
      id: 'status',
      head: [
        'Phase',
        'State',
        'Planned cutover',
        'Margin to window end',
        'Copied',
        'Verified in full',
        'Go given',
        'Bulk copy ends',
        'Runbook',
      ],
      rows: facts.phases.map((p) => {
        const s = p.status;
        return [
          `${s.id}. ${plain(s.name)}`,
          stateWords(s),
          parisDate(s.plannedCutover),
          plural(daysBetween(s.plannedCutover, w.closesOn), 'day'),
          copiedCell(p),
          verifiedCell(p),
          `${count(s.approvals.length)} of ${OWNER_ROLES.length}`,
          s.state === 'committed'
            ? 'done'
            : s.projectedBulkCopyEnd
              ? `${parisDateTime(s.projectedBulkCopyEnd)}${copySlips(s.risks) ? ' **at risk**' : ''}`
              : 'unknown',
          link(`Phase ${s.id} runbook`, phaseFile(s.id)),
        ];
      }),
    },
    { kind: 'heading', level: 2, text: 'Risks' },
    status.risks.length > 0
      ? { kind: 'list', items: status.risks.map((r) => `${plainWithCommands(capital(r))}.`) }
      : { kind: 'paragraph', text: 'None found in the plan and the state.' },
    { kind: 'heading', level: 2, text: 'Phase runbooks' },
    {
      kind: 'list',
      items: facts.phases.map(
        (p) =>
          `${link(`Phase ${p.status.id}, ${p.status.name}`, phaseFile(p.status.id))}: ${stateWords(p.status)}, planned for ${parisDate(p.status.plannedCutover)}; decided by ${plain(p.plan.owners.decisionMaker)} (${ROLE_TITLES.decisionMaker}).`,
      ),
    },
    { kind: 'heading', level: 2, text: 'Audit log' },
    {
      kind: 'paragraph',
      text: facts.auditHead
        ? `Head of the hash-chained audit log: event ${count(facts.auditHead.seq)} of ${parisDateTime(facts.auditHead.time)}, hash ${code(facts.auditHead.hash)}. Write it on every sign-off; ${code(`npx cloudexit audit verify --expect-head ${facts.auditHead.hash}`)} checks a later log still contains it.`
        : 'No audit event is recorded yet.',
    },
    { kind: 'heading', level: 2, text: 'About these files' },
    {
      kind: 'paragraph',
      text: `Generated; do not edit by hand. The same plan and state always give the same files, so they are reviewed as diffs. Regenerate them with ${code('npx cloudexit runbook')} and the same ${code('--plan')}, ${code('--state')} and ${code('--out')} (${code('--initial')} for the plan before anything has run). Dates are calendar days in Europe/Paris${facts.asOf.at ? `; "as of" is ${parisDay(new Date(facts.asOf.at))}` : ''}.`,
    },
  ];
  return blocks;
}

/** Risk sentences from the projection carry commands in backticks: keep those as code. */
export function plainWithCommands(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) => (part.startsWith('`') ? code(`npx ${part.slice(1, -1)}`.replace(/^npx npx /, 'npx ')) : plain(part)))
    .join('');
}
