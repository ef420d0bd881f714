/**
 * The English catalog of the runbooks: every word they write. The core sections (overview,
 * scope, schedule, checklist, steps, rollback, communication, evidence, sign-off, timeline)
 * come from en-core.ts; the rest are the cutover night, contacts, acceptance, hypercare,
 * decommissioning, document control, risk register, burn-down and glossary. `Messages` is
 * this object's type: the French catalog (fr.ts) must have every key, so a missing French
 * string is a compile error.
 */
import type { CutoverStep } from '../../phase-record.ts';
import type { RiskLevel } from '../../plan/governance.ts';
import { enCore } from './en-core.ts';

type Basis = 'fixed' | 'measured' | 'listing' | 'hook-timeout' | 'skipped' | 'unknown';
type Role = 'decisionMaker' | 'opsLead' | 'dataOwner' | 'dpo';

export const en = {
  ...enCore,
  roles: {
    decisionMaker: 'decision maker',
    opsLead: 'ops lead',
    dataOwner: 'data owner',
    dpo: 'data protection officer',
  } satisfies Record<Role, string>,
  steps: {
    preflight: 'Go/no-go check',
    freeze: 'Freeze writes at the source',
    quiescence: 'Check that nothing was written after the freeze',
    'final-sync': 'Final copy of what changed',
    verify: 'Verify the final copy',
    switch: 'Switch readers to the new host',
    'smoke-check': 'Smoke check on the new host',
    commit: 'Commit: the point of no return',
  } satisfies Record<CutoverStep, string>,
  yes: 'yes',
  no: 'no',
  none: 'none',
  unknown: 'unknown',
  placeholderNote: (count: number, n: string) =>
    `**To complete before the go/no-go**: ${n} ${count === 1 ? 'value is' : 'values are'} still the placeholder “À compléter / TBD” in the plan.`,
  night: {
    heading: 'Cutover night, timed',
    intro: (t0: string, day: string, rate: string) =>
      `Times are Europe/Paris. T0 is the freeze, at ${t0} on ${day} (${'`governance.freezeAt`'} in the plan). Expected lengths come from ${rate}; a hook's length is its timeout, an upper bound.`,
    rate: (perSecond: string, objects: string) => `the measured copy rate (${perSecond}/s, ${objects} objects/s)`,
    noRate: 'the measured copy rate, once a copy has run',
    head: ['T', 'Clock time', 'Step', 'Owner', 'Expected length', 'Based on'],
    goNoGo: 'Go/no-go meeting',
    notBefore: (time: string) => `not before ${time}`,
    basis: {
      fixed: 'fixed',
      measured: 'measured copy rate',
      listing: 'one listing of the source, 5,000 names a page',
      'hook-timeout': 'hook timeout (upper bound)',
      skipped: 'no hook: skipped',
      unknown: 'not known yet',
    } satisfies Record<Basis, string>,
    atMost: (len: string) => `at most ${len}`,
    freeze: (len: string) => `**Freeze**: no write at the source from the freeze to the end of the switch, ${len}.`,
    freezeUnknown: '**Freeze**: its length is known once the phase is listed and a copy measured.',
    downtime: (len: string) => `**Downtime** for readers, during the switch and the smoke check: at most ${len}.`,
    rollback: (deadline: string, len: string, how: string, back: string) =>
      `**Rollback deadline**: ${deadline}, the planned commit. A rollback takes ${len} (${how}), so the source is in service again by ${back} at the latest.`,
    rollbackTimed: 'timed in a rehearsal, from the plan',
    rollbackBound: 'upper bound from the thaw and rollback hook timeouts',
    withActual: (clock: string, at: string) => `${clock}; done ${at}`,
  },
  calendar: {
    heading: 'Calendar to decommissioning',
    intro: (closes: string) =>
      `From the bulk copy to the day the last copy at the source is gone, against the authorisation window, which closes on ${closes}.`,
    head: ['Milestone', 'Date', 'Against the window'],
    overviewHead: [
      'Phase',
      'Cutover and commit',
      'Hypercare ends',
      'Last copy at the source gone',
      'Residues kept by the provider until',
      'Against the window',
    ],
    bulk: 'Bulk copy ends',
    cutover: 'Cutover and commit',
    hypercareEnds: (days: string) => `Hypercare ends (${days} after the commit)`,
    decommission: 'Decommissioning of the source, after its own go',
    gone: 'Last copy at the source gone',
    residues: 'Provider residues expire (soft-deleted blobs, backups)',
    closes: 'Authorisation window closes',
    before: (days: string) => `${days} before it closes`,
    after: (days: string) => `**${days} after it closes**`,
    sameDay: '**the day it closes**',
    planned: (date: string) => `${date}, planned`,
    projected: (date: string) => `${date}, projected`,
    done: (date: string) => `${date}, done`,
    notYetKnown: 'not yet known',
  },
  contacts: {
    heading: 'Contacts and escalation',
    none: `The plan lists no contact: add them under ${'`governance.people`'}.`,
    head: ['Name', 'Role', 'Organisation', 'Phone', 'E-mail', 'On call'],
    escalationHeading: 'Escalation matrix',
    escalationIntro:
      'An incident the person on call cannot fix goes up one level after the time shown, counted from its start.',
    escalationNone: `The plan has no escalation matrix: add it under ${'`governance.escalation`'}.`,
    escalationHead: ['Level', 'Called after', 'Who', 'Phone', 'Decides or does'],
    afterMinutes: (minutes: number, len: string) => (minutes === 0 ? 'at once' : len),
    vendorHeading: 'Vendor support',
    vendorNone: `The plan names no vendor support: add Microsoft and OVHcloud under ${'`governance.vendorSupport`'}.`,
    vendorHead: ['Vendor', 'Services', 'Contract', 'How to open a ticket', 'Severity'],
  },
  goNoGo: {
    heading: 'Business go/no-go criteria',
    intro: (time: string) =>
      `Checked at the go/no-go meeting (${time}) beside the technical gates of the checklist, which cloudexit checks itself. One criterion not met is a no-go.`,
    none: `The plan has no business criterion: add them under ${'`governance.goNoGo`'}.`,
    item: (criterion: string, who: string) => `${criterion} (answered by the ${who}).`,
  },
  acceptance: {
    heading: 'User acceptance',
    intro:
      'After the smoke check and before the commit, the users check the new host and sign. Without their signature the commit is not decided.',
    none: `The plan lists no user check: add them under ${'`governance.acceptance.checks`'}.`,
    signHead: ['Role', 'Organisation', 'Name', 'Accepted (yes, no)', 'Date and time (Europe/Paris)', 'Signature'],
  },
  hypercare: {
    heading: 'Hypercare',
    intro: (days: string) =>
      `For ${days} after the commit the source is kept untouched, as the last way back; the contacts on call answer and incidents go through the escalation matrix.`,
    ends: (commit: string, end: string) => `Committed on ${commit}: hypercare ends on ${end}.`,
    planned: (end: string) => `With the commit as planned, hypercare ends on ${end}.`,
    exitIntro: 'It ends when every exit criterion holds:',
    defaults: [
      'No open incident of severity 1 or 2 on the new host',
      'Every user acceptance check signed',
      'A full verification of the phase on the new host after the commit, clean',
    ],
  },
  decommission: {
    heading: 'Decommissioning of the source',
    intro: (from: string, command: string) =>
      `From ${from}, after the hypercare, behind its own go (decision maker and data protection officer), and never before a full verification of the new host after the commit: ${command}. Each dataset gets a deletion certificate in the evidence folder, its SHA-256 in the audit log.`,
    head: [
      'Dataset',
      'Source',
      'Last copy at the source gone on',
      'Residues kept by the provider until',
      'Left at the source',
      'Deletion certificate',
    ],
    notYet: 'not yet',
    noResidue: 'none',
    certificate: (path: string, sha: string) => `${path}, SHA-256 ${sha}`,
  },
  documentControl: {
    heading: 'Document control',
    head: ['Field', 'Value'],
    document: 'Document',
    title: (phase: string) => `Cutover runbook, ${phase}`,
    version: 'Version',
    status: 'Status',
    draft: 'Draft until the four owners sign',
    author: 'Author',
    reviewers: 'Reviewers',
    change: 'Change reference',
    classification: 'Classification',
    describes: 'Describes',
    asOf: (at: string) => `the state as of ${at}`,
    planOnly: 'the plan alone, before anything ran',
    auditHead: 'Audit-log head',
    noAuditHead: 'none yet',
    generated: 'Written by',
    generator: (command: string) => `${command}, from the plan and the state; do not edit by hand`,
  },
  risks: {
    heading: 'Risk register',
    intro:
      'The plan’s own risks (R), then those the state reveals (the ones `cloudexit status` lists), the calendar and the placeholders left in the plan (S).',
    head: ['ID', 'Risk', 'Likelihood', 'Impact', 'Owner', 'Mitigation', 'Source'],
    level: { low: 'low', medium: 'medium', high: 'high' } satisfies Record<RiskLevel, string>,
    fromPlan: 'plan',
    fromState: 'state',
    fromCalendar: 'calendar',
    none: 'None found in the plan and the state.',
    rolledBack: (on: string, step: string) =>
      `The cutover was rolled back${on ? ` on ${on}` : ''}${step ? ` after the step “${step}” failed` : ''}: a new go is needed`,
    rolledBackMitigation: 'Find and fix the cause, then four new goes and a new date',
    plannedPassed: (day: string) => `Planned for ${day} and not committed`,
    plannedPassedMitigation: 'Set a new date inside the window and tell the users',
    afterDeadline: (day: string, deadline: string) =>
      `Bulk copy projected to end on ${day}, after the deadline ${deadline}`,
    afterPlanned: (day: string, planned: string) =>
      `Bulk copy projected to end on ${day}, after the planned cutover on ${planned}`,
    slowMitigation: 'Add copy workers or bandwidth, or move the cutover within the window',
    decommissionLate: (day: string, closes: string) =>
      `Decommissioning planned from ${day}: the data would stay on Azure after the window closes on ${closes}`,
    decommissionLateMitigation: 'Shorten the hypercare or bring the cutover forward',
    placeholders: (count: number, n: string) =>
      `${n} ${count === 1 ? 'value' : 'values'} of the plan still the placeholder “À compléter / TBD”: contacts, contracts or document control`,
    placeholdersMitigation: 'Fill in the plan’s governance section before the go/no-go',
  },
  burndown: {
    heading: 'Burn-down',
    intro:
      'What is still to move and to verify in full at the end of each day, from the recorded runs, against the planned cutovers and the end of the window.',
    none: 'Drawn once a copy has run.',
    head: ['Day', 'Objects to move', 'Bytes to move', 'Objects to verify', 'Bytes to verify'],
    toMove: 'to move',
    toVerify: 'to verify in full',
    bytesTitle: 'Bytes still to move and to verify',
    objectsTitle: 'Objects still to move and to verify',
    cutover: (id: number) => `Phase ${id}`,
    closes: 'Window closes',
  },
  glossary: {
    heading: 'Glossary',
    head: ['Term', 'Meaning'],
    terms: [
      [
        'SHA-256',
        'A fingerprint of a file’s bytes: one changed byte gives another fingerprint. Each object’s is computed while it is copied and compared after.',
      ],
      [
        'ETag',
        'The label a storage service gives a stored object; for simple uploads, the MD5 of its bytes. Checked in the quick verification.',
      ],
      [
        'Manifest',
        'The list of every object with its SHA-256, in the format `sha256sum -c` reads; the evidence of a dataset.',
      ],
      ['Freeze', 'The moment from which nobody can write to the source, so that the final copy misses nothing.'],
      ['Downtime', 'The time readers wait while they are switched to the new host and it is checked.'],
      ['T0, T−60 min', 'The freeze, and times counted from it.'],
      ['Go/no-go', 'The meeting and the check where the owners decide whether the cutover goes ahead.'],
      ['Point of no return', 'The commit: after it the new host is the reference copy and a rollback is refused.'],
      ['Rollback', 'The way back to the source before the commit: writes allowed again there, readers pointed back.'],
      ['User acceptance', 'The users’ check that the new host works for them, signed before the commit.'],
      ['Hypercare', 'The days after the commit when the source is kept and the team watches closely.'],
      ['Decommissioning', 'Deleting the source once the hypercare is over, with a deletion certificate per dataset.'],
      ['Residues', 'What the provider keeps after a deletion (soft-deleted blobs, backups) until a known date.'],
      ['Audit-log head', 'The hash of the last event of the hash-chained audit log; written on each signature.'],
    ] as [string, string][],
  },
  headings: {
    contents: 'Contents',
  },
};

export type Messages = typeof en;
