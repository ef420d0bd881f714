/**
 * What a project manager needs to know about each cutover step: who owns it, how we know it
 * worked, how long it should take (from the measured throughput), how to go back, and what
 * actually happened (from the phase record the state machine keeps).
 */
import type { OwnerRole } from '../../cutover/gates.ts';
import { secondsFor, type Throughput } from '../../plan/projection.ts';
import type { Hooks } from '../../plan/schema.ts';
import type { CutoverStep, PhaseRecord } from '../../phase-record.ts';
import { code, count, formatBytes, humanDuration, parisDateTime, plain, plural } from './format.ts';
import type { PhaseFacts } from './model.ts';

export const STEP_TITLES: Record<CutoverStep, string> = {
  preflight: 'Go/no-go check',
  freeze: 'Freeze writes at the source',
  quiescence: 'Check that nothing was written after the freeze',
  'final-sync': 'Final copy of what changed',
  verify: 'Verify the final copy',
  switch: 'Switch readers to the new host',
  'smoke-check': 'Smoke check on the new host',
  commit: 'Commit: the point of no return',
};

export const STEP_OWNERS: Record<CutoverStep, OwnerRole> = {
  preflight: 'decisionMaker',
  freeze: 'opsLead',
  quiescence: 'opsLead',
  'final-sync': 'opsLead',
  verify: 'dataOwner',
  switch: 'opsLead',
  'smoke-check': 'dataOwner',
  commit: 'decisionMaker',
};

const STEP_HOOKS: Partial<Record<CutoverStep, 'freeze' | 'switch' | 'smokeCheck'>> = {
  freeze: 'freeze',
  switch: 'switch',
  'smoke-check': 'smokeCheck',
};

function hookName(hooks: Hooks, hook: keyof Omit<Hooks, 'timeoutSeconds'>): string {
  return hooks[hook] ? `the ${hook} hook (${code(hooks[hook])})` : `the ${hook} hook (not in the plan)`;
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function successCriterion(step: CutoverStep, hooks: Hooks): string {
  switch (step) {
    case 'preflight':
      return 'Every item of the checklist holds: bulk copy complete, full verification clean, stacks equivalent with every gap accepted in the plan (or the parity gate waived, with a reason), the go of all four owners, freeze and switch hooks configured and their files found.';
    case 'freeze':
      return `${sentence(hookName(hooks, 'freeze'))} ends with success: nobody can write to the source any more. The time of the freeze is recorded.`;
    case 'quiescence':
      return 'The source is listed again and no object was written after the freeze.';
    case 'final-sync':
      return 'Every object added or changed since the bulk copy is on the new host; none failed.';
    case 'verify':
      return 'What the final copy brought is read again on the new host and its SHA-256 matches; every other object passes the quick check (size, ETag, stored SHA-256). No mismatch, nothing left to copy.';
    case 'switch':
      return `${sentence(hookName(hooks, 'switch'))} ends with success: readers use the new host.`;
    case 'smoke-check':
      return hooks.smokeCheck
        ? `${sentence(hookName(hooks, 'smokeCheck'))} ends with success: the application works against the new host.`
        : 'The plan has no smoke-check hook: the step is recorded as skipped. Check the application by hand before the commit.';
    case 'commit':
      return 'The commit, given once the smoke check passed, is recorded in the state and the audit log: the new host is the reference copy.';
  }
}

export function rollbackProcedure(step: CutoverStep, phaseId: number, hooks: Hooks): string {
  const rollback = code(`npx cloudexit rollback --phase ${phaseId}`);
  const thaw = hooks.thaw
    ? `runs ${hookName(hooks, 'thaw')}: writes are allowed at the source again`
    : 'finds no thaw hook in the plan: allow writes at the source again by hand';
  const back = hooks.rollback
    ? `runs ${hookName(hooks, 'rollback')} to point readers back at the source, then`
    : 'finds no rollback hook in the plan: point readers back at the source by hand; it then';
  switch (step) {
    case 'preflight':
      return 'Nothing to undo: nothing was changed. Fix what the checklist shows, then run the cutover again.';
    case 'freeze':
    case 'final-sync':
    case 'verify':
      return `${rollback} ${thaw}. The source stays the reference copy; what is on the new host is harmless and is copied over again at the next attempt.`;
    case 'quiescence':
      return `${rollback} ${thaw}. Find out why the freeze did not hold before trying again.`;
    case 'switch':
    case 'smoke-check':
      return `${rollback} ${back} ${thaw}.`;
    case 'commit':
      return `None. After the commit, ${rollback} refuses: the new host may already hold writes the source never saw. Going back means a new migration in the other direction.`;
  }
}

/** Expected duration of a cutover step from the measured copy throughput, in hours and days. */
export function expectedDuration(
  step: CutoverStep,
  phase: PhaseFacts,
  throughput: Throughput | undefined,
  hooks: Hooks,
): string {
  const hook = STEP_HOOKS[step];
  if (hook) {
    if (!hooks[hook]) return step === 'smoke-check' ? 'none: skipped' : 'cannot run: no hook in the plan';
    return `as long as the hook takes, at most ${humanDuration(hooks.timeoutSeconds)}`;
  }
  if (step === 'preflight' || step === 'commit') return 'under 1 min';
  const objects = sum(phase, 'objects');
  const inventoried = phase.datasets.every((d) => d.inventoried);
  if (step === 'quiescence')
    return inventoried
      ? `one listing of the source (${plural(objects, 'object')}); not measured`
      : 'one listing of the source; not measured';
  if (phase.status.state !== 'committed' && !inventoried) return 'unknown until the phase is inventoried';
  if (!throughput) return 'unknown until a copy is measured';
  const notCopied = { bytes: sum(phase, 'notCopiedBytes'), objects: sum(phase, 'notCopiedObjects') };
  if (step === 'final-sync') {
    return `${humanDuration(secondsFor(notCopied.bytes, notCopied.objects, throughput))} for what is not copied yet (${plural(notCopied.objects, 'object')}, ${formatBytes(notCopied.bytes)}), plus what changes before the freeze`;
  }
  // verify: the new objects are re-read in full, every object gets a quick check.
  return `${humanDuration(secondsFor(notCopied.bytes, objects, throughput))} at the measured rate (upper bound)`;
}

/** Expected duration of the preparation work still to do (bulk copy, full verification). */
export function preparationDuration(
  kind: 'copy' | 'verify',
  phase: PhaseFacts,
  throughput: Throughput | undefined,
): string {
  const objects = kind === 'copy' ? sum(phase, 'notCopiedObjects') : sum(phase, 'objects') - sum(phase, 'verifiedFull');
  const bytes = kind === 'copy' ? sum(phase, 'notCopiedBytes') : sum(phase, 'bytes') - sum(phase, 'verifiedFullBytes');
  const inventoried = phase.datasets.every((d) => d.inventoried);
  if (phase.status.state === 'committed' || (inventoried && objects === 0 && bytes === 0)) return 'nothing left to do';
  if (!inventoried) return 'unknown until the phase is inventoried';
  if (!throughput) return 'unknown until a copy is measured';
  return `${humanDuration(secondsFor(bytes, objects, throughput))} for ${plural(objects, 'object')} (${formatBytes(bytes)})`;
}

function sum(
  phase: PhaseFacts,
  field: 'objects' | 'bytes' | 'notCopiedBytes' | 'notCopiedObjects' | 'verifiedFull' | 'verifiedFullBytes',
): number {
  return phase.datasets.reduce((n, d) => n + d[field], 0);
}

/** What happened to a step, from the phase record. */
export function actualOutcome(step: CutoverStep, record: PhaseRecord | undefined): string {
  const done = record?.done.find((d) => d.step === step);
  if (done) {
    const what = `Done ${parisDateTime(done.at)}: ${describeDone(step, done.details)}`;
    return record!.state === 'rolled-back'
      ? `${what}; undone by the rollback of ${parisDateTime(record!.updatedAt)}`
      : what;
  }
  if (record?.failed?.step === step) {
    // The gates' own wording is for operators; the checklist above says the same for everyone.
    if (step === 'preflight' && record.failed.error.startsWith('no-go'))
      return `**Stopped** ${parisDateTime(record.failed.at)}: no-go, the checklist was not complete`;
    const error = record.failed.error.length > 300 ? `${record.failed.error.slice(0, 300)}…` : record.failed.error;
    return `**Stopped** ${parisDateTime(record.failed.at)}: ${plain(error)}`;
  }
  return 'Not run yet';
}

function describeDone(step: CutoverStep, details: Record<string, unknown>): string {
  const list = (key: string) => (Array.isArray(details[key]) ? (details[key] as Record<string, unknown>[]) : []);
  const total = (items: Record<string, unknown>[], key: string) =>
    items.reduce((n, i) => n + (typeof i[key] === 'number' ? i[key] : 0), 0);
  switch (step) {
    case 'preflight':
      return 'every gate open';
    case 'freeze':
      return typeof details['frozenAt'] === 'string'
        ? `source frozen at ${parisDateTime(details['frozenAt'])}`
        : 'source frozen';
    case 'quiescence':
      return 'no write after the freeze';
    case 'final-sync':
      return `${plural(total(list('synced'), 'copied'), 'object')} (${formatBytes(total(list('synced'), 'bytes'))}) copied`;
    case 'verify':
      return `${count(total(list('verified'), 'full'))} read again in full, ${count(total(list('verified'), 'quick'))} checked quickly, no mismatch`;
    case 'switch':
      return 'readers switched to the new host';
    case 'smoke-check':
      return typeof details['skipped'] === 'string' ? 'skipped, no smoke-check hook' : 'passed';
    case 'commit':
      return 'committed';
  }
}
