/**
 * Status of the migration: phases, days left in the window, progress, projected dates and
 * risks, from the plan and the state. Reads only, unless `live` measures the replication
 * lag of logical PostgreSQL datasets now and records it. Without `live` the state is opened
 * read-only: a missing one reads as "not started" and no file or folder is created.
 */
import type { PostgresDataset } from '../plan/schema.ts';
import { SILENT } from '../progress.ts';
import { clockFromEnv, type Clock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import { fleetStatus, type FleetStatus } from '../report/fleet.ts';
import { migrationStatus, type MigrationStatus } from '../report/status.ts';
import type { StateStore } from '../state/state-store.ts';
import { loadParityReport, type ParityChoice } from './parity-report.ts';
import { withPlanAndState, type PlanOptions } from './plan-state.ts';

export interface StatusOptions extends PlanOptions {
  /**
   * The saved `cloudexit parity --json` report for the parity gate; `false` for none.
   * @default `.cloudexit/parity.json` when it exists
   */
  parity?: ParityChoice;
  /** Measure the replication lag of logical PostgreSQL datasets now (needs their passwords). @default false */
  live?: boolean | undefined;
  /** "Today": the window and the days left are counted from it. @default the system clock, or `CLOUDEXIT_NOW` when set */
  clock?: Clock | undefined;
  /** Where the database passwords are read (with `live`). @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
}

export interface StatusReport extends MigrationStatus {
  /** The state file read. */
  statePath: string;
  /** False when there is no state file yet: nothing has run (and none was created by looking). */
  started: boolean;
  /** The workers sharing a PostgreSQL state: leases, throughput, projection (absent for a SQLite state). */
  fleet?: FleetStatus | undefined;
}

/** The migration's status as of the clock: phases, window, throughput, projected dates, risks. */
export async function status(options: StatusOptions = {}): Promise<StatusReport> {
  // Looking must not create a state file; measuring the lag records it, so it may.
  return withPlanAndState(
    options,
    { create: options.live === true },
    async ({ plan, state, statePath, stateExists }) => {
      if (options.live) await measureLiveLag(plan, state, options.env ?? process.env);
      const report = await migrationStatus(
        plan,
        state,
        options.clock ?? clockFromEnv(),
        await loadParityReport(options.parity),
      );
      return { ...report, statePath, started: stateExists, fleet: await fleetStatus(state, report.phases) };
    },
  );
}

/** Connects to each logical PostgreSQL dataset and records its replication lag as of now. */
async function measureLiveLag(plan: LoadedPlan, state: StateStore, env: NodeJS.ProcessEnv): Promise<void> {
  const logical = plan.datasets.filter((d): d is PostgresDataset => d.kind === 'postgres' && d.method === 'logical');
  if (logical.length === 0) return;
  const { measureLag, openDatabase } = await import('../databases/operations.ts');
  for (const dataset of logical) await measureLag(openDatabase(dataset, { progress: SILENT }, env), { state });
}
