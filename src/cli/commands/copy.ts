import { Option, type Command } from 'commander';
import type { CopyReport } from '../../app/copy.ts';
import { batchOf, leaseSecondsOf, workersOf } from '../../app/limits.ts';
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
  for (const s of report.skipped)
    lines.push(
      `  ${s.dataset}: skipped, phase ${s.phase} was committed at ${s.committedAt} (the target is the reference copy)`,
    );
  for (const d of report.datasets) {
    for (const c of d.conflicts.slice(0, 20))
      lines.push(
        `  conflict: ${d.dataset}: ${c.targetKey}: the target holds ETag ${c.targetEtag}, ${c.recordedEtag === undefined ? 'not written by cloudexit' : `cloudexit wrote ${c.recordedEtag}`}; kept, not overwritten`,
      );
    const conflicted = new Set(d.conflicts.map((c) => c.key));
    for (const f of d.failed.filter((f) => !conflicted.has(f.key)).slice(0, 20)) lines.push(`  failed: ${f.error}`);
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
        : report.conflicts > 0
          ? `${report.conflicts} objects not copied: the target holds objects cloudexit did not write under their keys, ` +
            'kept as they are. Find out who wrote them; to replace one with the source version, move it aside on the ' +
            'target and run the same command again.' +
            (report.failed > report.conflicts
              ? ` ${report.failed - report.conflicts} more failed; the same command retries them.`
              : '')
          : `${report.failed} objects failed; run the same command again to retry them`,
  );
  return lines.join('\n');
}

interface CopyFlags extends DataOptions {
  inventory: boolean;
  workers?: number;
  batch?: number;
  leaseSeconds?: number;
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
          'once it is complete. Never overwrites a target object cloudexit did not write, or that changed since it ' +
          'wrote it: such an object is a conflict, kept and reported. Datasets of a committed phase are never written ' +
          'from the source again. Exit code 0 only when every object is on the target.',
      )
      .option('--no-inventory', 'copy what the state already lists, without listing the source again')
      .addOption(
        new Option(
          '--workers <n>',
          'worker processes on this machine, sharing a PostgreSQL state (default: 1)',
        ).argParser((v: string) => workersOf(v)),
      )
      .addOption(
        new Option('--batch <n>', 'objects a worker claims at once (default: 16)').argParser((v) => batchOf(v)),
      )
      .addOption(
        new Option('--lease-seconds <s>', "how long a worker's claim lasts unless renewed (default: 60)").argParser(
          (v: string) => leaseSecondsOf(v),
        ),
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit copy --phase 1                  copy every dataset of phase 1
  $ npx cloudexit copy --dataset hcl --bandwidth 200MiB/s
  $ npx cloudexit copy --json | jq .failed        for scripts: one JSON object on stdout

After a phase's commit the target is the reference copy:
  - with --phase or --dataset naming a dataset of a committed phase, copy refuses before
    writing anything (exit code 2), naming the dataset, the phase and when it was committed;
  - without them (every dataset), the datasets of committed phases are skipped, each with a note.

Conflicts: an object whose target key holds something cloudexit did not write (or that changed
since cloudexit wrote it) is not written; it is reported as a conflict and the exit code is 1.
Move the target object aside to let the source version replace it.

With --state postgresql://… the copy runs as a worker of that state, and --workers N starts N
worker processes here (\`cloudexit worker\` on other machines joins them; see docs/workers.md):
  $ npx cloudexit copy --phase 1 --state postgresql://cloudexit@db.internal/cloudexit --workers 4
With a SQLite state --workers above 1 is refused (exit code 2): only PostgreSQL is shared.

Secrets come from the environment variables the plan names (source.auth, target.auth).
Run it again after any interruption: completed objects and parts are not sent twice.`,
    )
    .action(async (options: CopyFlags) => {
      const { copy } = await import('../../app/copy.ts');
      const report = await withCommandIo(options, (io) =>
        copy({
          ...sessionOptionsOf(options, io),
          inventory: options.inventory,
          workers: options.workers,
          batch: options.batch,
          leaseSeconds: options.leaseSeconds,
        }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderCopy(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}
