/**
 * Verify: prove the target holds what was copied. Quick asks the target for size, ETag
 * and the SHA-256 it carries (nothing downloaded); full reads every object again and
 * recomputes its SHA-256. PostgreSQL datasets are verified by row counts, fingerprints by
 * key range and schema, whatever the mode. A clean dataset's manifest is (re)written.
 */
import { writeManifest, type ManifestSummary } from '../engine/manifest.ts';
import { verifyDataset, type VerifyMode, type VerifySummary } from '../engine/verify.ts';
import type { DatabaseRecord } from '../state/contracts/databases.ts';
import { sessionDatabases } from './databases.ts';
import { stopped, withSession, type Session, type SessionOptions } from './session.ts';

export type { VerifyMode };

export interface VerifyOptions extends SessionOptions {
  /** `quick` (no download) or `full` (every byte read again). @default 'quick' */
  mode?: VerifyMode | undefined;
}

export interface VerifyReport {
  runId: string;
  mode: VerifyMode;
  /** Every selected object and database verified. */
  ok: boolean;
  verified: number;
  mismatches: number;
  notCopied: number;
  datasets: (VerifySummary & { manifest: ManifestSummary | undefined })[];
  /** PostgreSQL datasets (verified by row counts, fingerprints and schema, whatever the mode). */
  databases: DatabaseRecord[];
}

/** Verifies the selected datasets on the target; `ok` only when every object and database is verified. */
export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const mode = options.mode ?? 'quick';
  return withSession(
    options,
    `verify ${mode}`,
    async (session) => {
      const report = await verifyInSession(session, mode);
      await session.audit(`verify-${mode}`, report.ok ? 'succeeded' : 'failed', {
        datasets: report.datasets.map((d) => ({
          dataset: d.dataset,
          verified: d.verified,
          mismatches: d.mismatches.map((m) => `${m.targetKey}: ${m.problem}`),
          manifestSha256: d.manifest?.sha256,
        })),
      });
      return report;
    },
    (report) => ({
      outcome: report.ok ? 'succeeded' : 'failed',
      totals: { objects: report.verified, bytes: 0, failed: report.mismatches },
    }),
  );
}

async function verifyInSession(session: Session, mode: VerifyMode): Promise<VerifyReport> {
  const datasets: VerifyReport['datasets'] = [];
  for (const dataset of session.datasets) {
    if (stopped(session)) break;
    const summary = await verifyDataset(session.ctx, dataset, mode);
    const clean = summary.mismatches.length === 0 && summary.notCopied === 0;
    datasets.push({
      ...summary,
      manifest: clean ? await writeManifest(session.ctx, dataset, session.evidenceDir) : undefined,
    });
  }
  const databases = await verifyDatabases(session);
  const mismatches =
    datasets.reduce((n, d) => n + d.mismatches.length, 0) +
    databases.reduce(
      (n, d) => n + (d.verification?.mismatches.length ?? 0) + (d.verification?.schemaDifferences.length ?? 0),
      0,
    );
  const notCopied = datasets.reduce((n, d) => n + d.notCopied, 0);
  return {
    runId: session.ctx.runId,
    mode,
    databases,
    ok:
      mismatches === 0 &&
      notCopied === 0 &&
      datasets.length === session.datasets.length &&
      databases.length === session.databases.length &&
      databases.every((d) => d.status === 'verified'),
    verified: datasets.reduce((n, d) => n + d.verified, 0),
    mismatches,
    notCopied,
    datasets,
  };
}

async function verifyDatabases(session: Session): Promise<DatabaseRecord[]> {
  const databases: DatabaseRecord[] = [];
  const opened = await sessionDatabases(session);
  for (const handle of opened?.handles ?? []) {
    if (stopped(session)) break;
    databases.push((await opened!.operations.verifyDatabaseDataset(handle, opened!.ops)).record);
  }
  return databases;
}
