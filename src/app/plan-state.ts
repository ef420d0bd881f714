/**
 * The plan and its state store, without secrets or adapters: what the use cases that only
 * read or record decisions (status, runbook, approvals, rollback, audit) open.
 */
import { loadPlan, type LoadedPlan } from '../plan/load.ts';
import { describeStateLocation, openStateStore } from '../state/open.ts';
import type { StateStore } from '../state/state-store.ts';
import { bindToPlan, checkBoundToPlan } from './binding.ts';
import { DEFAULT_PLAN, migrationPaths, type MigrationPaths } from './paths.ts';

/** Which migration: its plan and its state. */
export interface PlanOptions {
  /** The plan file, or a plan already loaded (and possibly adjusted, as the rehearsal does). @default `runbooks/emc2/plan.yaml` */
  plan?: string | LoadedPlan | undefined;
  /** The state: a SQLite file or a `postgresql://` URL. @default `<plan folder>/.cloudexit/<migration>.db` */
  state?: string | undefined;
  /** Folder for manifests and fingerprints. @default `<plan folder>/.cloudexit/evidence/<migration>` */
  evidence?: string | undefined;
}

export async function planOf(plan: PlanOptions['plan']): Promise<LoadedPlan> {
  return typeof plan === 'object' ? plan : loadPlan(plan ?? DEFAULT_PLAN);
}

export interface PlanAndState extends MigrationPaths {
  plan: LoadedPlan;
  state: StateStore;
}

/** The plan and its state as `openPlanAndState` opened them. */
export interface OpenedPlanAndState extends PlanAndState {
  /** False when no state file exists yet: the migration has not started (and nothing was created). */
  stateExists: boolean;
}

/** How `openPlanAndState` opens the state. */
export interface OpenMode {
  /** Create the state if needed and bind it to the plan; false: read-only, nothing on disk created or changed. */
  create: boolean;
  /**
   * The plan the state must be bound to, when it is not the plan opened: the rehearsal
   * describes the plan as written on a state bound to that plan pointed at its emulators.
   * @default the plan opened
   */
  boundTo?: LoadedPlan | undefined;
}

/**
 * Opens the plan and its state, checked to be this plan's (a `BindingConflictError`, exit 2,
 * otherwise). With `create` true the state is created if needed and bound to the plan. With
 * `create` false it is opened read-only and nothing on disk is created or changed: a missing
 * state reads as a migration not started (an empty view, `exists` false), and the binding
 * is compared, not recorded.
 */
export async function openPlanAndState(
  options: PlanOptions,
  { create, boundTo }: OpenMode,
): Promise<OpenedPlanAndState> {
  const plan = await planOf(options.plan);
  const given = migrationPaths(plan, options);
  // What reports and --json show: a PostgreSQL URL without its password.
  const paths = { ...given, statePath: describeStateLocation(given.statePath) };
  if (create) {
    const state = await openStateStore(given.statePath);
    await bindToPlan(state, boundTo ?? plan);
    return { plan, state, stateExists: true, ...paths };
  }
  const state = await openStateStore(given.statePath, { readOnly: true });
  try {
    await checkBoundToPlan(state, boundTo ?? plan);
  } catch (err) {
    await state.close();
    throw err;
  }
  return { plan, state, stateExists: state.exists, ...paths };
}

/** Runs `work` on the opened plan and state, and closes the state whatever happens. */
export async function withPlanAndState<T>(
  options: PlanOptions,
  open: OpenMode,
  work: (opened: OpenedPlanAndState) => Promise<T>,
): Promise<T> {
  const opened = await openPlanAndState(options, open);
  try {
    return await work(opened);
  } finally {
    await opened.state.close();
  }
}
