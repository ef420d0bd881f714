/**
 * Copy: every new, changed or failed object of the selected datasets to the target, and
 * the bulk copy of their PostgreSQL datasets. A dataset's manifest is (re)written once
 * every object of it is on the target, so a manifest never describes a half-copied dataset.
 */
import { copyDataset, type CopySummary } from '../engine/copy.ts';
import { writeManifest, type ManifestSummary } from '../engine/manifest.ts';
import type { DatabaseRecord } from '../state/contracts/databases.ts';
import { sessionDatabases } from './databases.ts';
import { stopped, withSession, type Session, type SessionOptions } from './session.ts';
import { probeTargets } from './target-capabilities.ts';

export interface CopyOptions extends SessionOptions {
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
  /** Objects and databases that failed (retried by the next copy). */
  failed: number;
  datasets: (CopySummary & { manifest: ManifestSummary | undefined })[];
  /** PostgreSQL datasets: the record after their bulk copy. */
  databases: DatabaseRecord[];
}

/** Copies the selected datasets (resumably) and writes the manifest of each complete one; `ok` only when all is on the target. */
export async function copy(options: CopyOptions = {}): Promise<CopyReport> {
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
          manifestSha256: d.manifest?.sha256,
        })),
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
  // A target never probed (or whose endpoint changed) is probed before the first byte goes to it.
  await probeTargets(session, { force: false });
  const datasets: CopyReport['datasets'] = [];
  for (const dataset of session.datasets) {
    if (stopped(session)) break;
    const summary = await copyDataset(
      session.ctx,
      dataset,
      options.inventory === undefined ? {} : { inventory: options.inventory },
    );
    const counts = await session.state.countObjects(dataset.name);
    const complete = counts.pending.objects === 0 && counts.failed.objects === 0 && !stopped(session);
    const manifest = complete ? await writeManifest(session.ctx, dataset, session.evidenceDir) : undefined;
    datasets.push({ ...summary, manifest });
  }
  const databases = await copyDatabases(session);
  const failed =
    datasets.reduce((n, d) => n + d.failed.length, 0) + databases.filter((d) => d.status === 'failed').length;
  const interrupted = stopped(session);
  return {
    runId: session.ctx.runId,
    databases,
    ok:
      failed === 0 &&
      !interrupted &&
      datasets.length === session.datasets.length &&
      databases.length === session.databases.length,
    interrupted,
    copied: datasets.reduce((n, d) => n + d.copied, 0),
    bytesCopied: datasets.reduce((n, d) => n + d.bytesCopied, 0),
    failed,
    datasets,
  };
}

async function copyDatabases(session: Session): Promise<DatabaseRecord[]> {
  const databases: DatabaseRecord[] = [];
  const opened = await sessionDatabases(session);
  for (const handle of opened?.handles ?? []) {
    if (stopped(session)) break;
    databases.push(await opened!.operations.copyDatabase(handle, opened!.ops));
  }
  return databases;
}
