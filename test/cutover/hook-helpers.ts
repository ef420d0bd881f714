/** Shared by the hook tests: a temporary state folder and the context of a plan phase. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPlan, type LoadedPlan } from '../../src/plan/load.ts';
import { hookContextFromPlan, hookEnvironment } from '../../src/cutover/hooks.ts';

/** The repository root: the plan's hook paths are relative to it. */
export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(import.meta.dirname, 'fixtures');

export async function samplePlan(): Promise<LoadedPlan> {
  return loadPlan(join(ROOT, 'runbooks/emc2/plan.yaml'));
}

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'cloudexit-hooks-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The documented variables of one phase of the sample plan, hooks' state in `stateDir`. */
export function phaseEnv(
  plan: LoadedPlan,
  phaseId: number,
  step: string,
  stateDir: string,
  frozenAt?: string,
): Record<string, string> {
  const phase = plan.phases.find((p) => p.id === phaseId)!;
  return hookEnvironment(hookContextFromPlan(plan, phase, { step, runId: 'run-test-1', stateDir, frozenAt }));
}

/** A JSON file written by a hook: plain data, read field by field by the tests. */
export async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * True once `pid` no longer runs. A killed orphan stays a zombie until PID 1 reaps it,
 * and a container's PID 1 may never do so: a zombie has stopped running, so it counts.
 */
export async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return process.platform === 'linux';
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}
