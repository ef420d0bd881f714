/**
 * What a project manager needs to know about each cutover step: who owns it, how we know it
 * worked, how long it should take (from the measured throughput), how to go back, and what
 * actually happened (from the phase record the state machine keeps), in the runbook's language.
 */
import type { OwnerRole } from '../../cutover/gates.ts';
import { secondsFor, type Throughput } from '../../plan/projection.ts';
import type { Hooks } from '../../plan/schema.ts';
import type { CutoverStep, PhaseRecord } from '../../phase-record.ts';
import { en } from '../i18n/en.ts';
import type { Messages } from '../i18n/catalog.ts';
import { code, plain } from './format.ts';
import type { PhaseFacts, RunbookFacts } from './model.ts';

/** The English step titles (the catalog's), for callers that write English only. */
export const STEP_TITLES: Record<CutoverStep, string> = en.steps;

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

function hookName(t: Messages, hooks: Hooks, hook: keyof Omit<Hooks, 'timeoutSeconds'>): string {
  const file = hooks[hook];
  return file ? t.stepText.hook(hook, code(file)) : t.stepText.noHook(hook);
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function successCriterion(t: Messages, step: CutoverStep, hooks: Hooks): string {
  const c = t.stepText.criterion;
  switch (step) {
    case 'preflight':
      return c.preflight;
    case 'freeze':
      return c.freeze(sentence(hookName(t, hooks, 'freeze')));
    case 'quiescence':
      return c.quiescence;
    case 'final-sync':
      return c.finalSync;
    case 'verify':
      return c.verify;
    case 'switch':
      return c.switch(sentence(hookName(t, hooks, 'switch')));
    case 'smoke-check':
      return hooks.smokeCheck ? c.smoke(sentence(hookName(t, hooks, 'smokeCheck'))) : c.noSmoke;
    case 'commit':
      return c.commit;
  }
}

/**
 * What an operator types or watches at each step: the one cutover command runs most of
 * them, so the column says what that run executes at this step (the hook's script, the
 * listing, the delta copy) and which command checks or resumes it.
 */
export function stepCommand(t: Messages, step: CutoverStep, phaseId: number, hooks: Hooks): string {
  const c = t.stepText.command;
  const cutover = code(`npx cloudexit cutover --phase ${phaseId}`);
  const hook = (name: 'freeze' | 'switch' | 'smokeCheck') => {
    const file = hooks[name];
    return file ? c.hook(code(file), cutover) : c.noHook(name);
  };
  switch (step) {
    case 'preflight':
      return cutover;
    case 'freeze':
      return hook('freeze');
    case 'quiescence':
      return c.quiescence(code('npx cloudexit status'));
    case 'final-sync':
      return c.finalSync(cutover);
    case 'verify':
      return c.verify(code(`npx cloudexit verify --mode quick --phase ${phaseId}`));
    case 'switch':
      return hook('switch');
    case 'smoke-check':
      return hook('smokeCheck');
    case 'commit':
      return c.commit(code(`npx cloudexit cutover --phase ${phaseId} --commit`));
  }
}

export function rollbackProcedure(t: Messages, step: CutoverStep, phaseId: number, hooks: Hooks): string {
  const r = t.stepText.rollback;
  const rollback = code(`npx cloudexit rollback --phase ${phaseId}`);
  const thaw = hooks.thaw ? r.thaw(hookName(t, hooks, 'thaw')) : r.noThaw;
  const back = hooks.rollback ? r.back(hookName(t, hooks, 'rollback')) : r.noBack;
  switch (step) {
    case 'preflight':
      return r.preflight;
    case 'freeze':
    case 'final-sync':
    case 'verify':
      return r.harmless(rollback, thaw);
    case 'quiescence':
      return r.quiescence(rollback, thaw);
    case 'switch':
    case 'smoke-check':
      return r.switched(rollback, back, thaw);
    case 'commit':
      return r.commit(rollback);
  }
}

/** Expected duration of a cutover step from the measured copy throughput, in hours and days. */
export function expectedDuration(
  facts: RunbookFacts,
  step: CutoverStep,
  phase: PhaseFacts,
  throughput: Throughput | undefined,
  hooks: Hooks,
): string {
  const { t, w } = facts;
  const d = t.stepText.duration;
  const hook = STEP_HOOKS[step];
  if (hook) {
    if (!hooks[hook]) return step === 'smoke-check' ? d.skipped : d.noHook;
    return d.hook(w.duration(hooks.timeoutSeconds));
  }
  if (step === 'preflight' || step === 'commit') return d.quick;
  const objects = sum(phase, 'objects');
  const inventoried = phase.datasets.every((x) => x.inventoried);
  if (step === 'quiescence') return inventoried ? d.listing(w.plural(objects, ...t.nouns.object)) : d.listingUnknown;
  if (phase.status.state !== 'committed' && !inventoried) return d.notInventoried;
  if (!throughput) return d.notMeasured;
  const notCopied = { bytes: sum(phase, 'notCopiedBytes'), objects: sum(phase, 'notCopiedObjects') };
  if (step === 'final-sync') {
    return d.finalSync(
      w.duration(secondsFor(notCopied.bytes, notCopied.objects, throughput)),
      w.plural(notCopied.objects, ...t.nouns.object),
      w.bytes(notCopied.bytes),
    );
  }
  // verify: the new objects are re-read in full, every object gets a quick check.
  return d.verify(w.duration(secondsFor(notCopied.bytes, objects, throughput)));
}

/** Expected duration of the preparation work still to do (bulk copy, full verification). */
export function preparationDuration(
  facts: RunbookFacts,
  kind: 'copy' | 'verify',
  phase: PhaseFacts,
  throughput: Throughput | undefined,
): string {
  const { t, w } = facts;
  const d = t.stepText.duration;
  const objects = kind === 'copy' ? sum(phase, 'notCopiedObjects') : sum(phase, 'objects') - sum(phase, 'verifiedFull');
  const bytes = kind === 'copy' ? sum(phase, 'notCopiedBytes') : sum(phase, 'bytes') - sum(phase, 'verifiedFullBytes');
  const inventoried = phase.datasets.every((x) => x.inventoried);
  if (phase.status.state === 'committed' || (inventoried && objects === 0 && bytes === 0)) return d.nothingLeft;
  if (!inventoried) return d.notInventoried;
  if (!throughput) return d.notMeasured;
  return d.left(
    w.duration(secondsFor(bytes, objects, throughput)),
    w.plural(objects, ...t.nouns.object),
    w.bytes(bytes),
  );
}

function sum(
  phase: PhaseFacts,
  field: 'objects' | 'bytes' | 'notCopiedBytes' | 'notCopiedObjects' | 'verifiedFull' | 'verifiedFullBytes',
): number {
  return phase.datasets.reduce((n, d) => n + d[field], 0);
}

/** What happened to a step, from the phase record. */
export function actualOutcome(facts: RunbookFacts, step: CutoverStep, record: PhaseRecord | undefined): string {
  const { t, w } = facts;
  const o = t.stepText.outcome;
  const done = record?.done.find((d) => d.step === step);
  if (done) {
    const what = o.done(w.dateTime(done.at), describeDone(facts, step, done.details));
    return record!.state === 'rolled-back' ? o.undone(what, w.dateTime(record!.updatedAt)) : what;
  }
  if (record?.failed?.step === step) {
    // The gates' own wording is for operators; the checklist above says the same for everyone.
    if (step === 'preflight' && record.failed.error.startsWith('no-go')) return o.noGo(w.dateTime(record.failed.at));
    const error = record.failed.error.length > 300 ? `${record.failed.error.slice(0, 300)}…` : record.failed.error;
    return o.stopped(w.dateTime(record.failed.at), plain(error));
  }
  return o.notRun;
}

function describeDone(facts: RunbookFacts, step: CutoverStep, details: Record<string, unknown>): string {
  const { t, w } = facts;
  const d = t.stepText.done;
  const list = (key: string) => (Array.isArray(details[key]) ? (details[key] as Record<string, unknown>[]) : []);
  const total = (items: Record<string, unknown>[], key: string) =>
    items.reduce((n, i) => n + (typeof i[key] === 'number' ? i[key] : 0), 0);
  switch (step) {
    case 'preflight':
      return d.preflight;
    case 'freeze':
      return typeof details['frozenAt'] === 'string' ? d.frozenAt(w.dateTime(details['frozenAt'])) : d.frozen;
    case 'quiescence':
      return d.quiescence;
    case 'final-sync':
      return d.finalSync(
        w.plural(total(list('synced'), 'copied'), ...t.nouns.object),
        w.bytes(total(list('synced'), 'bytes')),
      );
    case 'verify':
      return d.verify(w.count(total(list('verified'), 'full')), w.count(total(list('verified'), 'quick')));
    case 'switch':
      return d.switch;
    case 'smoke-check':
      return typeof details['skipped'] === 'string' ? d.skipped : d.passed;
    case 'commit':
      return d.commit;
  }
}
