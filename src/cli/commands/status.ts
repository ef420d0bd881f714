import type { Command } from 'commander';
import { clockFromEnv } from '../../plan/clock.ts';
import type { LoadedPlan } from '../../plan/load.ts';
import type { PostgresDataset } from '../../plan/schema.ts';
import type { StateStore } from '../../state/state-store.ts';
import { formatBytes } from '../../plan/sizes.ts';
import { migrationStatus, type MigrationStatus } from '../../report/status.ts';
import { printJson, renderTable } from '../output.ts';
import { loadParityReport } from '../parity-report.ts';
import { DEFAULT_PLAN, openPlanAndState } from '../session.ts';

export function renderStatus(s: MigrationStatus): string {
  const w = s.window;
  const lines = [
    `${s.title}`,
    `today ${w.today} (Europe/Paris) · window closes ${w.closesOn}: ${w.daysLeft} days left · every phase committed by ${w.deadline} (${w.daysToDeadline} days)`,
    s.throughput
      ? `measured throughput: ${formatBytes(s.throughput.bytesPerSecond)}/s, ${s.throughput.objectsPerSecond.toFixed(1)} objects/s (${s.throughput.runs} copy runs)`
      : 'measured throughput: none yet (no finished copy run)',
    '',
    renderTable(
      ['phase', 'state', 'last step', 'copied', 'verified (full)', 'size', 'go', 'planned', 'bulk copy ends', 'risk'],
      s.phases.map((p) => [
        `${p.id} ${p.name}`, p.failed ? `${p.state}, stopped at ${p.failed.step}` : p.state, p.lastStep ?? '—',
        `${p.copiedObjects}/${p.objects}`, `${p.verifiedObjects} (${p.verifiedFullObjects})`, formatBytes(p.bytes),
        `${p.approvals.length}/4`, p.plannedCutover, p.projectedBulkCopyEnd?.slice(0, 10) ?? '—', p.atRisk ? 'AT RISK' : '',
      ]),
    ),
  ];
  const databases = s.phases.flatMap((p) => p.databases.map((d) => ({ phase: p.id, ...d })));
  if (databases.length > 0) {
    lines.push('', renderTable(['database', 'phase', 'method', 'state', 'tables', 'size', 'tables verified', 'mismatches', 'replication lag'], databases.map((d) => [
      d.name, d.phase, d.method, d.status, d.tables, formatBytes(d.bytes), d.tablesVerified, d.mismatches,
      d.lag ? `${d.lag.caughtUp ? 'caught up' : formatBytes(d.lag.bytes)} (at ${d.lag.at.slice(0, 16).replace('T', ' ')} UTC)` : '—',
    ])));
  }
  if (s.risks.length > 0) lines.push('', 'risks:', ...s.risks.map((r) => `  - ${r}`));
  return lines.join('\n');
}

/** Connects to each logical PostgreSQL dataset and records its replication lag as of now. */
async function measureLiveLag(plan: LoadedPlan, state: StateStore): Promise<void> {
  const logical = plan.datasets.filter((d): d is PostgresDataset => d.kind === 'postgres' && d.method === 'logical');
  if (logical.length === 0) return;
  const { measureLag, openDatabase } = await import('../../databases/operations.ts');
  const quiet = { start() {}, advance() {}, stop() {}, note() {} };
  for (const dataset of logical) await measureLag(openDatabase(dataset, { progress: quiet }), { state });
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .summary('phases, days left in the window, progress, projected dates and risks')
    .description('Reads the plan and the state only: no secret needed, nothing changed, safe to run at any time.')
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option('--state <file>', 'state database (default: .cloudexit/<migration>.db)')
    .option('--parity <file>', 'saved `cloudexit parity --json` report for the parity gate (default: .cloudexit/parity.json when present)')
    .option('--live', 'measure the replication lag of logical PostgreSQL datasets now (needs their passwords)')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', `
Examples:
  $ npx cloudexit status
  $ npx cloudexit status --json | jq '.phases[] | {id, state, atRisk}'
  $ CLOUDEXIT_NOW=2026-12-10 npx cloudexit status     as it would read on that day`)
    .action(async (options: { plan: string; state?: string; parity?: string; live?: boolean; json?: boolean }) => {
      const { plan, state } = await openPlanAndState(options, options.live !== true);
      try {
        if (options.live) await measureLiveLag(plan, state);
        const status = await migrationStatus(plan, state, clockFromEnv(), await loadParityReport(options.parity));
        if (options.json) printJson(status);
        else process.stdout.write(`${renderStatus(status)}\n`);
      } finally {
        await state.close();
      }
    });
}
