/**
 * Rollback of a phase to the source, at any point before the commit: the rollback hook
 * when readers may have been switched, the thaw hook when the source was frozen. After the
 * commit it refuses, and says why. Needs no object-store secret: only the phase's
 * PostgreSQL datasets are opened (to thaw them).
 */
import { rollbackPhase, type RollbackResult } from '../cutover/rollback.ts';
import { SILENT } from '../progress.ts';
import { clockFromEnv } from '../plan/clock.ts';
import type { Phase, PostgresDataset } from '../plan/schema.ts';
import { phaseDatabaseCutovers } from './databases.ts';
import { withPhaseLock } from './phase-leader.ts';
import { currentActor, planHookRunner } from './hooks.ts';
import { planOf, withPlanAndState, type PlanAndState, type PlanOptions } from './plan-state.ts';
import { phaseOf } from './selection.ts';
import type { RunOptions } from './session.ts';

export interface RollbackOptions extends PlanOptions, RunOptions {
  /** The phase to roll back (its id). */
  phase: string | number;
  /** `CLOUDEXIT_STATE_DIR` for the hooks. @default `.cloudexit/hooks` */
  hookStateDir?: string | undefined;
}

/** `rolled-back`, `nothing-to-do` or `refused` (after the commit), with the hooks run and a message. */
export type RollbackReport = RollbackResult;

/** Returns the phase to the source, or refuses after its commit (`outcome: 'refused'`). */
export async function rollback(options: RollbackOptions): Promise<RollbackReport> {
  // A phase the plan does not have is bad input: refused before the state is created.
  const loaded = await planOf(options.plan);
  const phase = phaseOf(loaded, options.phase);
  return withPlanAndState({ ...options, plan: loaded }, { create: true }, ({ plan, state, evidenceDir }) =>
    // Single-leader: refused before its run is recorded while another process holds the phase.
    withPhaseLock(state, phase.id, `rollback ${phase.id}`, async () => {
      const runId = await state.startRun({ command: `rollback ${phase.id}`, scope: `phase ${phase.id}` });
      let result: RollbackResult | undefined;
      try {
        result = await rollbackInRun({ plan, state, evidenceDir }, phase, runId, options);
        return result;
      } finally {
        await state.finishRun(runId, result && result.outcome !== 'refused' ? 'succeeded' : 'failed', {
          objects: 0,
          bytes: 0,
          failed: 0,
        });
      }
    }),
  );
}

async function rollbackInRun(
  opened: Omit<PlanAndState, 'statePath'>,
  phase: Phase,
  runId: string,
  options: RollbackOptions,
): Promise<RollbackResult> {
  const { plan, state, evidenceDir } = opened;
  const env = options.env ?? process.env;
  const databases = await phaseDatabaseCutovers(
    phase,
    plan.datasets.filter((d): d is PostgresDataset => d.kind === 'postgres'),
    {
      state,
      progress: options.progress ?? SILENT,
      evidenceDir,
      signal: options.signal,
      env,
    },
  );
  return rollbackPhase({
    databases,
    state,
    phase,
    hooks: plan.hooks,
    clock: options.clock ?? clockFromEnv(env),
    actor: options.actor ?? currentActor(env),
    runHook: planHookRunner(plan, phase, runId, {
      ...(options.hookStateDir ? { stateDir: options.hookStateDir } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  });
}
