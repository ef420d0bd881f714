/**
 * The runbook of one phase: purpose and scope, schedule, roles, the pre-cutover checklist
 * read from the state, the step table, the go/no-go gate, the point of no return, rollback,
 * then communication, evidence and sign-off (phase-evidence.ts).
 */
import { OWNER_ROLES, ROLE_TITLES, type OwnerRole } from '../../cutover/gates.ts';
import { parisDay } from '../../plan/clock.ts';
import type { Throughput } from '../../plan/projection.ts';
import { copySlips } from '../risks.ts';
import { CUTOVER_STEPS } from '../../phase-record.ts';
import type { Block } from './doc.ts';
import { capital, code, count, formatBytes, link, parisDate, parisDateTime, plain, plural } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';
import { asOfSentence, daysLeftSentence, plainWithCommands, stateWords } from './overview.ts';
import { communicationBlocks, evidenceBlocks, signOffBlocks } from './phase-evidence.ts';
import {
  actualOutcome,
  expectedDuration,
  preparationDuration,
  rollbackProcedure,
  STEP_OWNERS,
  STEP_TITLES,
  successCriterion,
} from './steps.ts';

const ROLE_DUTIES: Record<OwnerRole, string> = {
  decisionMaker: 'Gives the go or no-go; decides a rollback; signs the commit',
  opsLead: 'Runs the commands and the hooks; reports each step',
  dataOwner: 'Confirms the data are complete and usable on the new host',
  dpo: 'Confirms the move respects the authorisation and data protection; files the evidence',
};

function hostOf(url: string): string {
  return new URL(url).host;
}

export function phaseBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  return [
    ...introBlocks(facts, phase),
    ...scheduleBlocks(phase),
    ...riskBlocks(phase),
    ...roleBlocks(phase),
    ...checklistBlocks(phase, facts.status.throughput),
    ...stepBlocks(facts, phase),
    ...decisionBlocks(facts, phase),
    ...communicationBlocks(facts, phase),
    ...evidenceBlocks(facts, phase),
    ...signOffBlocks(phase),
  ];
}

function introBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const s = phase.status;
  const objects = phase.datasets.reduce((n, d) => n + d.objects, 0);
  const bytes = phase.datasets.reduce((n, d) => n + d.bytes, 0);
  const withTables = phase.datasets.some((d) => d.kind === 'postgres');
  const objectSets = phase.datasets.filter((d) => d.kind === 'objects').length;
  // One row per dataset; the Tables column appears only when the phase moves a database.
  const scopeRows = phase.datasets.map((d) => [
    `${plain(d.title)} (${code(d.name)})`,
    code(d.source),
    code(d.target),
    d.kind === 'postgres' ? '' : d.inventoried ? count(d.objects) : 'not inventoried',
    ...(withTables ? [d.kind === 'postgres' ? (d.inventoried ? count(d.tables ?? 0) : 'not inventoried') : ''] : []),
    d.inventoried ? formatBytes(d.bytes) : '',
  ]);
  const deleted = phase.datasets.filter((d) => d.deletedAtSource > 0);
  return [
    { kind: 'heading', level: 1, text: `Phase ${s.id}, ${plain(s.name)}` },
    {
      kind: 'paragraph',
      text: `Runbook of phase ${s.id} of ${plain(facts.plan.title)}. State: **${stateWords(s)}**. ${asOfSentence(facts)} ${daysLeftSentence(facts)} ${link('Back to the overview', 'README.md')}.`,
    },
    { kind: 'heading', level: 2, text: 'Purpose and scope' },
    {
      kind: 'paragraph',
      text:
        `Move ${[
          objectSets > 0
            ? `${plural(objectSets, 'dataset')} of files from Azure Blob Storage (${code(hostOf(facts.plan.source.endpoint))}) to the S3 storage of the new host (${code(hostOf(facts.plan.target.endpoint))})`
            : '',
          withTables
            ? `${plural(phase.datasets.length - objectSets, 'database')} from Azure Database for PostgreSQL to the new host's PostgreSQL`
            : '',
        ]
          .filter(Boolean)
          .join(
            ' and ',
          )}, prove that everything arrived (${[objectSets > 0 ? 'the SHA-256 of every object' : '', withTables ? 'the fingerprints of every table' : ''].filter(Boolean).join(', ')}), ` +
        `then make the new host the reference copy. Planned for ${parisDate(s.plannedCutover)}.`,
    },
    {
      kind: 'table',
      head: ['Dataset', 'Source', 'Target', 'Objects', ...(withTables ? ['Tables'] : []), 'Size'],
      rows: scopeRows,
    },
    {
      kind: 'paragraph',
      text: phase.datasets.some((d) => d.inventoried)
        ? `In total ${plural(objects, 'object')}${
            withTables
              ? ` and ${plural(
                  phase.datasets.reduce((n, d) => n + (d.tables ?? 0), 0),
                  'table',
                )}`
              : ''
          }, ${formatBytes(bytes)}.${deleted.length > 0 ? ` Deleted at the source since the first listing, kept on the new host: ${deleted.map((d) => `${plural(d.deletedAtSource, 'object')} of ${plain(d.title)}`).join(', ')}.` : ''}`
        : `Objects and sizes appear once the source is listed: ${code(`npx cloudexit inventory --phase ${s.id}`)}.`,
    },
  ];
}

/** The phase's own risks: the sentences the overview lists for it (risks.ts). */
function riskBlocks(phase: PhaseFacts): Block[] {
  const risks = phase.status.risks;
  return [
    { kind: 'heading', level: 2, text: 'Risks' },
    risks.length > 0
      ? { kind: 'list', items: risks.map((r) => `${plainWithCommands(capital(r.text))}.`) }
      : { kind: 'paragraph', text: 'None found in the plan and the state.' },
  ];
}

function scheduleBlocks(phase: PhaseFacts): Block[] {
  const s = phase.status;
  const projectedDay = s.projectedBulkCopyEnd ? parisDay(new Date(s.projectedBulkCopyEnd)) : undefined;
  const slips = projectedDay !== undefined && projectedDay > s.plannedCutover;
  const projectedCutover =
    s.state === 'committed'
      ? ''
      : slips
        ? `${parisDate(projectedDay)} **at risk**`
        : projectedDay
          ? parisDate(s.plannedCutover)
          : 'unknown';
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
  const before = `before ${parisDate(s.plannedCutover)}`;
  const rows = [
    [
      'Bulk copy',
      before,
      s.state === 'committed' || bulkDone
        ? ''
        : s.projectedBulkCopyEnd
          ? `ends ${parisDateTime(s.projectedBulkCopyEnd)}${copySlips(s.risks) ? ' **at risk**' : ''}`
          : 'unknown until a copy is measured',
      first
        ? `${parisDateTime(first)} to ${last ? parisDateTime(last) : '…'}${bulkDone ? '' : ', under way'}`
        : 'not started',
    ],
    [
      'Full verification',
      before,
      verifyDone ? '' : 'after the bulk copy',
      verified ? `last object ${parisDateTime(verified)}${verifyDone ? '' : ', under way'}` : 'not started',
    ],
    [
      'Go of the four owners',
      before,
      '',
      approvals.length > 0
        ? `${count(approvals.length)} of ${OWNER_ROLES.length}, last ${parisDateTime(approvals.at(-1)!.at)}`
        : 'none yet',
    ],
    ...CUTOVER_STEPS.map((step) => {
      const done = s.record?.done.find((d) => d.step === step);
      const failed = s.record?.failed?.step === step ? s.record.failed : undefined;
      return [
        STEP_TITLES[step],
        parisDate(s.plannedCutover),
        done ? '' : projectedCutover,
        done ? parisDateTime(done.at) : failed ? `stopped ${parisDateTime(failed.at)}` : 'not run',
      ];
    }),
  ];
  return [
    { kind: 'heading', level: 2, text: 'Schedule' },
    {
      kind: 'paragraph',
      text: 'Planned dates come from the plan, projected ones from the measured copy rate (a bulk copy ending after the planned day moves the cutover with it), actual ones from the state.',
    },
    { kind: 'table', head: ['What', 'Planned', 'Projected', 'Actual'], rows },
  ];
}

function roleBlocks(phase: PhaseFacts): Block[] {
  const owners = phase.plan.owners;
  return [
    { kind: 'heading', level: 2, text: 'Roles' },
    {
      kind: 'table',
      head: ['Role', 'Who', 'Decides or does', 'Go recorded'],
      rows: OWNER_ROLES.map((role) => {
        const go = phase.status.approvals.find((a) => a.role === role);
        return [
          capital(ROLE_TITLES[role]),
          plain(owners[role]),
          ROLE_DUTIES[role],
          go ? parisDateTime(go.at) : 'not yet',
        ];
      }),
    },
  ];
}

function checklistBlocks(phase: PhaseFacts, throughput: Throughput | undefined): Block[] {
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
  const items = [
    {
      done: inventoried,
      text: inventoried
        ? `Source listed: ${plural(objects, 'object')}, ${formatBytes(bytes)}.`
        : `Source listed for ${count(phase.datasets.filter((d) => d.inventoried).length)} of ${plural(phase.datasets.length, 'dataset')}: run ${code(`npx cloudexit inventory --phase ${s.id}`)}.`,
    },
    {
      done: committed || gate('bulk-copy').ok,
      text:
        committed || gate('bulk-copy').ok
          ? `Bulk copy complete: every object is on the new host (${plural(copied, 'object')}).`
          : !inventoried
            ? `Bulk copy: starts once the source is listed, with ${code(`npx cloudexit copy --phase ${s.id}`)}.`
            : `Bulk copy: ${count(copied)} of ${plural(objects, 'object')} on the new host. Run ${code(`npx cloudexit copy --phase ${s.id}`)}; time left: ${preparationDuration('copy', phase, throughput)}.`,
    },
    {
      done: committed || gate('full-verify').ok,
      text:
        committed || gate('full-verify').ok
          ? 'Full verification clean: every object was read again on the new host and its SHA-256 matched.'
          : !inventoried
            ? `Full verification: after the bulk copy, with ${code(`npx cloudexit verify --mode full --phase ${s.id}`)}.`
            : `Full verification: ${count(full)} of ${plural(objects, 'object')} read again and matched. Run ${code(`npx cloudexit verify --mode full --phase ${s.id}`)}; time left: ${preparationDuration('verify', phase, throughput)}.`,
    },
    {
      done: savedParity && parity.ok,
      text: !savedParity
        ? `Stack parity: no report saved: the go/no-go refuses to go on without one (or an explicit, audited waiver). Save one with ${code('npx cloudexit parity --json > .cloudexit/parity.json')}.`
        : parity.ok
          ? 'Stack parity: the Azure and OVHcloud stacks are equivalent.'
          : `Stack parity: **the stacks differ**. ${plain(parity.detail.replace(/ \([^)]*\)$/, ''))}.`,
    },
    ...OWNER_ROLES.map((role) => {
      const go = s.approvals.find((a) => a.role === role);
      return go
        ? {
            done: true,
            text: `Go of the ${ROLE_TITLES[role]}, ${plain(phase.plan.owners[role])}, recorded ${parisDateTime(go.at)}.`,
          }
        : {
            done: false,
            text: `Go of the ${ROLE_TITLES[role]}, ${plain(phase.plan.owners[role])}: ${code(`npx cloudexit cutover --phase ${s.id} --approve ${role} --as "<your name>"`)}.`,
          };
    }),
    {
      done: gate('hooks').ok,
      text: gate('hooks').ok
        ? 'Freeze and switch hooks are configured in the plan.'
        : `Hooks: ${plain(gate('hooks').detail)}.`,
    },
  ];
  return [
    { kind: 'heading', level: 2, text: 'Pre-cutover checklist' },
    {
      kind: 'paragraph',
      text: `Read from the state as of the runbook's instant. The go/no-go check (the first cutover step) checks the same items again and refuses to go on while one fails (the stack parity only through an explicit waiver, recorded in the audit log).`,
    },
    { kind: 'tasks', items },
  ];
}

function stepBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const id = phase.status.id;
  const command = code(`npx cloudexit cutover --phase ${id}`);
  return [
    { kind: 'heading', level: 2, text: 'Steps' },
    {
      kind: 'paragraph',
      text: `One command runs the steps in order up to the smoke check: ${command}. Each step is recorded in the state and the audit log before the next one starts. If a step fails, the cutover stops there and says why; once the cause is fixed, the same command starts again at that step. The commit, the point of no return, is a separate decision, taken once the smoke check passed: ${code(`npx cloudexit cutover --phase ${id} --commit`)}. ${code('npx cloudexit status')} shows where it stands.`,
    },
    {
      kind: 'table',
      head: ['#', 'Step', 'Command to run', 'Owner', 'Expected duration', 'Success criterion', 'Actual outcome'],
      rows: CUTOVER_STEPS.map((step, i) => {
        const owner = STEP_OWNERS[step];
        return [
          String(i + 1),
          STEP_TITLES[step],
          i === 0
            ? command
            : step === 'commit'
              ? `${code(`npx cloudexit cutover --phase ${id} --commit`)} (a separate decision)`
              : `${command} (the same run goes on)`,
          `${capital(ROLE_TITLES[owner])}, ${plain(phase.plan.owners[owner])}`,
          expectedDuration(step, phase, facts.status.throughput, facts.plan.hooks),
          successCriterion(step, facts.plan.hooks),
          actualOutcome(step, phase.status.record),
        ];
      }),
    },
  ];
}

function decisionBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const s = phase.status;
  const closed = s.gates.filter((g) => !g.ok);
  const commit = s.record?.done.find((d) => d.step === 'commit');
  const verdict =
    s.state === 'committed'
      ? 'The go was given and the phase is committed.'
      : closed.length === 0
        ? '**Go**: every gate is open as of this runbook.'
        : `**No-go** as of this runbook: ${closed.map((g) => g.gate.replace('-', ' ')).join(', ')} not ready (see the checklist).`;
  return [
    { kind: 'heading', level: 2, text: 'Go/no-go' },
    {
      kind: 'paragraph',
      text: `The ${ROLE_TITLES.decisionMaker}, ${plain(phase.plan.owners.decisionMaker)}, decides at a go/no-go meeting on ${parisDate(s.plannedCutover)}, once every item of the checklist holds. Each owner records their go with ${code(`npx cloudexit cutover --phase ${s.id} --approve <role> --as "<your name>"`)} (one person holds one role), role one of ${OWNER_ROLES.map((r) => code(r)).join(', ')}. The cutover cannot start without all four. ${verdict}`,
    },
    { kind: 'heading', level: 2, text: 'Point of no return' },
    {
      kind: 'paragraph',
      text: `The last step, the commit. Until then the source stays the reference copy and ${code(`npx cloudexit rollback --phase ${s.id}`)} returns to it. After it, rollback refuses: the new host may hold writes the source never saw. ${commit ? `Phase ${s.id} passed it on ${parisDateTime(commit.at)}.` : 'Not passed yet.'}`,
    },
    { kind: 'heading', level: 2, text: 'Rollback' },
    {
      kind: 'paragraph',
      text: `Who decides: the ${ROLE_TITLES.decisionMaker}. A rollback clears the go of every owner: a new attempt needs four new ones.`,
    },
    {
      kind: 'table',
      head: ['If it goes wrong at', 'How we go back'],
      rows: CUTOVER_STEPS.map((step) => [STEP_TITLES[step], rollbackProcedure(step, s.id, facts.plan.hooks)]),
    },
  ];
}
