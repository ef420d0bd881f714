import type { Command } from 'commander';
import { copyDataset, type CopySummary } from '../../engine/copy.ts';
import { writeManifest, type ManifestSummary } from '../../engine/manifest.ts';
import { formatBytes } from '../../plan/sizes.ts';
import type { DatabaseRecord } from '../../state/state-store.ts';
import { EXIT } from '../../errors.ts';
import { printJson, renderTable } from '../output.ts';
import { addDataOptions, openSession, sessionDatabases, type DataOptions, type Session } from '../session.ts';

export interface CopyReport {
  runId: string;
  ok: boolean;
  interrupted: boolean;
  copied: number;
  bytesCopied: number;
  failed: number;
  datasets: (CopySummary & { manifest: ManifestSummary | undefined })[];
  /** PostgreSQL datasets: the record after their bulk copy. */
  databases: DatabaseRecord[];
}

/**
 * Copies the selected datasets. A dataset's manifest is (re)written once every object
 * of it is on the target, so a manifest never describes a half-copied dataset.
 */
export async function runCopy(session: Session, options: { inventory?: boolean } = {}): Promise<CopyReport> {
  const datasets: CopyReport['datasets'] = [];
  for (const dataset of session.datasets) {
    if (session.ctx.signal?.aborted) break;
    const summary = await copyDataset(session.ctx, dataset, options);
    const counts = await session.state.countObjects(dataset.name);
    const complete = counts.pending.objects === 0 && counts.failed.objects === 0 && !session.ctx.signal?.aborted;
    const manifest = complete ? await writeManifest(session.ctx, dataset, session.evidenceDir) : undefined;
    datasets.push({ ...summary, manifest });
  }
  const databases: DatabaseRecord[] = [];
  const opened = await sessionDatabases(session);
  for (const handle of opened?.handles ?? []) {
    if (session.ctx.signal?.aborted) break;
    databases.push(await opened!.operations.copyDatabase(handle, opened!.ops));
  }
  const failed = datasets.reduce((n, d) => n + d.failed.length, 0) + databases.filter((d) => d.status === 'failed').length;
  const interrupted = session.ctx.signal?.aborted === true;
  return {
    runId: session.ctx.runId,
    databases,
    ok: failed === 0 && !interrupted && datasets.length === session.datasets.length && databases.length === session.databases.length,
    interrupted,
    copied: datasets.reduce((n, d) => n + d.copied, 0),
    bytesCopied: datasets.reduce((n, d) => n + d.bytesCopied, 0),
    failed,
    datasets,
  };
}

export function renderCopy(report: CopyReport): string {
  const rows = report.datasets.map((d) => [d.dataset, d.copied, formatBytes(d.bytesCopied), d.alreadyCopied, d.partsResumed, d.failed.length, d.manifest ? d.manifest.file : '—']);
  const lines = [renderTable(['dataset', 'copied', 'size', 'already there', 'parts resumed', 'failed', 'manifest'], rows)];
  for (const d of report.datasets) {
    for (const f of d.failed.slice(0, 20)) lines.push(`  failed: ${f.error}`);
    if (d.inventory?.deletedAtSource.length) lines.push(`  ${d.dataset}: ${d.inventory.deletedAtSource.length} objects deleted at source (see \`cloudexit inventory\`)`);
  }
  for (const db of report.databases) {
    lines.push(`  ${db.dataset} (PostgreSQL, ${db.method}): ${db.status === 'failed' ? `FAILED: ${db.lastError}` : `${db.tables} tables, ${formatBytes(db.bytes)} copied in ${db.copySeconds?.toFixed(1)} s`}`);
  }
  lines.push(report.interrupted ? 'interrupted: run the same command again to finish; nothing copied is lost'
    : report.ok ? `copied ${report.copied} objects (${formatBytes(report.bytesCopied)})`
      : `${report.failed} objects failed; run the same command again to retry them`);
  return lines.join('\n');
}

export function registerCopyCommand(program: Command): void {
  addDataOptions(
    program
      .command('copy')
      .summary('copy new and changed objects to the target, resumably')
      .description(
        'List the source, then copy every new, changed or failed object: SHA-256 and MD5 computed while streaming, ' +
          'each part sent with its Content-MD5, every completed part and object recorded in the state, so an ' +
          'interrupted run (Ctrl-C, SIGKILL, crash) resumes where it stopped. Writes each dataset\'s SHA-256 manifest ' +
          'once it is complete. Exit code 0 only when every object is on the target.',
      )
      .option('--no-inventory', 'copy what the state already lists, without listing the source again'),
  )
    .addHelpText('after', `
Examples:
  $ npx cloudexit copy --phase 1                  copy every dataset of phase 1
  $ npx cloudexit copy --dataset hcl --bandwidth 200MiB/s
  $ npx cloudexit copy --json | jq .failed        for scripts: one JSON object on stdout

Secrets come from the environment variables the plan names (source.auth, target.auth).
Run it again after any interruption: completed objects and parts are not sent twice.`)
    .action(async (options: DataOptions & { inventory: boolean }) => {
    const session = await openSession(options, 'copy');
    const report = await runCopy(session, { inventory: options.inventory });
    await session.audit('copy', report.ok ? 'succeeded' : report.interrupted ? 'interrupted' : 'failed', {
      datasets: report.datasets.map((d) => ({ dataset: d.dataset, copied: d.copied, bytes: d.bytesCopied, failed: d.failed.length, manifestSha256: d.manifest?.sha256 })),
    });
    await session.finish(report.ok ? 'succeeded' : 'failed', { objects: report.copied, bytes: report.bytesCopied, failed: report.failed });
    if (options.json) printJson(report);
    else process.stdout.write(`${renderCopy(report)}\n`);
    process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
  });
}
