/**
 * The closing sections of a phase runbook: who is told what and when (the plan's
 * communication section), the evidence an auditor checks (manifests and their SHA-256,
 * verification results, the phase's audit events and the audit-log head), and sign-off lines.
 */
import { OWNER_ROLES } from '../../cutover/gates.ts';
import { COMMUNICATION_MOMENTS } from '../../plan/schema.ts';
import type { AuditEvent } from '../../audit/event.ts';
import type { CutoverStep } from '../../phase-record.ts';
import { CUTOVER_STEPS } from '../../phase-record.ts';
import type { Block } from './doc.ts';
import { code, plain } from './format.ts';
import type { DatasetFacts, PhaseFacts, RunbookFacts } from './model.ts';

export function communicationBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
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
    { kind: 'heading', level: 2, text: t.communication.heading },
    items.length === 0
      ? { kind: 'paragraph', text: t.communication.none(code('communication')) }
      : {
          kind: 'table',
          head: t.communication.head,
          rows: items.map((item) => [
            t.communication.when(t.communication.moments[item.when], item.timing ? plain(item.timing) : ''),
            plain(item.audience),
            plain(item.message),
            plain(item.channel),
            `${w.capital(t.roles[item.sender])}, ${plain(phase.plan.owners[item.sender])}`,
          ]),
        },
  ];
}

function manifestRow(facts: RunbookFacts, d: DatasetFacts, phaseId: number): string[] {
  const { t, w } = facts;
  const e = t.evidence;
  const name = `${plain(d.title)} (${code(d.name)})`;
  if (d.kind === 'postgres') {
    const f = d.fingerprints;
    return f
      ? [
          name,
          f.file ? code(f.file) : e.notKept,
          e.tables(w.count(d.tables ?? 0)),
          f.sha256 ? code(f.sha256) : '',
          e.fingerprintsOf(w.dateTime(f.at)),
        ]
      : [name, e.notWrittenYet, '', '', e.fingerprintsLater];
  }
  if (!d.manifest) {
    return [
      name,
      d.copiedObjects > 0 ? e.notInEvidence : e.notWrittenYet,
      '',
      '',
      e.writtenWhen(code(`npx cloudexit copy --phase ${phaseId}`)),
    ];
  }
  const m = d.manifest;
  const audit = !m.recorded
    ? e.notRecorded
    : m.recorded.sha256 === m.sha256
      ? e.same(w.dateTime(m.recorded.at))
      : e.differs(w.dateTime(m.recorded.at));
  return [name, code(m.path), w.count(m.entries), code(m.sha256), audit];
}

function verifyRow(facts: RunbookFacts, d: DatasetFacts): string[] {
  const { t, w } = facts;
  const e = t.evidence;
  const name = `${plain(d.title)} (${code(d.name)})`;
  if (d.kind === 'postgres') {
    const f = d.fingerprints;
    return [
      name,
      d.inventoried ? e.tablesOf(w.count(d.tablesVerified ?? 0), w.count(d.tables ?? 0)) : t.phase.notInventoried,
      f?.ok ? w.dateTime(f.at) : e.never,
      f ? e.tableFingerprints(w.dateTime(f.at), f.ok) : e.noneRecorded,
    ];
  }
  const last = d.lastVerify
    ? e.lastVerify(
        code(`verify --mode ${d.lastVerify.mode}`),
        w.dateTime(d.lastVerify.at),
        w.plural(d.lastVerify.verified, ...t.nouns.object),
        w.plural(d.lastVerify.mismatches, ...t.nouns.mismatch),
      )
    : e.noneRecorded;
  return [
    name,
    d.inventoried ? t.overview.of(w.count(d.verifiedFull), w.count(d.objects)) : t.phase.notInventoried,
    d.lastFullVerifiedAt ? w.dateTime(d.lastFullVerifiedAt) : e.never,
    last,
  ];
}

function eventWords(facts: RunbookFacts, event: AuditEvent): string {
  const { t } = facts;
  const words = t.evidence.events;
  const role = event.details['role'];
  if (event.step === 'approve')
    return words.go(typeof role === 'string' && role in t.roles ? t.roles[role as keyof typeof t.roles] : '');
  if ((CUTOVER_STEPS as readonly string[]).includes(event.step)) return t.steps[event.step as CutoverStep];
  if (event.step === 'restart') return words.restart;
  const commands: Record<string, string> = {
    inventory: words.inventory,
    copy: words.copy,
    'verify-quick': words['verify-quick'],
    'verify-full': words['verify-full'],
    rehearse: words.rehearse,
  };
  if (commands[event.step]) return commands[event.step]!;
  if (event.step === 'rollback') return words.rollback;
  if (event.step.startsWith('rollback:')) return words.rollbackHook(event.step.slice('rollback:'.length));
  return plain(event.step);
}

const EVENTS_SHOWN = 40;

export function evidenceBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  const e = t.evidence;
  const id = phase.status.id;
  const events = phase.events.slice(-EVENTS_SHOWN);
  return [
    { kind: 'heading', level: 2, text: e.heading },
    { kind: 'paragraph', text: e.intro(code('sha256sum -c'), code('.cloudexit/manifest.sha256')) },
    { kind: 'heading', level: 3, text: e.manifests },
    { kind: 'table', head: e.manifestsHead, rows: phase.datasets.map((d) => manifestRow(facts, d, id)) },
    { kind: 'heading', level: 3, text: e.results },
    { kind: 'table', head: e.resultsHead, rows: phase.datasets.map((d) => verifyRow(facts, d)) },
    { kind: 'heading', level: 3, text: e.audit },
    {
      kind: 'paragraph',
      text: facts.auditHead
        ? e.auditHead(
            w.count(facts.auditHead.seq),
            code(facts.auditHead.hash),
            code(`npx cloudexit audit verify --expect-head ${facts.auditHead.hash}`),
            code('docs/audit.md'),
            code('jq'),
            code('sha256sum'),
          )
        : e.noAudit,
    },
    events.length === 0
      ? { kind: 'paragraph', text: e.noEvent(id) }
      : {
          kind: 'table',
          head: e.eventsHead,
          rows: events.map((x) => [
            w.count(x.seq),
            w.dateTime(x.time),
            plain(x.actor),
            eventWords(facts, x),
            plain(x.outcome),
          ]),
        },
    ...(phase.events.length > EVENTS_SHOWN
      ? [
          {
            kind: 'paragraph' as const,
            text: e.lastEvents(EVENTS_SHOWN, w.count(phase.events.length), id, code('npx cloudexit audit export')),
          },
        ]
      : []),
  ];
}

export function signOffBlocks(facts: RunbookFacts, phase: PhaseFacts): Block[] {
  const { t, w } = facts;
  return [
    { kind: 'heading', level: 2, text: t.signOff.heading },
    { kind: 'paragraph', text: t.signOff.intro },
    {
      kind: 'table',
      head: t.signOff.head,
      rows: OWNER_ROLES.map((role) => [w.capital(t.roles[role]), plain(phase.plan.owners[role]), '', '', '', '']),
    },
  ];
}
