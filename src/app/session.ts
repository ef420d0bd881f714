/**
 * What every data use case (inventory, copy, verify, cutover) sets up the same way: the
 * plan, the selected datasets with their stores, the state store, the run record and the
 * engine context. Secrets are read before the state is opened, so a missing one changes
 * nothing; the state is then bound to the whole plan, so another plan's state is refused
 * (exit 2) before any run is recorded. Interrupting is the caller's: it passes an `AbortSignal`, and work in flight is
 * recorded before the session ends as `interrupted`.
 */
import type { EngineContext, EngineDataset } from '../engine/context.ts';
import { SILENT, type ProgressSink } from '../progress.ts';
import { resolveConnection } from '../databases/connection.ts';
import { clockFromEnv, type Clock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import { isObjectDataset, type Phase, type PostgresDataset } from '../plan/schema.ts';
import { openStateStore } from '../state/open.ts';
import type { RunOutcome, RunTotals } from '../state/contracts/runs.ts';
import type { StateStore } from '../state/state-store.ts';
import { bindToPlan } from './binding.ts';
import { connectionsFromPlan, engineDatasets } from './connections.ts';
import { applyRecordedProbes } from './target-capabilities.ts';
import { currentActor } from './hooks.ts';
import { engineLimits, limitsWith, type LimitOverrides } from './limits.ts';
import { migrationPaths } from './paths.ts';
import { planOf, type PlanOptions } from './plan-state.ts';
import { holdPhaseLock } from './phase-leader.ts';
import { phaseOf, selectDatasets, type Selection } from './selection.ts';
import { untilStateAnswers } from './state-retry.ts';

/** How the caller runs a use case: who, when, where progress goes, how to stop it. */
export interface RunOptions {
  /** Where progress and notes go. @default SILENT */
  progress?: ProgressSink | undefined;
  /** Stops new work when aborted; work in flight is recorded and the run ends `interrupted`. @default never aborted */
  signal?: AbortSignal | undefined;
  /** Where the secrets the plan names (keys, passwords) are read. @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
  /** Who runs this, for the audit log. @default `CLOUDEXIT_ACTOR`, else the OS user */
  actor?: string | undefined;
  /** The time recorded in the audit log and the cutover. @default the system clock, or `CLOUDEXIT_NOW` when set */
  clock?: Clock | undefined;
}

/** Options of every data use case. */
export interface SessionOptions extends PlanOptions, Selection, LimitOverrides, RunOptions {
  /**
   * Holds the lock of the session's phase until `finish` (cutover steps are single-leader):
   * while another process holds it, the session is refused (exit 2) before its run is recorded.
   * @default false
   */
  phaseLeader?: boolean | undefined;
}

export interface Session {
  plan: LoadedPlan;
  /** The selected phase, when the session is about one. */
  phase: Phase | undefined;
  /** The selected object datasets, with their stores. */
  datasets: EngineDataset[];
  /** The selected PostgreSQL datasets. */
  databases: PostgresDataset[];
  state: StateStore;
  ctx: EngineContext;
  evidenceDir: string;
  env: NodeJS.ProcessEnv;
  actor: string;
  clock: Clock;
  /** Appends an event about this run to the audit log (details already free of secrets). */
  audit(step: string, outcome: string, details: Record<string, unknown>): Promise<void>;
  /** Records the end of the run (`interrupted` when the signal fired) and closes the state store. */
  finish(outcome: RunOutcome, totals: RunTotals): Promise<void>;
}

/** How a run ended, for its record. */
export interface RunEnd {
  outcome: RunOutcome;
  totals: RunTotals;
}

const NOTHING: RunTotals = { objects: 0, bytes: 0, failed: 0 };

/**
 * Opens a session and starts its run, named `command` in the state (`copy`, `verify full`…).
 * The caller ends it with `finish`; `withSession` does that whatever happens.
 */
export async function openSession(options: SessionOptions, command: string): Promise<Session> {
  const plan = await planOf(options.plan);
  const selected = selectDatasets(plan, options);
  const phase = options.phase === undefined ? undefined : phaseOf(plan, options.phase);
  const limits = limitsWith(plan.limits, options);
  const env = options.env ?? process.env;
  // Every secret is read before the state is opened: a missing one must change nothing.
  const objects = selected.filter(isObjectDataset);
  const databases = selected.filter((d): d is PostgresDataset => d.kind === 'postgres');
  const datasets =
    objects.length > 0 ? await engineDatasets(objects, connectionsFromPlan(plan.source, plan.target, env)) : [];
  for (const d of databases) {
    resolveConnection(d.source, `the source database of ${d.name}`, env);
    resolveConnection(d.target, `the target database of ${d.name}`, env);
  }
  const paths = migrationPaths(plan, options);
  const state = await openStateStore(paths.statePath);
  // A state recorded for another migration or mapping is refused before anything runs.
  await bindToPlan(state, plan);
  const lock =
    options.phaseLeader && phase
      ? await holdPhaseLock(state, phase.id, command).catch(async (err: unknown) => {
          await state.close();
          throw err;
        })
      : undefined;
  const scope = phase ? `phase ${phase.id}` : selected.map((d) => d.name).join(',');
  const runId = await state.startRun({ command, scope });
  const ctx: EngineContext = {
    state,
    runId,
    progress: options.progress ?? SILENT,
    ...engineLimits(limits),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const actor = options.actor ?? currentActor(env);
  const clock = options.clock ?? clockFromEnv(env);
  const session: Session = {
    plan,
    phase,
    datasets,
    databases,
    state,
    ctx,
    env,
    actor,
    clock,
    evidenceDir: paths.evidenceDir,
    async audit(step, outcome, details) {
      await state.appendAudit({
        time: clock.now().toISOString(),
        actor,
        phase: phase?.id,
        step,
        outcome,
        details: { runId, ...details },
      });
    },
    async finish(outcome, totals) {
      try {
        const ended = options.signal?.aborted ? 'interrupted' : outcome;
        // Recording a run's end is idempotent: tried again through a short outage of a shared state.
        await untilStateAnswers('the end of the run', () => state.finishRun(runId, ended, totals), {
          progress: options.progress ?? SILENT,
          limitMs: 60_000,
        });
      } finally {
        await lock?.release();
        await state.close();
      }
    },
  };
  // The engine relies only on what each target was seen to do (or the adapter guarantees).
  await applyRecordedProbes(session);
  return session;
}

/**
 * Opens a session, runs `work` in it and records how the run ended: `end` of the report
 * when it returns, a failed run when it throws. The state is closed either way.
 */
export async function withSession<R>(
  options: SessionOptions,
  command: string,
  work: (session: Session) => Promise<R>,
  end: (report: R) => RunEnd,
): Promise<R> {
  const session = await openSession(options, command);
  let ending: RunEnd = { outcome: 'failed', totals: NOTHING };
  try {
    const report = await work(session);
    ending = end(report);
    return report;
  } finally {
    await session.finish(ending.outcome, ending.totals);
  }
}

/** Whether the session's caller asked it to stop. */
export function stopped(session: Session): boolean {
  return session.ctx.signal?.aborted === true;
}
