/**
 * A full rehearsal of a plan on this machine, with no cloud account: the plan pointed at
 * embedded Azurite (source), s3rver (target) and, when installed, two PostgreSQL clusters;
 * the synthetic EMC2 warehouse seeded into the source; then the same use cases, in the
 * same order, as a migration: inventory, copy, verify quick and full, every owner's go,
 * each phase's cutover with the plan's hooks, its decommission, the runbooks. Emulator data and the state
 * are temporary; evidence, hook pointers and runbooks stay in the output folder.
 */
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeFolder } from '../make-folder.ts';
import { SILENT, type ProgressSink } from '../progress.ts';
import { systemClock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import type { LimitOverrides } from './limits.ts';
import { DEFAULT_REHEARSAL_OUT } from './paths.ts';
import { planOf } from './plan-state.ts';
import { stageDatabases } from './rehearsal-databases.ts';
import { decommissionPhases } from './rehearsal-decommission.ts';
import { movedClean, rehearsalReport, type RehearsalReport } from './rehearsal-report.ts';
import { closeStage, openStage, seedSources, type Stage } from './rehearsal-stage.ts';
import {
  cutOverPhases,
  moveData,
  recordVerdict,
  writeRehearsalRunbooks,
  type RehearsalRun,
} from './rehearsal-steps.ts';
import { selectDatasets, type Selection } from './selection.ts';

export type { DatabaseRehearsal, DatasetRehearsal, PhaseRehearsal, RehearsalReport } from './rehearsal-report.ts';

export interface RehearsalOptions extends Selection, LimitOverrides {
  /** The plan whose datasets, phases, hooks and limits are rehearsed. @default `runbooks/emc2/plan.yaml` */
  plan?: string | LoadedPlan | undefined;
  /** Folder for the rehearsal's evidence, hook pointers and runbooks. @default `.cloudexit/rehearsal` */
  out?: string | undefined;
  /** Keep the emulators' data and the state in the temporary folder, and say where. @default false */
  keep?: boolean | undefined;
  /** Where progress and notes go. @default SILENT */
  progress?: ProgressSink | undefined;
  /** Stops new work when aborted; the rehearsal then reports what it did. @default never aborted */
  signal?: AbortSignal | undefined;
  /** The S3 target: Ceph RGW where it can run, s3rver otherwise (`auto`), or one of them. @default 'auto' */
  target?: 'auto' | 'ceph-rgw' | 's3rver' | undefined;
}

/** Rehearses the plan on embedded servers through the production use cases; `ok` when every phase rehearsed committed. */
export async function rehearse(options: RehearsalOptions = {}): Promise<RehearsalReport> {
  const started = performance.now();
  const plan = await planOf(options.plan);
  const selected = selectDatasets(plan, options);
  const outDir = resolve(options.out ?? DEFAULT_REHEARSAL_OUT);
  makeFolder(outDir);
  const progress = options.progress ?? SILENT;
  let stage: Stage = await openStage(plan, { target: options.target ?? 'auto', progress });
  try {
    const staged = await stageDatabases(stage, selected, progress);
    stage = staged.stage;
    const run = rehearsalRun(stage, options, outDir, progress);
    const rehearsed = selected.filter((d) => !staged.skipped.includes(d.name));
    await seedSources(stage, rehearsed, progress);
    const seededAt = performance.now();
    const moved = await moveData(run, rehearsed, options.phase);
    // The freeze must fall in a later second than the last write (sources stamp writes to the second).
    await sleep(Math.max(0, 1100 - (performance.now() - seededAt)));
    const phases = await cutOverPhases(run, new Set(rehearsed.map((d) => d.name)), movedClean(moved), outDir);
    const decommissioned = await decommissionPhases(run, phases);
    const report = rehearsalReport({
      decommission: decommissioned,
      plan,
      moved,
      rehearsed,
      skipped: staged.skipped,
      phases,
      outDir,
      kept: options.keep ? stage.temp : undefined,
      target: stage.target,
    });
    report.auditHead = await recordVerdict(run, report.ok, options.phase, {
      objects: report.objects,
      bytes: report.bytes,
      verified: report.verified,
      mismatches: report.mismatches,
    });
    report.runbooks = await writeRehearsalRunbooks(run, plan, outDir);
    report.seconds = Math.round((performance.now() - started) / 100) / 10;
    return report;
  } finally {
    await closeStage(stage, options.keep === true);
  }
}

/** The options every use case of the rehearsal runs with. */
function rehearsalRun(stage: Stage, options: RehearsalOptions, outDir: string, progress: ProgressSink): RehearsalRun {
  return {
    plan: stage.plan,
    state: join(stage.temp, 'state.db'),
    evidence: join(outDir, 'evidence'),
    env: stage.env,
    progress,
    signal: options.signal,
    actor: 'rehearsal',
    clock: systemClock,
    concurrency: options.concurrency,
    bandwidth: options.bandwidth,
  };
}
