import { Option, type Command } from 'commander';
import { writeManifest, type ManifestSummary } from '../../engine/manifest.ts';
import { verifyDataset, type VerifyMode, type VerifySummary } from '../../engine/verify.ts';
import { EXIT } from '../../errors.ts';
import type { DatabaseRecord } from '../../state/state-store.ts';
import { printJson, renderTable } from '../output.ts';
import { addDataOptions, openSession, sessionDatabases, type DataOptions, type Session } from '../session.ts';

export interface VerifyReport {
  runId: string;
  mode: VerifyMode;
  ok: boolean;
  verified: number;
  mismatches: number;
  notCopied: number;
  datasets: (VerifySummary & { manifest: ManifestSummary | undefined })[];
  /** PostgreSQL datasets (verified by row counts, fingerprints and schema, whatever the mode). */
  databases: DatabaseRecord[];
}

export async function runVerify(session: Session, mode: VerifyMode): Promise<VerifyReport> {
  const datasets: VerifyReport['datasets'] = [];
  for (const dataset of session.datasets) {
    if (session.ctx.signal?.aborted) break;
    const summary = await verifyDataset(session.ctx, dataset, mode);
    const clean = summary.mismatches.length === 0 && summary.notCopied === 0;
    datasets.push({ ...summary, manifest: clean ? await writeManifest(session.ctx, dataset, session.evidenceDir) : undefined });
  }
  const databases: DatabaseRecord[] = [];
  const opened = await sessionDatabases(session);
  for (const handle of opened?.handles ?? []) {
    if (session.ctx.signal?.aborted) break;
    databases.push((await opened!.operations.verifyDatabaseDataset(handle, opened!.ops)).record);
  }
  const mismatches = datasets.reduce((n, d) => n + d.mismatches.length, 0) + databases.reduce((n, d) => n + (d.verification?.mismatches.length ?? 0) + (d.verification?.schemaDifferences.length ?? 0), 0);
  const notCopied = datasets.reduce((n, d) => n + d.notCopied, 0);
  return {
    runId: session.ctx.runId, mode, databases,
    ok: mismatches === 0 && notCopied === 0 && datasets.length === session.datasets.length && databases.every((d) => d.status === 'verified'),
    verified: datasets.reduce((n, d) => n + d.verified, 0),
    mismatches, notCopied, datasets,
  };
}

export function renderVerify(report: VerifyReport): string {
  const rows = report.datasets.map((d) => [d.dataset, d.checked, d.verified, d.mismatches.length, d.notCopied]);
  const lines = [renderTable(['dataset', 'checked', 'verified', 'mismatches', 'not copied'], rows)];
  for (const d of report.datasets) {
    for (const m of d.mismatches) lines.push(`  mismatch: ${d.dataset}: ${m.targetKey}: ${m.problem} (expected ${m.expected}, found ${m.actual})`);
    if (d.notCopied) lines.push(`  ${d.dataset}: ${d.notCopied} objects are not on the target yet: run \`cloudexit copy\` first`);
  }
  for (const db of report.databases) {
    const v = db.verification;
    lines.push(`  ${db.dataset} (PostgreSQL): ${v ? `${v.tablesVerified} tables verified, ${v.mismatches.length} mismatching key ranges, ${v.schemaDifferences.length} schema differences` : db.lastError ?? 'not verified'}`);
    for (const m of [...(v?.mismatches ?? []), ...(v?.schemaDifferences ?? [])].slice(0, 20)) lines.push(`    mismatch: ${db.dataset}: ${m}`);
  }
  lines.push(report.ok ? `verified ${report.verified} objects (${report.mode})`
    : `${report.mismatches} mismatches, ${report.notCopied} not copied; \`cloudexit copy\` repairs mismatched objects`);
  return lines.join('\n');
}

export function registerVerifyCommand(program: Command): void {
  addDataOptions(
    program
      .command('verify')
      .summary('prove the target holds what was copied')
      .description(
        'quick: ask the target for size, ETag (checked against the one computed locally from the MD5 of the bytes ' +
          'sent) and the SHA-256 in the object\'s metadata — nothing downloaded. full: read every target object again ' +
          'and recompute its SHA-256. Mismatched objects are listed by key and marked for the next copy. ' +
          'Exit code 0 only when every object is verified.',
      )
      .addOption(new Option('--mode <mode>', 'quick or full').choices(['quick', 'full']).default('quick')),
  )
    .addHelpText('after', `
Examples:
  $ npx cloudexit verify --phase 2                 quick: no download
  $ npx cloudexit verify --mode full --dataset snds-extracts
  $ sha256sum -c .cloudexit/evidence/emc2/hcl/manifest.sha256   (from a download of the dataset)`)
    .action(async (options: DataOptions & { mode: VerifyMode }) => {
    const session = await openSession(options, `verify ${options.mode}`);
    const report = await runVerify(session, options.mode);
    await session.audit(`verify-${options.mode}`, report.ok ? 'succeeded' : 'failed', {
      datasets: report.datasets.map((d) => ({ dataset: d.dataset, verified: d.verified, mismatches: d.mismatches.map((m) => `${m.targetKey}: ${m.problem}`), manifestSha256: d.manifest?.sha256 })),
    });
    await session.finish(report.ok ? 'succeeded' : 'failed', { objects: report.verified, bytes: 0, failed: report.mismatches });
    if (options.json) printJson(report);
    else process.stdout.write(`${renderVerify(report)}\n`);
    process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
  });
}
