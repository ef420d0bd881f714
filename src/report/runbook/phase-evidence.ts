/**
 * The closing sections of a phase runbook: who is told what and when (the plan's
 * communication section), the evidence an auditor checks (manifests and their SHA-256,
 * verification results, the phase's audit events and the audit-log head), and sign-off lines.
 */
import { OWNER_ROLES, ROLE_TITLES } from '../../cutover/gates.ts';
import { COMMUNICATION_MOMENTS, type CommunicationMoment } from '../../plan/schema.ts';
import type { AuditEvent } from '../../audit/event.ts';
import type { CutoverStep } from '../../phase-record.ts';
import { CUTOVER_STEPS } from '../../phase-record.ts';
import type { Block } from './doc.ts';
import { capital, code, count, parisDateTime, plain, plural } from './format.ts';
import type { DatasetFacts, PhaseFacts, RunbookFacts } from './model.ts';
import { STEP_TITLES } from './steps.ts';

const MOMENTS: Record<CommunicationMoment, string> = {
  'before-freeze': 'Before the freeze',
  'go-no-go': 'At the go/no-go',
  'after-switch': 'After the switch',
  'after-commit': 'After the commit',
  'on-rollback': 'On a rollback',
};

export function communicationBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const id = phase.status.id;
  const items = facts.plan.communication
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => !item.phases || item.phases.includes(id))
    .sort(
      (a, b) =>
        COMMUNICATION_MOMENTS.indexOf(a.item.when) - COMMUNICATION_MOMENTS.indexOf(b.item.when) || a.index - b.index,
    )
    .map(({ item }) => item);
  return [
    { kind: 'heading', level: 2, text: 'Communication' },
    items.length === 0
      ? {
          kind: 'paragraph',
          text: `The plan has no message for this phase: add them under ${code('communication')} in the plan.`,
        }
      : {
          kind: 'table',
          head: ['When', 'Who is told', 'What', 'Channel', 'Sent by'],
          rows: items.map((item) => [
            `${MOMENTS[item.when]}${item.timing ? `: ${plain(item.timing)}` : ''}`,
            plain(item.audience),
            plain(item.message),
            plain(item.channel),
            `${capital(ROLE_TITLES[item.sender])}, ${plain(phase.plan.owners[item.sender])}`,
          ]),
        },
  ];
}

function manifestRow(d: DatasetFacts, phaseId: number): string[] {
  const name = `${plain(d.title)} (${code(d.name)})`;
  if (d.kind === 'postgres') {
    const f = d.fingerprints;
    return f
      ? [
          name,
          f.file ? code(f.file) : 'not kept',
          `${count(d.tables ?? 0)} tables`,
          f.sha256 ? code(f.sha256) : '',
          `per-table fingerprints of ${parisDateTime(f.at)}`,
        ]
      : [name, 'not written yet', '', '', 'per-table fingerprints, written by the verification of the database'];
  }
  if (!d.manifest) {
    return [
      name,
      d.copiedObjects > 0 ? 'not in the evidence folder' : 'not written yet',
      '',
      '',
      `written when the dataset is completely copied (${code(`npx cloudexit copy --phase ${phaseId}`)})`,
    ];
  }
  const m = d.manifest;
  const audit = !m.recorded
    ? 'not recorded: the manifest was written outside a copy or verify command'
    : m.recorded.sha256 === m.sha256
      ? `yes, ${parisDateTime(m.recorded.at)}`
      : `**differs** from the one recorded ${parisDateTime(m.recorded.at)}: the file changed since`;
  return [name, code(m.path), count(m.entries), code(m.sha256), audit];
}

function verifyRow(d: DatasetFacts): string[] {
  if (d.kind === 'postgres') {
    const f = d.fingerprints;
    return [
      `${plain(d.title)} (${code(d.name)})`,
      d.inventoried ? `${count(d.tablesVerified ?? 0)} of ${count(d.tables ?? 0)} tables` : 'not inventoried',
      f?.ok ? parisDateTime(f.at) : 'never',
      f ? `table fingerprints ${parisDateTime(f.at)}: ${f.ok ? 'all matched' : '**mismatches**'}` : 'none recorded',
    ];
  }
  const last = d.lastVerify
    ? `${code(`verify --mode ${d.lastVerify.mode}`)} ${parisDateTime(d.lastVerify.at)}: ${plural(d.lastVerify.verified, 'object')} verified, ${plural(d.lastVerify.mismatches, 'mismatch', 'mismatches')}`
    : 'none recorded';
  return [
    `${plain(d.title)} (${code(d.name)})`,
    d.inventoried ? `${count(d.verifiedFull)} of ${count(d.objects)}` : 'not inventoried',
    d.lastFullVerifiedAt ? parisDateTime(d.lastFullVerifiedAt) : 'never',
    last,
  ];
}

function eventWords(event: AuditEvent): string {
  const role = event.details['role'];
  if (event.step === 'approve')
    return `Go recorded${typeof role === 'string' && role in ROLE_TITLES ? `, ${ROLE_TITLES[role as keyof typeof ROLE_TITLES]}` : ''}`;
  if ((CUTOVER_STEPS as readonly string[]).includes(event.step)) return STEP_TITLES[event.step as CutoverStep];
  if (event.step === 'restart') return 'New cutover attempt after a rollback';
  const commands: Record<string, string> = {
    inventory: 'Listing of the source',
    copy: 'Copy',
    'verify-quick': 'Quick verification',
    'verify-full': 'Full verification',
    rehearse: 'Rehearsal',
  };
  if (commands[event.step]) return commands[event.step]!;
  if (event.step === 'rollback') return 'Rollback';
  if (event.step.startsWith('rollback:')) return `Rollback, ${event.step.slice('rollback:'.length)} hook`;
  return plain(event.step);
}

const EVENTS_SHOWN = 40;

export function evidenceBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const id = phase.status.id;
  const events = phase.events.slice(-EVENTS_SHOWN);
  return [
    { kind: 'heading', level: 2, text: 'Evidence' },
    {
      kind: 'paragraph',
      text: `What proves the phase worked, for the auditors (CNIL, HDS certification). Each manifest lists the SHA-256 of every object in the format ${code('sha256sum -c')} reads; a copy of it sits next to the data on the new host (${code('.cloudexit/manifest.sha256')} under each dataset). Paths are relative to this file.`,
    },
    { kind: 'heading', level: 3, text: 'Manifests' },
    {
      kind: 'table',
      head: ['Dataset', 'Manifest file', 'Objects listed', 'SHA-256 of the manifest', 'Same as in the audit log'],
      rows: phase.datasets.map((d) => manifestRow(d, id)),
    },
    { kind: 'heading', level: 3, text: 'Verification results' },
    {
      kind: 'table',
      head: ['Dataset', 'Read again in full and matched', 'Last object verified in full', 'Last verify command'],
      rows: phase.datasets.map(verifyRow),
    },
    { kind: 'heading', level: 3, text: 'Audit log' },
    {
      kind: 'paragraph',
      text: facts.auditHead
        ? `Head of the audit log as of this runbook: event ${count(facts.auditHead.seq)}, hash ${code(facts.auditHead.hash)}. ${code(`npx cloudexit audit verify --expect-head ${facts.auditHead.hash}`)} checks the chain and that a later log still holds this event; ${code('docs/audit.md')} shows how to check it with ${code('jq')} and ${code('sha256sum')} alone.`
        : 'No audit event is recorded yet.',
    },
    events.length === 0
      ? { kind: 'paragraph', text: `No event about phase ${id} yet.` }
      : {
          kind: 'table',
          head: ['Event', 'When', 'Who', 'What', 'Outcome'],
          rows: events.map((e) => [
            count(e.seq),
            parisDateTime(e.time),
            plain(e.actor),
            eventWords(e),
            plain(e.outcome),
          ]),
        },
    ...(phase.events.length > EVENTS_SHOWN
      ? [
          {
            kind: 'paragraph' as const,
            text: `The last ${EVENTS_SHOWN} of ${count(phase.events.length)} events about phase ${id}; ${code('npx cloudexit audit export')} gives them all.`,
          },
        ]
      : []),
  ];
}

export function signOffBlocks(phase: PhaseFacts): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Sign-off' },
    {
      kind: 'paragraph',
      text: 'Each owner signs for the go, then for the commit (or the rollback), and writes down the audit-log head printed at that moment.',
    },
    {
      kind: 'table',
      head: [
        'Role',
        'Name',
        'Decision (go, no-go, commit, rollback)',
        'Date and time (Europe/Paris)',
        'Audit-log head',
        'Signature',
      ],
      rows: OWNER_ROLES.map((role) => [capital(ROLE_TITLES[role]), plain(phase.plan.owners[role]), '', '', '', '']),
    },
  ];
}
