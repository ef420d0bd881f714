import type { Command } from 'commander';
import type { ProbeUseCaseReport } from '../../app/probe.ts';
import { addDataOptions, sessionOptionsOf, type DataOptions } from '../data-options.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson, renderTable } from '../output.ts';

export function renderProbe(report: ProbeUseCaseReport): string {
  const lines: string[] = [];
  for (const target of report.targets) {
    lines.push(
      `${target.target} (${target.datasets.join(', ')}): ${target.origin === 'measured' ? 'probed' : 'as probed'} at ${target.at}`,
    );
    lines.push(
      renderTable(
        ['capability', 'value', 'seen'],
        target.rows.map((r) => [r.capability, r.value, r.seen]),
      ),
      '',
    );
  }
  if (report.targets.length === 0) lines.push('no object dataset selected: nothing to probe');
  return lines.join('\n').trimEnd();
}

export function registerProbeCommand(program: Command): void {
  addDataOptions(
    program
      .command('probe')
      .summary('measure what each target does with ETags, metadata, tags and vanished uploads')
      .description(
        "Writes throw-away objects under each target dataset's reserved .cloudexit/ prefix (and removes them) to measure: the ETag " +
          'of a one-shot PUT and of a multipart upload, whether a wrong Content-MD5 is refused, how metadata names come back, how much ' +
          'metadata fits, whether tags work, and what the target answers for an upload that no longer exists. The engine then relies on ' +
          'what was measured, not on what a vendor documents. Recorded in the state and the audit log; `copy` probes a target the first ' +
          'time it writes to it, and again when its endpoint changes.',
      )
      .option('--dry-run', 'probe nothing and write nothing: show what earlier probes recorded (no secret needed)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit probe --dataset hcl              probe the bucket of one dataset
  $ npx cloudexit probe --json | jq '.targets[].capabilities'`,
    )
    .action(async (options: DataOptions & { dryRun?: boolean }) => {
      const { probe } = await import('../../app/probe.ts');
      const report = await withCommandIo(options, (io) =>
        probe({ ...sessionOptionsOf(options, io), dryRun: options.dryRun === true }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderProbe(report)}\n`);
    });
}
