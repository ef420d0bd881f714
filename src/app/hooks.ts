/**
 * Binds the cutover state machine's hook seam to the real runner: the plan names the
 * script, the phase and run give the documented CLOUDEXIT_* environment, the plan's
 * timeout bounds it.
 */
import { userInfo } from 'node:os';
import { hookContextFromPlan, hookEnvironment, runHook } from '../cutover/hooks.ts';
import type { HookName, HookOutcome } from '../cutover/machine.ts';
import type { LoadedPlan } from '../plan/load.ts';
import type { Phase } from '../plan/schema.ts';

export interface PlanHookOptions {
  /** `CLOUDEXIT_STATE_DIR` for the hooks. @default `.cloudexit/hooks` */
  stateDir?: string;
  /** Stops a running hook (reported as cancelled) when aborted. @default never */
  signal?: AbortSignal;
}

/** The cutover's `runHook` for one phase and run: the plan's script, its environment, its timeout. */
export function planHookRunner(plan: LoadedPlan, phase: Phase, runId: string, options: PlanHookOptions = {}) {
  return async (name: HookName, context: { step: string; frozenAt: string | undefined }): Promise<HookOutcome> => {
    const script = plan.hooks[name];
    if (!script) throw new Error(`the plan has no ${name} hook (hooks.${name} in ${plan.file})`);
    const env = hookEnvironment(
      hookContextFromPlan(plan, phase, {
        step: context.step,
        runId,
        frozenAt: context.frozenAt,
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      }),
    );
    const result = await runHook({
      name,
      script,
      env,
      timeoutMs: plan.hooks.timeoutSeconds * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { script: result.script, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  };
}

/** Who runs the command, for the audit log: `CLOUDEXIT_ACTOR` when set (CI, a named operator), else the OS user. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env['CLOUDEXIT_ACTOR']) return env['CLOUDEXIT_ACTOR'];
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
