/**
 * The English words of the runbooks' core sections: the overview, a phase's scope, schedule,
 * roles, checklist, steps, go/no-go, rollback, communication, evidence and sign-off, and the
 * timeline's labels. Part of the catalog `Messages` (en.ts); fr-core.ts is typed by it.
 */
import type { CommunicationMoment } from '../../plan/schema.ts';

type Role = 'decisionMaker' | 'opsLead' | 'dataOwner' | 'dpo';
type Noun = readonly [one: string, many: string];

export const enCore = {
  nouns: {
    object: ['object', 'objects'] as Noun,
    dataset: ['dataset', 'datasets'] as Noun,
    database: ['database', 'databases'] as Noun,
    table: ['table', 'tables'] as Noun,
    phase: ['phase', 'phases'] as Noun,
    year: ['year', 'years'] as Noun,
    day: ['day', 'days'] as Noun,
    mismatch: ['mismatch', 'mismatches'] as Noun,
    copyRun: ['copy run', 'copy runs'] as Noun,
  },
  list: (items: readonly string[]) =>
    items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`,
  state: {
    committed: 'Committed',
    rolledBack: 'Rolled back, a new go is needed',
    stopped: (step: string) => `Stopped at step “${step}”`,
    underWayAfter: (step: string) => `Cutover under way, done up to “${step}”`,
    underWay: 'Cutover under way',
    notStarted: 'Not started',
  },
  asOf: {
    none: 'The state records no run and no audit event yet, so this runbook describes the plan alone and counts no days left: it is never dated by the day it was generated. Pass `--as-of YYYY-MM-DD` to count days from a given day.',
    option: (at: string, option: string) => `Status as of **${at}**, the instant given with ${option}.`,
    state: (at: string) =>
      `Status as of **${at}**, the last activity recorded in the state (the latest run, audit event or phase update). The runbook does not depend on the day it is generated.`,
  },
  daysLeft: {
    notStarted: (closes: string) =>
      `The window closes on **${closes}**; days left are counted once the migration has started.`,
    closed: (days: string) => `it closed ${days} ago`,
    left: (n: number, days: string, today: string) => `**${days} left** as of ${today}`,
    sentence: (closes: string, left: string) => `The window closes on **${closes}**: ${left}.`,
  },
  overview: {
    intro: (migration: string, command: string, notStarted: boolean, asOf: string) =>
      `Cutover runbooks of the migration ${migration}, written by ${command} from the plan and the state. ${notStarted ? 'Status: **not started**. ' : ''}${asOf}`,
    window: 'Authorisation window',
    authorised: (on: string, years: string, reference: string) =>
      `Authorised on ${on} for ${years}${reference ? `: ${reference}` : ''}.`,
    deadline: (deadline: string, margin: string, fromToday: string) =>
      `Every phase must be committed by **${deadline}**, a safety margin of ${margin}${fromToday ? ` (${fromToday})` : ''}.`,
    fromToday: (days: string, today: string) => `${days} from ${today}`,
    committed: (n: string, phases: string, _total: string) => `${n} of ${phases} committed.`,
    rate: (bytes: string, objects: string, runs: string) =>
      `Measured copy rate: ${bytes}/s and ${objects} objects/s, from ${runs}.`,
    noRate: 'Measured copy rate: none yet; projected dates appear after the first finished copy.',
    timeline: 'Timeline',
    timelineNote:
      'Done bars come from the state, projected ones from the measured copy rate, planned milestones from the plan. Red marks the end of the authorisation window and whatever falls on or after it.',
    status: 'Status',
    statusHead: [
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
    allCopied: (objects: string) => `all (${objects})`,
    notInventoried: 'not inventoried yet',
    copied: (copied: string, objects: string, bytes: string, unlisted: string, unlistedCount: number) =>
      `${copied} of ${objects} (${bytes})${unlistedCount > 0 ? `; ${unlisted} not listed yet` : ''}`,
    notYet: 'not yet',
    of: (a: string, b: string) => `${a} of ${b}`,
    done: 'done',
    atRisk: ' **at risk**',
    phaseLink: (id: number) => `Phase ${id} runbook`,
    risks: 'Risks',
    noRisk: 'None found in the plan and the state.',
    phaseRunbooks: 'Phase runbooks',
    phaseItem: (link: string, state: string, planned: string, owner: string, role: string) =>
      `${link}: ${state}, planned for ${planned}; decided by ${owner} (${role}).`,
    audit: 'Audit log',
    auditHead: (seq: string, at: string, hash: string, command: string) =>
      `Head of the hash-chained audit log: event ${seq} of ${at}, hash ${hash}. Write it on every sign-off; ${command} checks a later log still contains it.`,
    noAudit: 'No audit event is recorded yet.',
    about: 'About these files',
    aboutText: (command: string, plan: string, state: string, out: string, initial: string, asOfDay: string) =>
      `Generated; do not edit by hand. The same plan and state always give the same files, so they are reviewed as diffs. Regenerate them with ${command} and the same ${plan}, ${state} and ${out} (${initial} for the plan before anything has run). Dates are calendar days in Europe/Paris${asOfDay ? `; "as of" is ${asOfDay}` : ''}.`,
    windowClosed: (closes: string) => `The authorisation window closed on ${closes}`,
    phaseRisk: (id: number, text: string) => `Phase ${id}: ${text}`,
    notInventoriedRisk: (phases: string, command: string, _count: number) =>
      `Phase ${phases} not inventoried yet: run ${command} to know what remains`,
    notMeasuredRisk: (command: string) => `No copy has been measured yet: run ${command} to measure the throughput`,
    migrationLate: (day: string, deadline: string) =>
      `The bulk copy is projected to end on ${day}, after the deadline ${deadline}`,
  },
  phase: {
    title: (id: number, name: string) => `Phase ${id}, ${name}`,
    intro: (id: number, title: string, state: string, asOf: string, daysLeft: string, back: string) =>
      `Runbook of phase ${id} of ${title}. State: **${state}**. ${asOf} ${daysLeft} ${back}.`,
    back: 'Back to the overview',
    purpose: 'Purpose and scope',
    objectsPart: (datasets: string, source: string, target: string) =>
      `${datasets} of files from Azure Blob Storage (${source}) to the S3 storage of the new host (${target})`,
    databasesPart: (databases: string) =>
      `${databases} from Azure Database for PostgreSQL to the new host's PostgreSQL`,
    everyObject: 'the SHA-256 of every object',
    everyTable: 'the fingerprints of every table',
    purposeText: (parts: string, proofs: string, planned: string) =>
      `Move ${parts}, prove that everything arrived (${proofs}), then make the new host the reference copy. Planned for ${planned}.`,
    scopeHead: {
      dataset: 'Dataset',
      source: 'Source',
      target: 'Target',
      objects: 'Objects',
      tables: 'Tables',
      size: 'Size',
    },
    notInventoried: 'not inventoried',
    total: (objects: string, tables: string, bytes: string, deleted: string) =>
      `In total ${objects}${tables ? ` and ${tables}` : ''}, ${bytes}.${deleted ? ` Deleted at the source since the first listing, kept on the new host: ${deleted}.` : ''}`,
    deletedOf: (objects: string, title: string) => `${objects} of ${title}`,
    notListed: (command: string) => `Objects and sizes appear once the source is listed: ${command}.`,
    schedule: 'Schedule',
    scheduleNote:
      'Planned dates come from the plan, projected ones from the measured copy rate (a bulk copy ending after the planned day moves the cutover with it), actual ones from the state.',
    scheduleHead: ['What', 'Planned', 'Projected', 'Actual'],
    atRisk: (date: string) => `${date} **at risk**`,
    unknown: 'unknown',
    bulkCopy: 'Bulk copy',
    fullVerification: 'Full verification',
    goOfFour: 'Go of the four owners',
    before: (date: string) => `before ${date}`,
    ends: (at: string, risk: boolean) => `ends ${at}${risk ? ' **at risk**' : ''}`,
    unknownUntilMeasured: 'unknown until a copy is measured',
    span: (from: string, to: string, underWay: boolean) => `${from} to ${to}${underWay ? ', under way' : ''}`,
    notStarted: 'not started',
    afterBulk: 'after the bulk copy',
    lastObject: (at: string, underWay: boolean) => `last object ${at}${underWay ? ', under way' : ''}`,
    goes: (n: string, of: string, last: string) => `${n} of ${of}, last ${last}`,
    noneYet: 'none yet',
    stopped: (at: string) => `stopped ${at}`,
    notRun: 'not run',
    roles: 'Roles',
    rolesHead: ['Role', 'Who', 'Decides or does', 'Go recorded'],
    duties: {
      decisionMaker: 'Gives the go or no-go; decides a rollback; signs the commit',
      opsLead: 'Runs the commands and the hooks; reports each step',
      dataOwner: 'Confirms the data are complete and usable on the new host',
      dpo: 'Confirms the move respects the authorisation and data protection; files the evidence',
    } satisfies Record<Role, string>,
    notYet: 'not yet',
  },
  checklist: {
    heading: 'Pre-cutover checklist',
    intro:
      "Read from the state as of the runbook's instant. The go/no-go check (the first cutover step) checks the same items again and refuses to go on while one fails (the stack parity only through an explicit waiver, recorded in the audit log).",
    listed: (objects: string, bytes: string) => `Source listed: ${objects}, ${bytes}.`,
    listedSome: (n: string, datasets: string, command: string) =>
      `Source listed for ${n} of ${datasets}: run ${command}.`,
    bulkDone: (objects: string) => `Bulk copy complete: every object is on the new host (${objects}).`,
    bulkWaits: (command: string) => `Bulk copy: starts once the source is listed, with ${command}.`,
    bulkPart: (copied: string, objects: string, command: string, left: string) =>
      `Bulk copy: ${copied} of ${objects} on the new host. Run ${command}; time left: ${left}.`,
    verifyDone: 'Full verification clean: every object was read again on the new host and its SHA-256 matched.',
    verifyWaits: (command: string) => `Full verification: after the bulk copy, with ${command}.`,
    verifyPart: (full: string, objects: string, command: string, left: string) =>
      `Full verification: ${full} of ${objects} read again and matched. Run ${command}; time left: ${left}.`,
    parityNone: (command: string) =>
      `Stack parity: no report saved: the go/no-go refuses to go on without one (or an explicit, audited waiver). Save one with ${command}.`,
    parityOk: 'Stack parity: the Azure and OVHcloud stacks are equivalent.',
    parityDiffers: (detail: string) => `Stack parity: **the stacks differ**. ${detail}.`,
    goDone: (role: string, owner: string, at: string) => `Go of the ${role}, ${owner}, recorded ${at}.`,
    goOpen: (role: string, owner: string, command: string) => `Go of the ${role}, ${owner}: ${command}.`,
    yourName: '<your name>',
    hooksOk: 'Freeze and switch hooks are configured in the plan.',
    hooksMissing: (detail: string) => `Hooks: ${detail}.`,
  },
  stepsSection: {
    heading: 'Steps',
    intro: (command: string, commit: string, status: string) =>
      `One command runs the steps in order up to the smoke check: ${command}. Each step is recorded in the state and the audit log before the next one starts. If a step fails, the cutover stops there and says why; once the cause is fixed, the same command starts again at that step. The commit, the point of no return, is a separate decision, taken once the smoke check passed: ${commit}. ${status} shows where it stands.`,
    head: ['#', 'Step', 'Command or script', 'Owner', 'Expected duration', 'Success criterion', 'Actual outcome'],
  },
  decision: {
    committed: 'The go was given and the phase is committed.',
    go: '**Go**: every gate is open as of this runbook.',
    noGo: (gates: string) => `**No-go** as of this runbook: ${gates} not ready (see the checklist).`,
    gates: {
      'bulk-copy': 'bulk copy',
      'full-verify': 'full verify',
      parity: 'parity',
      approvals: 'approvals',
      hooks: 'hooks',
    } as Record<string, string>,
    goNoGo: 'Go/no-go',
    goNoGoText: (role: string, owner: string, date: string, command: string, roles: string, verdict: string) =>
      `The ${role}, ${owner}, decides at a go/no-go meeting on ${date}, once every item of the checklist holds. Each owner records their go with ${command} (one person holds one role), role one of ${roles}. The cutover cannot start without all four. ${verdict}`,
    approveCommand: (id: number) => `npx cloudexit cutover --phase ${id} --approve <role> --as "<your name>"`,
    pointOfNoReturn: 'Point of no return',
    pointText: (rollback: string, passed: string) =>
      `The last step, the commit. Until then the source stays the reference copy and ${rollback} returns to it. After it, rollback refuses: the new host may hold writes the source never saw. ${passed}`,
    passed: (id: number, at: string) => `Phase ${id} passed it on ${at}.`,
    notPassed: 'Not passed yet.',
    rollback: 'Rollback',
    rollbackWho: (role: string) =>
      `Who decides: the ${role}. A rollback clears the go of every owner: a new attempt needs four new ones.`,
    rollbackHead: ['If it goes wrong at', 'How we go back'],
  },
  stepText: {
    hook: (hook: string, file: string) => `the ${hook} hook (${file})`,
    noHook: (hook: string) => `the ${hook} hook (not in the plan)`,
    criterion: {
      preflight:
        'Every item of the checklist holds: bulk copy complete, full verification clean, stacks equivalent with every gap accepted in the plan (or the parity gate waived, with a reason), the go of all four owners, freeze and switch hooks configured and their files found.',
      freeze: (hook: string) =>
        `${hook} ends with success: nobody can write to the source any more. The time of the freeze is recorded.`,
      quiescence: 'The source is listed again and no object was written after the freeze.',
      finalSync: 'Every object added or changed since the bulk copy is on the new host; none failed.',
      verify:
        'What the final copy brought is read again on the new host and its SHA-256 matches; every other object passes the quick check (size, ETag, stored SHA-256). No mismatch, nothing left to copy.',
      switch: (hook: string) => `${hook} ends with success: readers use the new host.`,
      smoke: (hook: string) => `${hook} ends with success: the application works against the new host.`,
      noSmoke:
        'The plan has no smoke-check hook: the step is recorded as skipped. Check the application by hand before the commit.',
      commit:
        'The commit, given once the smoke check passed, is recorded in the state and the audit log: the new host is the reference copy.',
    },
    rollback: {
      thaw: (hook: string) => `runs ${hook}: writes are allowed at the source again`,
      noThaw: 'finds no thaw hook in the plan: allow writes at the source again by hand',
      back: (hook: string) => `runs ${hook} to point readers back at the source, then`,
      noBack: 'finds no rollback hook in the plan: point readers back at the source by hand; it then',
      preflight: 'Nothing to undo: nothing was changed. Fix what the checklist shows, then run the cutover again.',
      harmless: (rollback: string, thaw: string) =>
        `${rollback} ${thaw}. The source stays the reference copy; what is on the new host is harmless and is copied over again at the next attempt.`,
      quiescence: (rollback: string, thaw: string) =>
        `${rollback} ${thaw}. Find out why the freeze did not hold before trying again.`,
      switched: (rollback: string, back: string, thaw: string) => `${rollback} ${back} ${thaw}.`,
      commit: (rollback: string) =>
        `None. After the commit, ${rollback} refuses: the new host may already hold writes the source never saw. Going back means a new migration in the other direction.`,
    },
    duration: {
      skipped: 'none: skipped',
      noHook: 'cannot run: no hook in the plan',
      hook: (max: string) => `as long as the hook takes, at most ${max}`,
      quick: 'under 1 min',
      listing: (objects: string) => `one listing of the source (${objects}); not measured`,
      listingUnknown: 'one listing of the source; not measured',
      notInventoried: 'unknown until the phase is inventoried',
      notMeasured: 'unknown until a copy is measured',
      finalSync: (len: string, objects: string, bytes: string) =>
        `${len} for what is not copied yet (${objects}, ${bytes}), plus what changes before the freeze`,
      verify: (len: string) => `${len} at the measured rate (upper bound)`,
      nothingLeft: 'nothing left to do',
      left: (len: string, objects: string, bytes: string) => `${len} for ${objects} (${bytes})`,
    },
    outcome: {
      done: (at: string, what: string) => `Done ${at}: ${what}`,
      undone: (what: string, at: string) => `${what}; undone by the rollback of ${at}`,
      noGo: (at: string) => `**Stopped** ${at}: no-go, the checklist was not complete`,
      stopped: (at: string, error: string) => `**Stopped** ${at}: ${error}`,
      notRun: 'Not run yet',
    },
    done: {
      preflight: 'every gate open',
      frozenAt: (at: string) => `source frozen at ${at}`,
      frozen: 'source frozen',
      quiescence: 'no write after the freeze',
      finalSync: (objects: string, bytes: string) => `${objects} (${bytes}) copied`,
      verify: (full: string, quick: string) => `${full} read again in full, ${quick} checked quickly, no mismatch`,
      switch: 'readers switched to the new host',
      skipped: 'skipped, no smoke-check hook',
      passed: 'passed',
      commit: 'committed',
    },
    command: {
      hook: (file: string, cutover: string) => `${file}, run by ${cutover}`,
      noHook: (hook: string) => `no ${hook} hook in the plan`,
      quiescence: (status: string) => `the same run lists the source again; follow it with ${status}`,
      finalSync: (cutover: string) => `the same run copies what changed; if it stops, ${cutover} resumes here`,
      verify: (verify: string) => `the same run verifies; to check again later: ${verify}`,
      commit: (commit: string) => `${commit} (a separate decision)`,
    },
  },
  communication: {
    heading: 'Communication',
    none: (key: string) => `The plan has no message for this phase: add them under ${key} in the plan.`,
    head: ['When', 'Who is told', 'What', 'Channel', 'Sent by'],
    when: (moment: string, timing: string) => (timing ? `${moment}: ${timing}` : moment),
    moments: {
      'before-freeze': 'Before the freeze',
      'go-no-go': 'At the go/no-go',
      'after-switch': 'After the switch',
      'after-commit': 'After the commit',
      'on-rollback': 'On a rollback',
    } satisfies Record<CommunicationMoment, string>,
  },
  evidence: {
    heading: 'Evidence',
    intro: (sha256sum: string, file: string) =>
      `What proves the phase worked, for the auditors (CNIL, HDS certification). Each manifest lists the SHA-256 of every object in the format ${sha256sum} reads; a copy of it sits next to the data on the new host (${file} under each dataset). Paths are relative to this file.`,
    manifests: 'Manifests',
    manifestsHead: [
      'Dataset',
      'Manifest file',
      'Objects listed',
      'SHA-256 of the manifest',
      'Same as in the audit log',
    ],
    notKept: 'not kept',
    tables: (n: string) => `${n} tables`,
    fingerprintsOf: (at: string) => `per-table fingerprints of ${at}`,
    notWrittenYet: 'not written yet',
    fingerprintsLater: 'per-table fingerprints, written by the verification of the database',
    notInEvidence: 'not in the evidence folder',
    writtenWhen: (command: string) => `written when the dataset is completely copied (${command})`,
    notRecorded: 'not recorded: the manifest was written outside a copy or verify command',
    same: (at: string) => `yes, ${at}`,
    differs: (at: string) => `**differs** from the one recorded ${at}: the file changed since`,
    results: 'Verification results',
    resultsHead: ['Dataset', 'Read again in full and matched', 'Last object verified in full', 'Last verify command'],
    tablesOf: (n: string, of: string) => `${n} of ${of} tables`,
    never: 'never',
    tableFingerprints: (at: string, ok: boolean) =>
      `table fingerprints ${at}: ${ok ? 'all matched' : '**mismatches**'}`,
    noneRecorded: 'none recorded',
    lastVerify: (command: string, at: string, objects: string, mismatches: string) =>
      `${command} ${at}: ${objects} verified, ${mismatches}`,
    audit: 'Audit log',
    auditHead: (seq: string, hash: string, command: string, doc: string, jq: string, sha256sum: string) =>
      `Head of the audit log as of this runbook: event ${seq}, hash ${hash}. ${command} checks the chain and that a later log still holds this event; ${doc} shows how to check it with ${jq} and ${sha256sum} alone.`,
    noAudit: 'No audit event is recorded yet.',
    noEvent: (id: number) => `No event about phase ${id} yet.`,
    eventsHead: ['Event', 'When', 'Who', 'What', 'Outcome'],
    lastEvents: (shown: number, total: string, id: number, command: string) =>
      `The last ${shown} of ${total} events about phase ${id}; ${command} gives them all.`,
    events: {
      go: (role: string) => `Go recorded${role ? `, ${role}` : ''}`,
      restart: 'New cutover attempt after a rollback',
      inventory: 'Listing of the source',
      copy: 'Copy',
      'verify-quick': 'Quick verification',
      'verify-full': 'Full verification',
      rehearse: 'Rehearsal',
      rollback: 'Rollback',
      rollbackHook: (hook: string) => `Rollback, ${hook} hook`,
    },
  },
  signOff: {
    heading: 'Sign-off',
    intro:
      'Each owner signs for the go, then for the commit (or the rollback), and writes down the audit-log head printed at that moment.',
    head: [
      'Role',
      'Name',
      'Decision (go, no-go, commit, rollback)',
      'Date and time (Europe/Paris)',
      'Audit-log head',
      'Signature',
    ],
  },
  timeline: {
    title: (title: string) => `${title} against the authorisation window`,
    window: 'Authorisation window',
    asOf: (day: string) => `As of ${day}`,
    deadline: (day: string) => `Deadline, every phase committed (${day})`,
    closes: (day: string) => `Window closes (${day})`,
    section: (id: number, name: string) => `Phase ${id}, ${name}`,
    copyDone: 'Bulk copy, done',
    copyProjected: (day: string) => `Bulk copy, projected to end ${day}`,
    copyUnderWay: 'Bulk copy, under way',
    cutoverCommitted: 'Cutover, committed',
    cutoverRolledBack: 'Cutover, rolled back',
    cutoverUnderWay: 'Cutover, under way',
    cutoverPlanned: (day: string) => `Cutover planned (${day})`,
    hypercare: (day: string) => `Hypercare, to ${day}`,
    decommission: (day: string) => `Decommissioning from ${day}`,
    gone: (day: string) => `Last copy at the source gone (${day})`,
  },
};

export type CoreMessages = typeof enCore;
