import type { Command } from 'commander';
import { copy, type CopyReport } from '../../app/copy.ts';
import { formatBytes } from '../../plan/sizes.ts';
import { EXIT } from '../../errors.ts';
import { addDataOptions, sessionOptionsOf, type DataOptions } from '../data-options.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson, renderTable } from '../output.ts';

export function renderCopy(report: CopyReport): string {
  const rows = report.datasets.map((d) => [
    d.dataset,
    d.copied,
    formatBytes(d.bytesCopied),
    d.alreadyCopied,
    d.partsResumed,
    d.failed.length,
    d.manifest ? d.manifest.file : '—',
  ]);
  const lines = [
    renderTable(['dataset', 'copied', 'size', 'already there', 'parts resumed', 'failed', 'manifest'], rows),
  ];
  for (const d of report.datasets) {
    for (const f of d.failed.slice(0, 20)) lines.push(`  failed: ${f.error}`);
    if (d.inventory?.deletedAtSource.length)
      lines.push(
        `  ${d.dataset}: ${d.inventory.deletedAtSource.length} objects deleted at source (see \`cloudexit inventory\`)`,
      );
  }
  for (const db of report.databases) {
    lines.push(
      `  ${db.dataset} (PostgreSQL, ${db.method}): ${db.status === 'failed' ? `FAILED: ${db.lastError}` : `${db.tables} tables, ${formatBytes(db.bytes)} copied in ${db.copySeconds?.toFixed(1)} s`}`,
    );
  }
  lines.push(
    report.interrupted
      ? 'interrupted: run the same command again to finish; nothing copied is lost'
      : report.ok
        ? `copied ${report.copied} objects (${formatBytes(report.bytesCopied)})`
        : `${report.failed} objects failed; run the same command again to retry them`,
  );
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
          "interrupted run (Ctrl-C, SIGKILL, crash) resumes where it stopped. Writes each dataset's SHA-256 manifest " +
          'once it is complete. Exit code 0 only when every object is on the target.',
      )
      .option('--no-inventory', 'copy what the state already lists, without listing the source again'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit copy --phase 1                  copy every dataset of phase 1
  $ npx cloudexit copy --dataset hcl --bandwidth 200MiB/s
  $ npx cloudexit copy --json | jq .failed        for scripts: one JSON object on stdout

Secrets come from the environment variables the plan names (source.auth, target.auth).
Run it again after any interruption: completed objects and parts are not sent twice.`,
    )
    .action(async (options: DataOptions & { inventory: boolean }) => {
      const report = await withCommandIo(options, (io) =>
        copy({ ...sessionOptionsOf(options, io), inventory: options.inventory }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderCopy(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}
