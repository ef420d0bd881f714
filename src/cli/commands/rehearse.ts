import type { Command } from 'commander';
import { DEFAULT_PLAN, DEFAULT_REHEARSAL_OUT } from '../../app/paths.ts';
import type { RehearsalReport } from '../../app/rehearse.ts';
import { formatBytes } from '../../plan/sizes.ts';
import { EXIT } from '../../errors.ts';
import { importOptional } from '../../optional-import.ts';
import { Option } from 'commander';
import { bandwidthOption, concurrencyOption } from '../data-options.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson, renderTable } from '../output.ts';

interface RehearseFlags {
  plan: string;
  dataset?: string[];
  phase?: string;
  out: string;
  concurrency?: number;
  bandwidth?: number;
  keep?: boolean;
  target: 'auto' | 'ceph-rgw' | 's3rver';
  progress?: boolean;
  json?: boolean;
}

export function renderRehearsal(report: RehearsalReport): string {
  const rows = report.datasets.map((d) => [
    d.name,
    d.objects,
    formatBytes(d.bytes),
    d.copied,
    d.verifiedQuick,
    d.verifiedFull,
    d.mismatches + d.failed,
  ]);
  const lines = [
    renderTable(['dataset', 'objects', 'size', 'copied', 'verified quick', 'verified full', 'problems'], rows),
    '',
    `${report.ok ? 'REHEARSAL PASSED' : 'REHEARSAL FAILED'}: ${report.objects} objects, ${formatBytes(report.bytes)}, ` +
      `${report.copied} copied, ${report.verified} verified by SHA-256, ${report.mismatches} mismatches, ${report.failed} failed, in ${report.seconds} s`,
    ...report.databases.map(
      (d) => `database ${d.name} (PostgreSQL, ${d.method}): ${d.status}, ${d.tables} tables, ${formatBytes(d.bytes)}`,
    ),
    ...(report.databases.length > 0
      ? [
          `tables: ${report.tables.count}, verified by fingerprint: ${report.tables.verified}, mismatches: ${report.tables.mismatches}`,
        ]
      : []),
    ...(report.databasesSkipped ? [report.databasesSkipped] : []),
    ...report.phases.map(
      (p) =>
        `phase ${p.id} ${p.name}: ${p.state}${p.stoppedAt ? ` (stopped at ${p.stoppedAt.step}: ${p.stoppedAt.error})` : ''}`,
    ),
    `decommissioned: ${report.decommission.datasets.length} datasets, ${report.decommission.objectsLeftAtSource} ` +
      `objects left at the source${report.decommission.residualUntil ? `, provider residues until ${report.decommission.residualUntil}` : ''}` +
      ` (certificates: ${report.outDir}/evidence/decommission/)`,
    `target: ${report.target.server} (${report.target.why})`,
    `audit log head: ${report.auditHead ?? '—'}`,
    `evidence (SHA-256 manifests): ${report.outDir}/evidence`,
    ...(report.runbooks ? [`runbooks: ${report.runbooks}/README.md (and overview.html)`] : []),
  ];
  if (report.kept) lines.push(`temporary data kept in ${report.kept}`);
  return lines.join('\n');
}

export function registerRehearseCommand(program: Command): void {
  program
    .command('rehearse')
    .summary('run the whole migration locally on embedded emulators (what `npm start` runs)')
    .description(
      'Start Azurite (source) and an S3 target on 127.0.0.1 — Ceph RGW, a real S3 implementation, where Ceph is installed, ' +
        's3rver otherwise — seed a synthetic EMC2 warehouse (2,042 objects, ' +
        '305 MiB, 0 bytes to 72 MiB, Unicode and deeply nested keys), then take every dataset of the plan through ' +
        'inventory → copy → verify quick → verify full. No cloud account needed. Exit code 0 only if every object ' +
        'is verified.',
    )
    .option('--plan <file>', 'migration plan whose datasets and limits are rehearsed', DEFAULT_PLAN)
    .option('--dataset <name...>', 'only these datasets')
    .option('--phase <id>', 'only the datasets of this phase')
    .option('--out <dir>', 'folder for evidence', DEFAULT_REHEARSAL_OUT)
    .addOption(concurrencyOption())
    .addOption(bandwidthOption('cap on source reads, e.g. 50MiB/s'))
    .addOption(
      new Option('--target <server>', 'the S3 target: Ceph RGW where it can run, else s3rver (auto)')
        .choices(['auto', 'ceph-rgw', 's3rver'])
        .default('auto'),
    )
    .option('--keep', "keep the emulators' data and the state, and print where")
    .option('--no-progress', 'no progress display')
    .option('--json', 'print one JSON object with the result on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npm start                                      the same as: npx cloudexit rehearse
  $ npx cloudexit rehearse --phase 1 --json
  $ npx cloudexit rehearse --bandwidth 20MiB/s     watch the progress bar and try Ctrl-C`,
    )
    .action(async (options: RehearseFlags) => {
      // Loaded on use: the emulators and SDKs are heavy, and `--help` should not wait for them.
      const { rehearse } = await importOptional(
        () => import('../../app/rehearse.ts'),
        ['azurite', 's3rver'],
        'cloudexit rehearse',
      );
      const report = await withCommandIo(options, (io) =>
        rehearse({
          plan: options.plan,
          dataset: options.dataset,
          phase: options.phase,
          out: options.out,
          keep: options.keep === true,
          concurrency: options.concurrency,
          bandwidth: options.bandwidth,
          progress: io.progress,
          signal: io.signal,
          target: options.target,
        }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderRehearsal(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}
