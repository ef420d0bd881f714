/**
 * The state of a migration as one plain object: the window and days left, each phase's
 * cutover state, what is copied and verified, planned against projected dates, and the
 * risks. `cloudexit status` prints it; the runbooks are written from it.
 */
import { progressOf } from '../cutover/progress.ts';
import { evaluateGates, type Gate } from '../cutover/gates.ts';
import { addDays, parisDay, type Clock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import { measuredThroughput, project, type Projection } from '../plan/projection.ts';
import { authorisationWindow, windowStatus, type WindowStatus } from '../plan/window.ts';
import type { CutoverStep, PhaseRecord } from '../phase-record.ts';
import type { DatabaseRecord } from '../state/contracts/databases.ts';
import type { StateStore } from '../state/state-store.ts';
import { decommissionStatus, type DatasetDecommissionStatus } from './decommission-status.ts';
import { migrationRisks, type PhaseRisk } from './risks.ts';

export interface PhaseStatus {
  id: number;
  name: string;
  datasets: string[];
  state: PhaseRecord['state'];
  /** Last step that succeeded. */
  lastStep: CutoverStep | undefined;
  /** The step the cutover is stopped on, with why. */
  failed: PhaseRecord['failed'];
  objects: number;
  bytes: number;
  copiedObjects: number;
  copiedBytes: number;
  verifiedObjects: number;
  verifiedFullObjects: number;
  plannedCutover: string;
  projectedBulkCopyEnd: string | undefined;
  /** The phase has at least one risk. */
  atRisk: boolean;
  /** The risks of the phase (risks.ts): the same ones the migration's `risks` list and the runbooks show. */
  risks: PhaseRisk[];
  approvals: PhaseRecord['approvals'];
  gates: Gate[];
  record: PhaseRecord | undefined;
  /** PostgreSQL datasets of the phase. */
  databases: DatabaseStatus[];
  /** Per dataset: "last copy at the source gone on <date>", or still at the source. */
  decommission: DatasetDecommissionStatus[];
  /**
   * Paris day from which the phase may be decommissioned: its commit (or, before it, its
   * planned cutover) plus the plan's `hypercareDays`; `undefined` once every dataset is gone.
   */
  decommissionDay: string | undefined;
}

interface DatabaseStatus {
  name: string;
  method: 'dump-restore' | 'logical';
  status: DatabaseRecord['status'] | 'not copied';
  tables: number;
  bytes: number;
  tablesVerified: number;
  mismatches: number;
  /** Replication lag at its last measurement (logical method). */
  lag: DatabaseRecord['lag'];
}

export interface MigrationStatus {
  migration: string;
  title: string;
  window: WindowStatus;
  throughput: Projection['throughput'];
  phases: PhaseStatus[];
  migrationEnd: string | undefined;
  migrationAtRisk: boolean;
  risks: string[];
}

export async function migrationStatus(
  plan: LoadedPlan,
  state: StateStore,
  clock: Clock,
  parity: Parameters<typeof evaluateGates>[0]['parity'] = undefined,
): Promise<MigrationStatus> {
  const window = windowStatus(authorisationWindow(plan.window), clock);
  const throughput = measuredThroughput(await state.listRuns(50));
  const phases: Omit<PhaseStatus, 'projectedBulkCopyEnd' | 'atRisk' | 'risks'>[] = [];
  for (const phase of plan.phases) {
    const objectNames = phase.datasets.filter(
      (name) => plan.datasets.find((d) => d.name === name)?.kind !== 'postgres',
    );
    const progress = await progressOf(
      state,
      objectNames.map((name) => ({ name })),
    );
    const databases: { name: string; record: DatabaseRecord | undefined }[] = [];
    const databaseStatus: DatabaseStatus[] = [];
    for (const dataset of plan.datasets) {
      if (dataset.kind !== 'postgres' || !phase.datasets.includes(dataset.name)) continue;
      const db = await state.getDatabase(dataset.name);
      databases.push({ name: dataset.name, record: db });
      databaseStatus.push({
        name: dataset.name,
        method: dataset.method,
        status: db?.status ?? 'not copied',
        tables: db?.tables ?? 0,
        bytes: db?.bytes ?? 0,
        tablesVerified: db?.verification?.tablesVerified ?? 0,
        mismatches: (db?.verification?.mismatches.length ?? 0) + (db?.verification?.schemaDifferences.length ?? 0),
        lag: db?.lag,
      });
    }
    const record = await state.getPhase(phase.id);
    const sum = (f: (p: (typeof progress)[number]) => number) => progress.reduce((n, p) => n + f(p), 0);
    phases.push({
      id: phase.id,
      name: phase.name,
      datasets: phase.datasets,
      state: record?.state ?? 'planned',
      lastStep: record?.done.at(-1)?.step,
      failed: record?.failed,
      objects: sum(
        (p) => p.counts.pending.objects + p.counts.failed.objects + p.counts.copied.objects + p.counts.verified.objects,
      ),
      bytes: sum(
        (p) => p.counts.pending.bytes + p.counts.failed.bytes + p.counts.copied.bytes + p.counts.verified.bytes,
      ),
      copiedObjects: sum((p) => p.counts.copied.objects + p.counts.verified.objects),
      copiedBytes: sum((p) => p.counts.copied.bytes + p.counts.verified.bytes),
      verifiedObjects: sum((p) => p.counts.verified.objects),
      verifiedFullObjects: sum((p) => p.verifiedFull),
      plannedCutover: phase.plannedCutover,
      approvals: record?.approvals ?? [],
      gates: evaluateGates({
        phase,
        datasets: progress,
        parity,
        approvals: record?.approvals ?? [],
        hooks: plan.hooks,
        databases,
      }),
      record,
      databases: databaseStatus,
      decommission: decommissionStatus(phase.datasets, record),
      decommissionDay: decommissionDayOf(phase, record, plan.hypercareDays),
    });
  }
  const projection = project(
    phases.map((p) => ({
      phaseId: p.id,
      plannedCutover: p.plannedCutover,
      // A committed phase has nothing left to copy, whatever its counters say.
      remainingBytes: p.state === 'committed' ? 0 : p.bytes - p.copiedBytes,
      remainingObjects: p.state === 'committed' ? 0 : p.objects - p.copiedObjects,
      inventoried: p.state === 'committed' || p.objects > 0,
    })),
    throughput,
    clock.now(),
    window.deadline,
  );
  const projectedOf = (id: number) => projection.phases.find((x) => x.phaseId === id)!;
  const { risks, phases: phaseRisks } = migrationRisks(
    window,
    phases.map((p) => {
      const projected = projectedOf(p.id);
      // Nothing left to copy: the projection's "end" is today, not a risk.
      return { ...p, projectedDay: projected.secondsLeft ? projected.projectedDay : undefined };
    }),
    projection,
  );
  const full: PhaseStatus[] = phases.map((p) => {
    const own = phaseRisks.get(p.id) ?? [];
    return { ...p, projectedBulkCopyEnd: projectedOf(p.id).projectedEnd, atRisk: own.length > 0, risks: own };
  });
  return {
    migration: plan.migration,
    title: plan.title,
    window,
    throughput,
    phases: full,
    migrationEnd: projection.migrationEnd,
    migrationAtRisk: projection.migrationAtRisk,
    risks,
  };
}

function decommissionDayOf(
  phase: { datasets: readonly string[]; plannedCutover: string },
  record: PhaseRecord | undefined,
  hypercareDays: number,
): string | undefined {
  const gone = new Set((record?.decommissioned ?? []).filter((d) => d.goneAt).map((d) => d.dataset));
  if (phase.datasets.every((d) => gone.has(d))) return undefined;
  return hypercareEndOf(record, phase.plannedCutover, hypercareDays).day;
}

/**
 * The Paris day the hypercare of a phase ends: its commit day (done, or else planned) plus
 * the plan's `hypercareDays`; and the day it was committed, when it was.
 */
export function hypercareEndOf(
  record: PhaseRecord | undefined,
  plannedCutover: string,
  hypercareDays: number,
): { day: string; committedOn: string | undefined } {
  const commit = record?.done.find((d) => d.step === 'commit');
  const committedOn = commit ? parisDay(new Date(commit.at)) : undefined;
  return { day: addDays(committedOn ?? plannedCutover, hypercareDays), committedOn };
}
