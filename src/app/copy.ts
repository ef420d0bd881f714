/**
 * Copy: every new, changed or failed object of the selected datasets to the target, and
 * the bulk copy of their PostgreSQL datasets. A dataset's manifest is (re)written once
 * every object of it is on the target, so a manifest never describes a half-copied dataset.
 *
 * Datasets of a committed phase are never written from the source again: selected by name
 * or phase they are refused (a `UserError`, before anything is written); when nothing is
 * selected (every dataset) they are skipped, each with a note and in the report's `skipped`.
 */
import { copyDataset, type CopySummary } from '../engine/copy.ts';
import { writeManifest, type ManifestSummary } from '../engine/manifest.ts';
import type { DatabaseRecord } from '../state/contracts/databases.ts';
import { workQueueOf } from '../state/work-queue-of.ts';
import { committedDatasets, committedRefusal, type CommittedDataset } from './committed-phases.ts';
import { checkCopyWorkers, copyAsWorkers, type CopyWorkerOptions } from './copy-workers.ts';
import { sessionDatabases } from './databases.ts';
import { stopped, withSession, type Session, type SessionOptions } from './session.ts';
import { probeTargets } from './target-capabilities.ts';

export interface CopyOptions extends SessionOptions, CopyWorkerOptions {
  /** List the source first; false copies what the state already lists. @default true */
  inventory?: boolean | undefined;
}

export interface CopyReport {
  runId: string;
  /** Every selected dataset copied in full, nothing failed, not interrupted. */
  ok: boolean;
  interrupted: boolean;
  copied: number;
  bytesCopied: number;
  /** Objects and databases that failed (retried by the next copy), conflicts included. */
  failed: number;
  /** Objects not written because the target holds, under their key, what cloudexit did not write. */
  conflicts: number;
  /** Datasets of committed phases left out (only when no dataset or phase was selected). */
  skipped: CommittedDataset[];
  datasets: (CopySummary & { manifest: ManifestSummary | undefined })[];
  /** PostgreSQL datasets: the record after their bulk copy. */
  databases: DatabaseRecord[];
}

/** Copies the selected datasets (resumably) and writes the manifest of each complete one; `ok` only when all is on the target. */
export async function copy(options: CopyOptions = {}): Promise<CopyReport> {
  checkCopyWorkers(options);
  return withSession(
    options,
    'copy',
    async (session) => {
      const report = await copyInSession(session, options);
      await session.audit('copy', report.ok ? 'succeeded' : report.interrupted ? 'interrupted' : 'failed', {
        datasets: report.datasets.map((d) => ({
          dataset: d.dataset,
          copied: d.copied,
          bytes: d.bytesCopied,
          failed: d.failed.length,
          conflicts: d.conflicts.map((c) => c.targetKey),
          manifestSha256: d.manifest?.sha256,
        })),
        skipped: report.skipped,
      });
      return report;
    },
    (report) => ({
      outcome: report.ok ? 'succeeded' : 'failed',
      totals: { objects: report.copied, bytes: report.bytesCopied, failed: report.failed },
    }),
  );
}

async function copyInSession(session: Session, options: CopyOptions): Promise<CopyReport> {
  const skipped = await committedToSkip(session, options);
  const left = new Set(skipped.map((s) => s.dataset));
  // A target never probed (or whose endpoint changed) is probed before the first byte goes to it.
  await probeTargets(session, { force: false });
  const datasets: CopyReport['datasets'] = [];
  // On a PostgreSQL state the copy is a worker (or starts several) sharing the work through it.
  const byWorkers = workQueueOf(session.state) ? await copyAsWorkers(session, options, left) : undefined;
  for (const dataset of session.datasets) {
    if (stopped(session)) break;
    if (left.has(dataset.name)) continue;
    const summary = byWorkers
      ? byWorkers.get(dataset.name)
      : await copyDataset(
          session.ctx,
          dataset,
          options.inventory === undefined ? {} : { inventory: options.inventory },
        );
    if (!summary) continue;
    const counts = await session.state.countObjects(dataset.name);
    const complete = counts.pending.objects === 0 && counts.failed.objects === 0 && !stopped(session);
    const manifest = complete ? await writeManifest(session.ctx, dataset, session.evidenceDir) : undefined;
    datasets.push({ ...summary, manifest });
  }
  const databases = await copyDatabases(session, left);
  const failed =
    datasets.reduce((n, d) => n + d.failed.length, 0) + databases.filter((d) => d.status === 'failed').length;
  const interrupted = stopped(session);
  const objectsSkipped = session.datasets.filter((d) => left.has(d.name)).length;
  const databasesSkipped = session.databases.filter((d) => left.has(d.name)).length;
  return {
    runId: session.ctx.runId,
    databases,
    ok:
      failed === 0 &&
      !interrupted &&
      datasets.length + objectsSkipped === session.datasets.length &&
      databases.length + databasesSkipped === session.databases.length,
    interrupted,
    conflicts: datasets.reduce((n, d) => n + d.conflicts.length, 0),
    skipped,
    copied: datasets.reduce((n, d) => n + d.copied, 0),
    bytesCopied: datasets.reduce((n, d) => n + d.bytesCopied, 0),
    failed,
    datasets,
  };
}

/**
 * The selected datasets of committed phases, to leave out; refuses (before anything is
 * written) when the caller named them, by dataset or by phase.
 */
async function committedToSkip(session: Session, options: CopyOptions): Promise<CommittedDataset[]> {
  const names = [...session.datasets.map((d) => d.name), ...session.databases.map((d) => d.name)];
  const committed = await committedDatasets(session.plan, session.state, names);
  if (committed.length === 0) return [];
  if (options.phase !== undefined || (options.dataset?.length ?? 0) > 0) throw committedRefusal('copy', committed);
  for (const c of committed)
    session.ctx.progress.note(
      `${c.dataset}: skipped, phase ${c.phase} was committed at ${c.committedAt} (the target is now the reference copy)`,
    );
  return committed;
}

async function copyDatabases(session: Session, left: ReadonlySet<string>): Promise<DatabaseRecord[]> {
  const databases: DatabaseRecord[] = [];
  const opened = await sessionDatabases(session);
  for (const handle of opened?.handles ?? []) {
    if (stopped(session)) break;
    if (left.has(handle.dataset.name)) continue;
    databases.push(await opened!.operations.copyDatabase(handle, opened!.ops));
  }
  return databases;
}
