/**
 * Going back to the source before the point of no return: the rollback hook points
 * readers at the source again (when a switch may have happened), the thaw hook re-allows
 * writes (when a freeze may have happened). After the commit, rollback refuses: the target
 * has become the reference copy and writes may already have gone to it.
 */
import type { Clock } from '../plan/clock.ts';
import type { Hooks, Phase } from '../plan/schema.ts';
import { redact } from '../secrets/redact.ts';
import type { PhaseRecord, StateStore } from '../state/state-store.ts';
import { audit, currentRecord, type HookName, type HookOutcome } from './machine.ts';
import type { DatabaseCutover } from '../databases/operations.ts';

export interface RollbackDeps {
  state: StateStore;
  phase: Phase;
  hooks: Hooks;
  runHook(name: HookName, context: { step: string; frozenAt: string | undefined }): Promise<HookOutcome>;
  clock: Clock;
  actor: string;
  /** The phase's PostgreSQL datasets, thawed when the phase was frozen. @default [] */
  databases?: readonly DatabaseCutover[];
}

export interface RollbackResult {
  phaseId: number;
  /** `rolled-back`, `nothing-to-do` (no step had run), or `refused` (committed). */
  outcome: 'rolled-back' | 'nothing-to-do' | 'refused';
  hooksRun: HookName[];
  message: string;
}

export async function rollbackPhase(deps: RollbackDeps): Promise<RollbackResult> {
  const now = () => deps.clock.now().toISOString();
  const record = await currentRecord(deps.state, deps.phase.id, now());
  const base = { phaseId: deps.phase.id, hooksRun: [] as HookName[] };
  if (record.state === 'committed') {
    const at = record.done.find((d) => d.step === 'commit')?.at ?? record.updatedAt;
    const message = `phase ${deps.phase.id} was committed on ${at}: that was the point of no return. The target is now the reference copy ` +
      'and may already hold writes the source never saw, so switching back would lose them. Returning to the source now means a new, reverse migration.';
    await audit(deps, 'rollback', 'refused', { reason: message });
    return { ...base, outcome: 'refused', message };
  }
  const touched = (step: 'freeze' | 'switch') => record.done.some((d) => d.step === step) || record.failed?.step === step;
  if (record.state !== 'in-progress' && !record.failed) {
    return { ...base, outcome: 'nothing-to-do', message: `phase ${deps.phase.id} is ${record.state}: no cutover step has run, nothing to roll back` };
  }
  // A failed switch or freeze may have half-happened: undo it too (hooks must be idempotent).
  if (touched('switch') && deps.hooks.rollback) {
    await runLogged(deps, 'rollback', record);
    base.hooksRun.push('rollback');
  }
  if (touched('freeze') && deps.hooks.thaw) {
    await runLogged(deps, 'thaw', record);
    base.hooksRun.push('thaw');
  }
  if (touched('freeze')) for (const db of deps.databases ?? []) await db.thaw();
  const rolled: PhaseRecord = { ...record, state: 'rolled-back', approvals: [], updatedAt: now() };
  await deps.state.putPhase(rolled);
  await audit(deps, 'rollback', 'succeeded', { hooks: base.hooksRun, undone: record.done.map((d) => d.step) });
  return {
    ...base, outcome: 'rolled-back',
    message: `phase ${deps.phase.id} is back on the source (${base.hooksRun.length ? `ran ${base.hooksRun.join(', ')}` : 'no hook needed'}); a new cutover needs a new go from every owner`,
  };
}

async function runLogged(deps: RollbackDeps, name: 'rollback' | 'thaw', record: PhaseRecord): Promise<void> {
  try {
    const hook = await deps.runHook(name, { step: 'rollback', frozenAt: record.frozenAt });
    await audit(deps, `rollback:${name}`, 'succeeded', { hook });
  } catch (err) {
    const error = redact(err instanceof Error ? err.message : String(err));
    await audit(deps, `rollback:${name}`, 'failed', { error });
    throw err;
  }
}
