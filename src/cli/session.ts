/**
 * What every data command (inventory, copy, verify, rehearse) sets up the same way: the
 * plan, the datasets selected with `--dataset` / `--phase`, the state store, the run
 * record, the engine context, and Ctrl-C. A first Ctrl-C stops new work and lets work in
 * flight be recorded; a second one exits at once (the state is safe either way).
 */
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ByteBudget } from '../engine/byte-budget.ts';
import { createBandwidthLimiter } from '../engine/bandwidth.ts';
import type { EngineContext, EngineDataset } from '../engine/context.ts';
import { loadPlan, type LoadedPlan } from '../plan/load.ts';
import { isObjectDataset, type Dataset, type PostgresDataset } from '../plan/schema.ts';
import type { DatabaseHandle, DatabaseOpsContext } from '../databases/operations.ts';
import { resolveConnection } from '../databases/connection.ts';
import { parseRate } from '../plan/sizes.ts';
import { openSqliteStateStore } from '../state/sqlite.ts';
import type { RunOutcome, RunTotals, StateStore } from '../state/state-store.ts';
import { UserError } from '../errors.ts';
import { createProgressDisplay } from './progress-display.ts';
import { connectionsFromPlan, engineDatasets, type Connections } from './wiring.ts';
import { currentActor } from './hook-wiring.ts';
import { clockFromEnv } from '../plan/clock.ts';

export const DEFAULT_PLAN = 'runbooks/emc2/plan.yaml';

/** Options shared by the data commands. */
export interface DataOptions {
  plan: string;
  state?: string;
  dataset?: string[];
  phase?: string;
  evidence?: string;
  concurrency?: string;
  bandwidth?: string;
  json?: boolean;
  progress?: boolean;
}

export function addDataOptions(command: Command): Command {
  return command
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option('--state <file>', 'state database (default: .cloudexit/<migration>.db)')
    .option('--dataset <name...>', 'only these datasets (default: all, or those of --phase)')
    .option('--phase <id>', 'only the datasets of this phase')
    .option('--evidence <dir>', 'folder for manifests and evidence (default: .cloudexit/evidence/<migration>)')
    .addOption(new Option('--concurrency <n>', 'objects in flight (overrides limits.concurrency)'))
    .addOption(new Option('--bandwidth <rate>', 'cap on source reads, e.g. 200MiB/s (overrides limits.bandwidth)'))
    .option('--no-progress', 'no progress display')
    .option('--json', 'print one JSON object with the result on stdout');
}

export interface Session {
  plan: LoadedPlan;
  /** The selected object datasets, with their stores. */
  datasets: EngineDataset[];
  /** The selected PostgreSQL datasets. */
  databases: PostgresDataset[];
  state: StateStore;
  ctx: EngineContext;
  evidenceDir: string;
  /** Appends an event about this run to the audit log (details already free of secrets). */
  audit(step: string, outcome: string, details: Record<string, unknown>): Promise<void>;
  /** Records the end of the run and closes the state store. */
  finish(outcome: RunOutcome, totals: RunTotals): Promise<void>;
}

/** Validates the selection against the plan; a bad name changes nothing. */
export function selectDatasets(plan: LoadedPlan, options: Pick<DataOptions, 'dataset' | 'phase'>): Dataset[] {
  let names = plan.datasets.map((d) => d.name);
  if (options.phase !== undefined) {
    const phase = plan.phases.find((p) => String(p.id) === options.phase);
    if (!phase) {
      throw new UserError(`there is no phase ${options.phase} in ${plan.file}`, { fix: `use one of: ${plan.phases.map((p) => p.id).join(', ')}` });
    }
    names = phase.datasets;
  }
  if (options.dataset?.length) {
    for (const name of options.dataset) {
      if (!names.includes(name)) {
        throw new UserError(`unknown dataset "${name}"${options.phase ? ` in phase ${options.phase}` : ''}`, { fix: `use one of: ${names.join(', ')}` });
      }
    }
    names = options.dataset;
  }
  return plan.datasets.filter((d) => names.includes(d.name));
}

/**
 * The plan and its state store, without secrets or adapters: for commands that only read
 * or record decisions (status, approvals, audit). With `mustExist` false, a missing state
 * file reads as an empty migration instead of being created by merely looking.
 */
export async function openPlanAndState(options: Pick<DataOptions, 'plan' | 'state'>, mustExist = true): Promise<{ plan: LoadedPlan; state: StateStore; statePath: string }> {
  const plan = await loadPlan(options.plan);
  const statePath = options.state ?? join('.cloudexit', `${plan.migration}.db`);
  const state = await openSqliteStateStore(!mustExist && !existsSync(statePath) ? ':memory:' : statePath);
  return { plan, state, statePath };
}

/**
 * The session's PostgreSQL datasets, opened: passwords resolved up front (a missing one
 * fails before any work), the database modules loaded only when there are databases.
 */
export async function sessionDatabases(session: Session): Promise<{
  ops: DatabaseOpsContext;
  handles: DatabaseHandle[];
  operations: typeof import('../databases/operations.ts');
} | undefined> {
  if (session.databases.length === 0) return undefined;
  const operations = await import('../databases/operations.ts');
  const ops: DatabaseOpsContext = {
    state: session.state, progress: session.ctx.progress, evidenceDir: session.evidenceDir,
    ...(session.ctx.signal ? { signal: session.ctx.signal } : {}),
  };
  return { ops, operations, handles: session.databases.map((d) => operations.openDatabase(d, ops)) };
}

export async function openSession(options: DataOptions, command: string, connections?: Connections): Promise<Session> {
  const plan = await loadPlan(options.plan);
  const selected = selectDatasets(plan, options);
  const limits = { ...plan.limits };
  if (options.concurrency !== undefined) {
    const n = Number(options.concurrency);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserError(`--concurrency ${options.concurrency} is not a whole number from 1 to 256`);
    limits.concurrency = n;
  }
  if (options.bandwidth !== undefined) {
    const rate = parseRate(options.bandwidth);
    if (!rate) throw new UserError(`--bandwidth ${options.bandwidth} is not a rate`, { fix: 'write it like 200MiB/s or 50MB/s' });
    limits.bandwidth = rate;
  }
  // Secrets are read before the state is opened: a missing variable must change nothing.
  const objects = selected.filter(isObjectDataset);
  const databases = selected.filter((d): d is PostgresDataset => d.kind === 'postgres');
  const datasets = objects.length > 0 ? await engineDatasets(objects, connections ?? connectionsFromPlan(plan.source, plan.target)) : [];
  // Database passwords too: a missing one must fail here, before the state file exists.
  if (!connections) {
    for (const d of databases) {
      resolveConnection(d.source, `the source database of ${d.name}`);
      resolveConnection(d.target, `the target database of ${d.name}`);
    }
  }
  const state = await openSqliteStateStore(options.state ?? join('.cloudexit', `${plan.migration}.db`));
  const scope = options.phase ? `phase ${options.phase}` : selected.map((d) => d.name).join(',');
  const runId = await state.startRun({ command, scope });

  const abort = new AbortController();
  const progress = createProgressDisplay({ quiet: options.json === true || options.progress === false });
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    progress.note(`${signal}: stopping after the work in flight (press Ctrl-C again to quit now; the state is kept either way)`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const ctx: EngineContext = {
    state, runId, progress, signal: abort.signal,
    limits: {
      concurrency: limits.concurrency, partConcurrency: limits.partConcurrency, multipartThreshold: limits.multipartThreshold,
      minPartSize: limits.minPartSize, maxAttempts: limits.maxAttempts,
    },
    budget: new ByteBudget(limits.memoryBudget),
    bandwidth: createBandwidthLimiter(limits.bandwidth),
  };
  return {
    plan, datasets, databases, state, ctx,
    evidenceDir: options.evidence ?? join('.cloudexit', 'evidence', plan.migration),
    async audit(step, outcome, details) {
      const phase = options.phase === undefined ? undefined : Number(options.phase);
      await state.appendAudit({ time: clockFromEnv().now().toISOString(), actor: currentActor(), phase, step, outcome, details: { runId, ...details } });
    },
    async finish(outcome, totals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await state.finishRun(runId, abort.signal.aborted ? 'interrupted' : outcome, totals);
      await state.close();
    },
  };
}
