/**
 * The plan and its state store, without secrets or adapters: what the use cases that only
 * read or record decisions (status, runbook, approvals, rollback, audit) open.
 */
import { existsSync } from 'node:fs';
import { loadPlan, type LoadedPlan } from '../plan/load.ts';
import { openSqliteStateStore } from '../state/sqlite.ts';
import type { StateStore } from '../state/state-store.ts';
import { DEFAULT_PLAN, migrationPaths, type MigrationPaths } from './paths.ts';

/** Which migration: its plan and its state. */
export interface PlanOptions {
  /** The plan file, or a plan already loaded (and possibly adjusted, as the rehearsal does). @default `runbooks/emc2/plan.yaml` */
  plan?: string | LoadedPlan | undefined;
  /** The state database. @default `.cloudexit/<migration>.db` */
  state?: string | undefined;
  /** Folder for manifests and fingerprints. @default `.cloudexit/evidence/<migration>` */
  evidence?: string | undefined;
}

export async function planOf(plan: PlanOptions['plan']): Promise<LoadedPlan> {
  return typeof plan === 'object' ? plan : loadPlan(plan ?? DEFAULT_PLAN);
}

export interface PlanAndState extends MigrationPaths {
  plan: LoadedPlan;
  state: StateStore;
}

/**
 * Opens the plan and its state. With `create` false, a missing state file reads as an
 * empty migration (in memory) instead of being created by merely looking at it.
 */
export async function openPlanAndState(options: PlanOptions, { create }: { create: boolean }): Promise<PlanAndState> {
  const plan = await planOf(options.plan);
  const paths = migrationPaths(plan, options);
  const state = await openSqliteStateStore(!create && !existsSync(paths.statePath) ? ':memory:' : paths.statePath);
  return { plan, state, ...paths };
}

/** Runs `work` on the opened plan and state, and closes the state whatever happens. */
export async function withPlanAndState<T>(
  options: PlanOptions,
  open: { create: boolean },
  work: (opened: PlanAndState) => Promise<T>,
): Promise<T> {
  const opened = await openPlanAndState(options, open);
  try {
    return await work(opened);
  } finally {
    await opened.state.close();
  }
}
