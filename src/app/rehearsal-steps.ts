/**
 * The rehearsal's steps, each made of the use cases a migration runs in production, in the
 * order an operator runs them: inventory → copy → verify quick → verify full for the data;
 * every owner's go → cutover for each phase; the runbooks at the end.
 */
import { join } from 'node:path';
import { OWNER_ROLES } from '../cutover/gates.ts';
import { INSTALL_HINT } from '../databases/binaries.ts';
import { UserError } from '../errors.ts';
import type { ProgressSink } from '../progress.ts';
import type { Clock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import { isObjectDataset, type Dataset } from '../plan/schema.ts';
import { approve } from './approve.ts';
import { copy } from './copy.ts';
import { cutover } from './cutover.ts';
import { inventory } from './inventory.ts';
import { withPlanAndState } from './plan-state.ts';
import type { Moved, PhaseRehearsal } from './rehearsal-report.ts';
import { runbooks } from './runbook.ts';
import type { LimitOverrides } from './limits.ts';
import { verify } from './verify.ts';

/** What every use case of a rehearsal is given: the staged plan and state, and the caller's run options. */
export interface RehearsalRun extends LimitOverrides {
  plan: LoadedPlan;
  state: string;
  evidence: string;
  env: NodeJS.ProcessEnv;
  progress: ProgressSink;
  signal: AbortSignal | undefined;
  actor: string;
  clock: Clock;
}

/** Inventory, copy, quick then full verification of the selected datasets. */
export async function moveData(
  run: RehearsalRun,
  selected: readonly Dataset[],
  phase: string | number | undefined,
): Promise<Moved> {
  // An empty list would select every dataset: say instead that there is nothing to do.
  if (selected.length === 0)
    throw new UserError('nothing left to rehearse: every selected dataset needs PostgreSQL', { fix: INSTALL_HINT });
  const selection = { dataset: selected.map((d) => d.name), phase };
  const objects = selected.filter(isObjectDataset).map((d) => d.name);
  const listed = await inventory({ ...run, ...selection });
  const copied = await copy({ ...run, ...selection, inventory: false });
  // PostgreSQL datasets verify the same way in either mode: once, in the full pass, is enough.
  const quick = objects.length > 0 ? await verify({ ...run, dataset: objects, phase, mode: 'quick' }) : undefined;
  const full = await verify({ ...run, ...selection, mode: 'full' });
  return { inventory: listed, copy: copied, quick, full };
}

/** Why a rehearsal cuts over without a parity report (recorded in the audit log as a waiver). */
export const REHEARSAL_PARITY_WAIVER = 'rehearsal on emulators: no stacks deployed';

/**
 * Every phase whose datasets were all rehearsed goes through the real cutover with the
 * plan's hooks (the example hooks write pointer files under `outDir/hooks`), after the go
 * of its four owners, recorded as given by the rehearsal, with the parity gate waived (no
 * stacks are deployed) and the commit decided up front. Nothing is cut over unless the
 * data moved clean.
 */
export async function cutOverPhases(
  run: RehearsalRun,
  rehearsed: ReadonlySet<string>,
  clean: boolean,
  outDir: string,
): Promise<PhaseRehearsal[]> {
  const results: PhaseRehearsal[] = [];
  for (const phase of run.plan.phases.filter((p) => p.datasets.every((d) => rehearsed.has(d)))) {
    if (!clean || run.signal?.aborted) {
      results.push({ id: phase.id, name: phase.name, state: 'planned', stoppedAt: undefined });
      continue;
    }
    for (const role of OWNER_ROLES) await approve({ ...run, phase: phase.id, owner: role });
    run.progress.note(`cutover of phase ${phase.id} (${phase.name}) with the plan's hooks`);
    const result = await cutover({
      ...run,
      phase: phase.id,
      hookStateDir: join(outDir, 'hooks'),
      parity: false,
      waiveParity: REHEARSAL_PARITY_WAIVER,
      commit: true,
    });
    results.push({ id: phase.id, name: phase.name, state: result.state, stoppedAt: result.stoppedAt });
  }
  return results;
}

/** Records the rehearsal's verdict in the audit log; returns the new head of the chain. */
export async function recordVerdict(
  run: RehearsalRun,
  ok: boolean,
  phase: string | number | undefined,
  details: Record<string, unknown>,
): Promise<string | undefined> {
  return withPlanAndState(run, { create: true }, async ({ state }) => {
    const event = await state.appendAudit({
      time: run.clock.now().toISOString(),
      actor: run.actor,
      phase: phase === undefined ? undefined : Number(phase),
      step: 'rehearse',
      outcome: ok ? 'succeeded' : 'failed',
      details,
    });
    return event.hash;
  });
}

/** The runbooks of the rehearsed migration, as its project managers would read them (of the plan as written). */
export async function writeRehearsalRunbooks(run: RehearsalRun, plan: LoadedPlan, outDir: string): Promise<string> {
  const folder = join(outDir, 'runbooks');
  await runbooks({
    plan,
    boundTo: run.plan,
    state: run.state,
    out: folder,
    evidence: run.evidence,
    html: true,
    parity: false,
  });
  return folder;
}
