/**
 * Going back to the source before the point of no return: the rollback hook points
 * readers at the source again (when a switch may have happened), the thaw hook re-allows
 * writes (when a freeze may have happened). After the commit, rollback refuses: the target
 * has become the reference copy and writes may already have gone to it.
 */
import type { Clock } from '../plan/clock.ts';
import type { Hooks, Phase } from '../plan/schema.ts';
import type { PhaseRecord } from '../phase-record.ts';
import { redact } from '../secrets/redact.ts';
import type { AuditLog } from '../state/contracts/audit.ts';
import type { PhaseStore } from '../state/contracts/phases.ts';
import type { DatabaseCutover } from '../databases/operations.ts';
import { audit, type RollbackHook } from './audit-entry.ts';
import { currentRecord } from './current-record.ts';
import type { RunHook } from './deps.ts';
import type { HookName } from './hook-env.ts';

export interface RollbackDeps {
  state: PhaseStore & AuditLog;
  phase: Phase;
  hooks: Hooks;
  runHook: RunHook;
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
  const hooksRun: HookName[] = [];
  const base = { phaseId: deps.phase.id, hooksRun };
  if (record.state === 'committed') {
    const at = record.done.find((d) => d.step === 'commit')?.at ?? record.updatedAt;
    const message =
      `phase ${deps.phase.id} was committed on ${at}: that was the point of no return. The target is now the reference copy ` +
      'and may already hold writes the source never saw, so switching back would lose them. Returning to the source now means a new, reverse migration.';
    await audit(deps, { step: 'rollback', outcome: 'refused', details: { reason: message } });
    return { ...base, outcome: 'refused', message };
  }
  const touched = (step: 'freeze' | 'switch') =>
    record.done.some((d) => d.step === step) || record.failed?.step === step;
  if (record.state !== 'in-progress' && !record.failed) {
    return {
      ...base,
      outcome: 'nothing-to-do',
      message: `phase ${deps.phase.id} is ${record.state}: no cutover step has run, nothing to roll back`,
    };
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
  await audit(deps, {
    step: 'rollback',
    outcome: 'succeeded',
    details: { hooks: base.hooksRun, undone: record.done.map((d) => d.step) },
  });
  return {
    ...base,
    outcome: 'rolled-back',
    message: `phase ${deps.phase.id} is back on the source (${base.hooksRun.length ? `ran ${base.hooksRun.join(', ')}` : 'no hook needed'}); a new cutover needs a new go from every owner`,
  };
}

async function runLogged(deps: RollbackDeps, name: RollbackHook, record: PhaseRecord): Promise<void> {
  try {
    const hook = await deps.runHook(name, { step: 'rollback', frozenAt: record.frozenAt });
    await audit(deps, { step: `rollback:${name}`, outcome: 'succeeded', details: { hook } });
  } catch (err) {
    const error = redact(err instanceof Error ? err.message : String(err));
    await audit(deps, { step: `rollback:${name}`, outcome: 'failed', details: { error } });
    throw err;
  }
}
