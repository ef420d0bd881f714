/**
 * The runbook of one phase: purpose and scope, schedule, roles, the pre-cutover checklist
 * read from the state, the step table, the go/no-go gate, the point of no return, rollback,
 * in the runbook's language; the other sections come from their own modules (phase-evidence.ts,
 * night-blocks.ts, people-blocks.ts, after-commit.ts, register.ts).
 */
import { OWNER_ROLES } from '../../cutover/gates.ts';
import { parisDay } from '../../plan/clock.ts';
import { copySlips } from '../risks.ts';
import { CUTOVER_STEPS } from '../../phase-record.ts';
import type { Block } from './doc.ts';
import { code, link, plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { asOfSentence, daysLeftSentence, stateWords } from './overview.ts';
import { communicationBlocks, evidenceBlocks, signOffBlocks } from './phase-evidence.ts';
import { decommissionBlocks, hypercareBlocks } from './after-commit.ts';
import { calendarBlocks, nightBlocks } from './night-blocks.ts';
import { acceptanceBlocks, contactBlocks, goNoGoCriteriaBlocks } from './people-blocks.ts';
import { documentControlBlocks, glossaryBlocks, riskRegisterBlocks } from './register.ts';
import {
  actualOutcome,
  expectedDuration,
  preparationDuration,
  rollbackProcedure,
  STEP_OWNERS,
  stepCommand,
  successCriterion,
} from './steps.ts';

function hostOf(url: string): string {
  return new URL(url).host;
}

/**
 * The sections in the order the AWS Prescriptive Guidance cutover runbook and the Microsoft
 * Cloud Adoption Framework checklists lead a reader: document control, scope and timing,
 * risks and people, the go/no-go, the steps and the way back, acceptance, what follows the
 * commit, then evidence, signatures and the glossary. `command` regenerates the runbook.
 */
export function phaseBlocks(facts: RunbookFacts, phase: PhaseFacts, command = 'npx cloudexit runbook'): Block[] {
  const [title, ...intro] = introBlocks(facts, phase);
  return [
    title!,
    intro[0]!,
    ...documentControlBlocks(facts, phase, command),
    ...intro.slice(1),
    ...scheduleBlocks(facts, phase),
    ...nightBlocks(facts, phase),
    ...calendarBlocks(facts, phase),
    ...riskRegisterBlocks(facts, phase),
    ...roleBlocks(facts, phase),
    ...contactBlocks(facts),
    ...checklistBlocks(facts, phase),
    ...goNoGoCriteriaBlocks(facts, phase),
    ...stepBlocks(facts, phase),
    ...decisionBlocks(facts, phase),
    ...acceptanceBlocks(facts),
    ...hypercareBlocks(facts, phase),
    ...decommissionBlocks(facts, phase),
    ...communicationBlocks(facts, phase),
    ...evidenceBlocks(facts, phase),
    ...signOffBlocks(facts, phase),
    ...glossaryBlocks(facts),
  ];
}

function introBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const s = phase.status;
  const objects = phase.datasets.reduce((n, d) => n + d.objects, 0);
  const bytes = phase.datasets.reduce((n, d) => n + d.bytes, 0);
  const withTables = phase.datasets.some((d) => d.kind === 'postgres');
  const objectSets = phase.datasets.filter((d) => d.kind === 'objects').length;
  const h = t.phase.scopeHead;
  // One row per dataset; the Tables column appears only when the phase moves a database.
  const scopeRows = phase.datasets.map((d) => [
    `${plain(d.title)} (${code(d.name)})`,
    code(d.source),
    code(d.target),
    d.kind === 'postgres' ? '' : d.inventoried ? w.count(d.objects) : t.phase.notInventoried,
    ...(withTables
      ? [d.kind === 'postgres' ? (d.inventoried ? w.count(d.tables ?? 0) : t.phase.notInventoried) : '']
      : []),
    d.inventoried ? w.bytes(d.bytes) : '',
  ]);
  const deleted = phase.datasets.filter((d) => d.deletedAtSource > 0);
  const parts = [
    objectSets > 0
      ? t.phase.objectsPart(
          w.plural(objectSets, ...t.nouns.dataset),
          code(hostOf(facts.plan.source.endpoint)),
          code(hostOf(facts.plan.target.endpoint)),
        )
      : '',
    withTables ? t.phase.databasesPart(w.plural(phase.datasets.length - objectSets, ...t.nouns.database)) : '',
  ].filter(Boolean);
  const proofs = [objectSets > 0 ? t.phase.everyObject : '', withTables ? t.phase.everyTable : ''].filter(Boolean);
  return [
    { kind: 'heading', level: 1, text: t.phase.title(s.id, plain(s.name)) },
    {
      kind: 'paragraph',
      text: t.phase.intro(
        s.id,
        plain(facts.plan.title),
        stateWords(t, s),
        asOfSentence(facts),
        daysLeftSentence(facts),
        link(t.phase.back, 'README.md'),
      ),
    },
    { kind: 'heading', level: 2, text: t.phase.purpose },
    { kind: 'paragraph', text: t.phase.purposeText(t.list(parts), proofs.join(', '), w.date(s.plannedCutover)) },
    {
      kind: 'table',
      head: [h.dataset, h.source, h.target, h.objects, ...(withTables ? [h.tables] : []), h.size],
      rows: scopeRows,
    },
    {
      kind: 'paragraph',
      text: phase.datasets.some((d) => d.inventoried)
        ? t.phase.total(
            w.plural(objects, ...t.nouns.object),
            withTables
              ? w.plural(
                  phase.datasets.reduce((n, d) => n + (d.tables ?? 0), 0),
                  ...t.nouns.table,
                )
              : '',
            w.bytes(bytes),
            deleted
              .map((d) => t.phase.deletedOf(w.plural(d.deletedAtSource, ...t.nouns.object), plain(d.title)))
              .join(', '),
          )
        : t.phase.notListed(code(`npx cloudexit inventory --phase ${s.id}`)),
    },
  ];
}

function scheduleBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const s = phase.status;
  const projectedDay = s.projectedBulkCopyEnd ? parisDay(new Date(s.projectedBulkCopyEnd)) : undefined;
  const slips = projectedDay !== undefined && projectedDay > s.plannedCutover;
  const projectedCutover =
    s.state === 'committed'
      ? ''
      : slips
        ? t.phase.atRisk(w.date(projectedDay))
        : projectedDay
          ? w.date(s.plannedCutover)
          : t.phase.unknown;
  const first = phase.datasets
    .map((d) => d.firstCopiedAt)
    .filter((x): x is string => !!x)
    .sort()[0];
  const last = phase.datasets
    .map((d) => d.lastBulkCopiedAt)
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);
  const bulkDone = s.state === 'committed' || s.gates.find((g) => g.gate === 'bulk-copy')?.ok === true;
  const verified = phase.datasets
    .map((d) => d.lastFullVerifiedAt)
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);
  const verifyDone = s.state === 'committed' || s.gates.find((g) => g.gate === 'full-verify')?.ok === true;
  const approvals = [...s.approvals].sort((a, b) => (a.at < b.at ? -1 : 1));
  const before = t.phase.before(w.date(s.plannedCutover));
  const rows = [
    [
      t.phase.bulkCopy,
      before,
      s.state === 'committed' || bulkDone
        ? ''
        : s.projectedBulkCopyEnd
          ? t.phase.ends(w.dateTime(s.projectedBulkCopyEnd), copySlips(s.risks))
          : t.phase.unknownUntilMeasured,
      first ? t.phase.span(w.dateTime(first), last ? w.dateTime(last) : '…', !bulkDone) : t.phase.notStarted,
    ],
    [
      t.phase.fullVerification,
      before,
      verifyDone ? '' : t.phase.afterBulk,
      verified ? t.phase.lastObject(w.dateTime(verified), !verifyDone) : t.phase.notStarted,
    ],
    [
      t.phase.goOfFour,
      before,
      '',
      approvals.length > 0
        ? t.phase.goes(w.count(approvals.length), String(OWNER_ROLES.length), w.dateTime(approvals.at(-1)!.at))
        : t.phase.noneYet,
    ],
    ...CUTOVER_STEPS.map((step) => {
      const done = s.record?.done.find((d) => d.step === step);
      const failed = s.record?.failed?.step === step ? s.record.failed : undefined;
      return [
        t.steps[step],
        w.date(s.plannedCutover),
        done ? '' : projectedCutover,
        done ? w.dateTime(done.at) : failed ? t.phase.stopped(w.dateTime(failed.at)) : t.phase.notRun,
      ];
    }),
  ];
  return [
    { kind: 'heading', level: 2, text: t.phase.schedule },
    { kind: 'paragraph', text: t.phase.scheduleNote },
    { kind: 'table', head: t.phase.scheduleHead, rows },
  ];
}

function roleBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const owners = phase.plan.owners;
  return [
    { kind: 'heading', level: 2, text: t.phase.roles },
    {
      kind: 'table',
      head: t.phase.rolesHead,
      rows: OWNER_ROLES.map((role) => {
        const go = phase.status.approvals.find((a) => a.role === role);
        return [
          w.capital(t.roles[role]),
          plain(owners[role]),
          t.phase.duties[role],
          go ? w.dateTime(go.at) : t.phase.notYet,
        ];
      }),
    },
  ];
}

function checklistBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const c = t.checklist;
  const throughput = facts.status.throughput;
  const s = phase.status;
  const gate = (name: string) => s.gates.find((g) => g.gate === name)!;
  const committed = s.state === 'committed';
  const objects = phase.datasets.reduce((n, d) => n + d.objects, 0);
  const copied = phase.datasets.reduce((n, d) => n + d.copiedObjects, 0);
  const full = phase.datasets.reduce((n, d) => n + d.verifiedFull, 0);
  const bytes = phase.datasets.reduce((n, d) => n + d.bytes, 0);
  const inventoried = committed || phase.datasets.every((d) => d.inventoried);
  const parity = gate('parity');
  const savedParity = !parity.detail.startsWith('no parity report');
  const objectsWords = w.plural(objects, ...t.nouns.object);
  const copy = code(`npx cloudexit copy --phase ${s.id}`);
  const verify = code(`npx cloudexit verify --mode full --phase ${s.id}`);
  const items = [
    {
      done: inventoried,
      text: inventoried
        ? c.listed(objectsWords, w.bytes(bytes))
        : c.listedSome(
            w.count(phase.datasets.filter((d) => d.inventoried).length),
            w.plural(phase.datasets.length, ...t.nouns.dataset),
            code(`npx cloudexit inventory --phase ${s.id}`),
          ),
    },
    {
      done: committed || gate('bulk-copy').ok,
      text:
        committed || gate('bulk-copy').ok
          ? c.bulkDone(w.plural(copied, ...t.nouns.object))
          : !inventoried
            ? c.bulkWaits(copy)
            : c.bulkPart(w.count(copied), objectsWords, copy, preparationDuration(facts, 'copy', phase, throughput)),
    },
    {
      done: committed || gate('full-verify').ok,
      text:
        committed || gate('full-verify').ok
          ? c.verifyDone
          : !inventoried
            ? c.verifyWaits(verify)
            : c.verifyPart(
                w.count(full),
                objectsWords,
                verify,
                preparationDuration(facts, 'verify', phase, throughput),
              ),
    },
    {
      done: savedParity && parity.ok,
      text: !savedParity
        ? c.parityNone(code('npx cloudexit parity --json > .cloudexit/parity.json'))
        : parity.ok
          ? c.parityOk
          : c.parityDiffers(plain(parity.detail.replace(/ \([^)]*\)$/, ''))),
    },
    ...OWNER_ROLES.map((role) => {
      const go = s.approvals.find((a) => a.role === role);
      return go
        ? { done: true, text: c.goDone(t.roles[role], plain(phase.plan.owners[role]), w.dateTime(go.at)) }
        : {
            done: false,
            text: c.goOpen(
              t.roles[role],
              plain(phase.plan.owners[role]),
              code(`npx cloudexit cutover --phase ${s.id} --approve ${role} --as "${c.yourName}"`),
            ),
          };
    }),
    {
      done: gate('hooks').ok,
      text: gate('hooks').ok ? c.hooksOk : c.hooksMissing(plain(gate('hooks').detail)),
    },
  ];
  return [
    { kind: 'heading', level: 2, text: c.heading },
    { kind: 'paragraph', text: c.intro },
    { kind: 'tasks', items },
  ];
}

function stepBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const id = phase.status.id;
  return [
    { kind: 'heading', level: 2, text: t.stepsSection.heading },
    {
      kind: 'paragraph',
      text: t.stepsSection.intro(
        code(`npx cloudexit cutover --phase ${id}`),
        code(`npx cloudexit cutover --phase ${id} --commit`),
        code('npx cloudexit status'),
      ),
    },
    {
      kind: 'table',
      head: t.stepsSection.head,
      rows: CUTOVER_STEPS.map((step, i) => {
        const owner = STEP_OWNERS[step];
        return [
          String(i + 1),
          t.steps[step],
          stepCommand(t, step, id, facts.plan.hooks),
          `${w.capital(t.roles[owner])}, ${plain(phase.plan.owners[owner])}`,
          expectedDuration(facts, step, phase, facts.status.throughput, facts.plan.hooks),
          successCriterion(t, step, facts.plan.hooks),
          actualOutcome(facts, step, phase.status.record),
        ];
      }),
    },
  ];
}

function decisionBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const d = t.decision;
  const s = phase.status;
  const closed = s.gates.filter((g) => !g.ok);
  const commit = s.record?.done.find((x) => x.step === 'commit');
  const verdict =
    s.state === 'committed'
      ? d.committed
      : closed.length === 0
        ? d.go
        : d.noGo(closed.map((g) => d.gates[g.gate] ?? g.gate).join(', '));
  const rollback = code(`npx cloudexit rollback --phase ${s.id}`);
  return [
    { kind: 'heading', level: 2, text: d.goNoGo },
    {
      kind: 'paragraph',
      text: d.goNoGoText(
        t.roles.decisionMaker,
        plain(phase.plan.owners.decisionMaker),
        w.date(s.plannedCutover),
        code(d.approveCommand(s.id)),
        OWNER_ROLES.map((r) => code(r)).join(', '),
        verdict,
      ),
    },
    { kind: 'heading', level: 2, text: d.pointOfNoReturn },
    {
      kind: 'paragraph',
      text: d.pointText(rollback, commit ? d.passed(s.id, w.dateTime(commit.at)) : d.notPassed),
    },
    { kind: 'heading', level: 2, text: d.rollback },
    { kind: 'paragraph', text: d.rollbackWho(t.roles.decisionMaker) },
    {
      kind: 'table',
      head: d.rollbackHead,
      rows: CUTOVER_STEPS.map((step) => [t.steps[step], rollbackProcedure(t, step, s.id, facts.plan.hooks)]),
    },
  ];
}
