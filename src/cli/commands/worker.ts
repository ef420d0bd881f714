import { Option, type Command } from 'commander';
import { batchOf, leaseSecondsOf } from '../../app/limits.ts';
import type { WorkerReport } from '../../app/worker.ts';
import { formatBytes } from '../../plan/sizes.ts';
import { EXIT } from '../../errors.ts';
import { addDataOptions, sessionOptionsOf, type DataOptions } from '../data-options.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson, renderTable } from '../output.ts';

interface WorkerFlags extends DataOptions {
  batch?: number;
  leaseSeconds?: number;
  inventoryId?: string;
}

export function renderWorker(report: WorkerReport): string {
  const rows = report.datasets.map((d) => [
    d.dataset,
    d.copied,
    formatBytes(d.bytesCopied),
    d.partsResumed,
    d.failed.length,
  ]);
  const lines = [
    `worker ${report.workerId} (host ${report.host}, pid ${report.pid})`,
    renderTable(['dataset', 'copied', 'size', 'parts resumed', 'failed'], rows),
    `leases: ${report.leases.claimed} claimed, ${report.leases.lost} lost; ` +
      `${report.leases.fencedWrites} late writes refused; ${report.shardsListed} inventory shards listed`,
  ];
  for (const d of report.datasets) for (const f of d.failed.slice(0, 20)) lines.push(`  failed: ${f.error}`);
  lines.push(
    report.interrupted
      ? 'interrupted: the leases held were given back; any worker takes their objects'
      : report.ok
        ? `nothing left to copy: this worker copied ${report.copied} objects (${formatBytes(report.bytesCopied)})`
        : `${report.failed} objects failed here or are still to copy; run a worker again to retry them`,
  );
  return lines.join('\n');
}

export function registerWorkerCommand(program: Command): void {
  addDataOptions(
    program
      .command('worker')
      .summary('copy objects as one of many workers sharing a PostgreSQL state')
      .description(
        'Take part in a copy spread over many processes and machines. The worker claims batches of pending objects ' +
          'from the PostgreSQL state, holds each batch under a lease renewed by a heartbeat, and records every part ' +
          'and object under the lease’s fencing token: a worker that lost its lease (stopped, cut off) can never ' +
          'record, its late writes are refused and counted. The objects of a dead worker return to the pool when ' +
          'its lease expires, and its multipart uploads resume from the recorded parts in another worker. It stops ' +
          'when nothing is left that it has not tried, or on Ctrl-C / SIGTERM (the leases are given back). ' +
          'Exit code 0 when nothing is left to copy.',
      )
      .addOption(
        new Option('--batch <n>', 'objects claimed per lease (default: 16)').argParser((v: string) => batchOf(v)),
      )
      .addOption(
        new Option(
          '--lease-seconds <s>',
          'lease duration; the heartbeat renews it every third (default: 60)',
        ).argParser((v: string) => leaseSecondsOf(v)),
      )
      .option(
        '--inventory-id <id>',
        'list the source first, in prefix shards shared by every worker given the same id (default: copy what the state lists)',
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit inventory --state postgresql://cloudexit@db.internal:5432/cloudexit
  $ npx cloudexit worker --state postgresql://cloudexit@db.internal:5432/cloudexit --phase 1
  $ npx cloudexit worker --state "$STATE" --dataset hcl --batch 64 --lease-seconds 120 --json

Start one on each machine (as many as the target and the network take); they share the work
through the state. The password goes in PGPASSWORD or ~/.pgpass, never in the URL. The
source and target secrets come from the variables the plan names, as for \`copy\`.
\`cloudexit copy --workers N --state postgresql://…\` starts N workers on this machine.
\`cloudexit status --state postgresql://…\` shows the fleet: workers, leases, throughput.
See docs/workers.md.`,
    )
    .action(async (options: WorkerFlags) => {
      const { worker } = await import('../../app/worker.ts');
      const report = await withCommandIo(options, (io) =>
        worker({
          ...sessionOptionsOf(options, io),
          batch: options.batch,
          leaseSeconds: options.leaseSeconds,
          inventoryId: options.inventoryId,
        }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderWorker(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}
