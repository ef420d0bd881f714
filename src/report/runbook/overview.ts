/**
 * The overview runbook (`README.md` of the runbook folder): the window and the days left,
 * the timeline, one status row per phase with a link to its runbook, the risks, the overall
 * calendar to decommissioning and the burn-down.
 */
import { OWNER_ROLES } from '../../cutover/gates.ts';
import { daysBetween, parisDay } from '../../plan/clock.ts';
import type { Messages } from '../i18n/catalog.ts';
import { copySlips } from '../risks.ts';
import type { PhaseStatus } from '../status.ts';
import { burndownBlocks } from './burndown-blocks.ts';
import type { Block } from './doc.ts';
import { code, link, plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { overviewCalendarBlocks } from './night-blocks.ts';
import { migrationRiskSentences } from './risk-sentences.ts';
import { scheduleOf } from './schedule.ts';

/** File name of a phase's runbook, relative to the overview. */
export function phaseFile(id: number): string {
  return `phase-${id}.md`;
}

/** A phase's state in words. */
export function stateWords(t: Messages, s: PhaseStatus): string {
  if (s.state === 'committed') return t.state.committed;
  if (s.state === 'rolled-back') return t.state.rolledBack;
  if (s.failed) return t.state.stopped(t.steps[s.failed.step]);
  if (s.state === 'in-progress') return s.lastStep ? t.state.underWayAfter(t.steps[s.lastStep]) : t.state.underWay;
  return t.state.notStarted;
}

/** The sentence saying which instant the runbook describes, and why that one. */
export function asOfSentence(facts: RunbookFacts): string {
  const { asOf, t, w } = facts;
  if (asOf.basis === 'none') return t.asOf.none;
  const at = w.dateTime(asOf.at!);
  return asOf.basis === 'option' ? t.asOf.option(at, code('--as-of')) : t.asOf.state(at);
}

export function daysLeftSentence(facts: RunbookFacts): string {
  const { t, w } = facts;
  const win = facts.status.window;
  if (!facts.asOf.at) return t.daysLeft.notStarted(w.date(win.closesOn));
  const left =
    win.daysLeft < 0
      ? t.daysLeft.closed(w.plural(-win.daysLeft, ...t.nouns.day))
      : t.daysLeft.left(win.daysLeft, w.plural(win.daysLeft, ...t.nouns.day), w.date(win.today));
  return t.daysLeft.sentence(w.date(win.closesOn), left);
}

function copiedCell(facts: RunbookFacts, p: PhaseFacts): string {
  const { t, w } = facts;
  const objects = p.datasets.reduce((n, d) => n + d.objects, 0);
  if (p.status.state === 'committed') return t.overview.allCopied(w.plural(objects, ...t.nouns.object));
  if (!p.datasets.some((d) => d.inventoried)) return t.overview.notInventoried;
  const copied = p.datasets.reduce((n, d) => n + d.copiedObjects, 0);
  const bytes = p.datasets.reduce((n, d) => n + d.bytes, 0);
  const unlisted = p.datasets.filter((d) => !d.inventoried).length;
  return t.overview.copied(
    w.count(copied),
    w.plural(objects, ...t.nouns.object),
    w.bytes(bytes),
    w.plural(unlisted, ...t.nouns.dataset),
    unlisted,
  );
}

function verifiedCell(facts: RunbookFacts, p: PhaseFacts): string {
  const { t, w } = facts;
  const objects = p.datasets.reduce((n, d) => n + d.objects, 0);
  if (!p.datasets.some((d) => d.inventoried)) return t.overview.notYet;
  return t.overview.of(w.count(p.datasets.reduce((n, d) => n + d.verifiedFull, 0)), w.count(objects));
}

function windowItems(facts: RunbookFacts): string[] {
  const { plan, status, t, w } = facts;
  const win = status.window;
  const committed = status.phases.filter((p) => p.state === 'committed').length;
  const tp = status.throughput;
  return [
    t.overview.authorised(
      w.date(win.opensOn),
      w.plural(plan.window.years, ...t.nouns.year),
      plan.window.reference ? plain(plan.window.reference) : '',
    ),
    daysLeftSentence(facts),
    t.overview.deadline(
      w.date(win.deadline),
      w.plural(win.safetyMarginDays, ...t.nouns.day),
      facts.asOf.at ? t.overview.fromToday(w.plural(win.daysToDeadline, ...t.nouns.day), w.date(win.today)) : '',
    ),
    t.overview.committed(
      w.count(committed),
      w.plural(status.phases.length, ...t.nouns.phase),
      w.count(status.phases.length),
    ),
    tp
      ? t.overview.rate(
          w.bytes(tp.bytesPerSecond),
          w.count(Math.round(tp.objectsPerSecond * 10) / 10),
          w.plural(tp.runs, ...t.nouns.copyRun),
        )
      : t.overview.noRate,
  ];
}

function statusRows(facts: RunbookFacts): string[][] {
  const { t, w } = facts;
  const closes = facts.status.window.closesOn;
  return facts.phases.map((p) => {
    const s = p.status;
    return [
      `${s.id}. ${plain(s.name)}`,
      stateWords(t, s),
      w.date(s.plannedCutover),
      w.plural(daysBetween(s.plannedCutover, closes), ...t.nouns.day),
      copiedCell(facts, p),
      verifiedCell(facts, p),
      t.overview.of(w.count(s.approvals.length), String(OWNER_ROLES.length)),
      s.state === 'committed'
        ? t.overview.done
        : s.projectedBulkCopyEnd
          ? `${w.dateTime(s.projectedBulkCopyEnd)}${copySlips(s.risks) ? t.overview.atRisk : ''}`
          : t.unknown,
      link(t.overview.phaseLink(s.id), phaseFile(s.id)),
    ];
  });
}

export function overviewBlocks(facts: RunbookFacts, command = 'npx cloudexit runbook'): Block[] {
  const { plan, t, w } = facts;
  const risks = migrationRiskSentences(facts);
  return [
    { kind: 'heading', level: 1, text: plain(plan.title) },
    {
      kind: 'paragraph',
      text: t.overview.intro(
        code(plan.migration),
        code('cloudexit runbook'),
        facts.asOf.basis === 'none',
        asOfSentence(facts),
      ),
    },
    { kind: 'heading', level: 2, text: t.overview.window },
    { kind: 'list', items: windowItems(facts) },
    { kind: 'heading', level: 2, text: t.overview.timeline },
    { kind: 'gantt', schedule: scheduleOf(facts) },
    { kind: 'paragraph', text: t.overview.timelineNote },
    { kind: 'heading', level: 2, text: t.overview.status },
    { kind: 'table', id: 'status', head: t.overview.statusHead, rows: statusRows(facts) },
    ...overviewCalendarBlocks(facts),
    ...burndownBlocks(facts),
    { kind: 'heading', level: 2, text: t.overview.risks },
    risks.length > 0 ? { kind: 'list', items: risks } : { kind: 'paragraph', text: t.overview.noRisk },
    { kind: 'heading', level: 2, text: t.overview.phaseRunbooks },
    {
      kind: 'list',
      items: facts.phases.map((p) =>
        t.overview.phaseItem(
          link(t.phase.title(p.status.id, p.status.name), phaseFile(p.status.id)),
          stateWords(t, p.status),
          w.date(p.status.plannedCutover),
          plain(p.plan.owners.decisionMaker),
          t.roles.decisionMaker,
        ),
      ),
    },
    { kind: 'heading', level: 2, text: t.overview.audit },
    {
      kind: 'paragraph',
      text: facts.auditHead
        ? t.overview.auditHead(
            w.count(facts.auditHead.seq),
            w.dateTime(facts.auditHead.time),
            code(facts.auditHead.hash),
            code(`npx cloudexit audit verify --expect-head ${facts.auditHead.hash}`),
          )
        : t.overview.noAudit,
    },
    { kind: 'heading', level: 2, text: t.overview.about },
    {
      kind: 'paragraph',
      text: t.overview.aboutText(
        code(command),
        code('--plan'),
        code('--state'),
        code('--out'),
        code('--initial'),
        facts.asOf.at ? (w.lang === 'en' ? parisDay(new Date(facts.asOf.at)) : w.date(facts.asOf.at)) : '',
      ),
    },
  ];
}
