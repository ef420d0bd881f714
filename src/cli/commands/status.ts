import type { Command } from 'commander';
import { DEFAULT_PLAN } from '../../app/paths.ts';
import type { StatusReport } from '../../app/status.ts';
import { formatBytes } from '../../plan/sizes.ts';
import { renderFleet } from '../../report/fleet.ts';
import { printJson, renderTable } from '../output.ts';
import { STATE_FLAGS, STATE_HELP } from '../data-options.ts';

export function renderStatus(s: StatusReport): string {
  const w = s.window;
  const lines = [
    `${s.title}`,
    ...(s.started ? [] : [`not started: no state at ${s.statePath} yet (nothing has run)`]),
    `today ${w.today} (Europe/Paris) · window closes ${w.closesOn}: ${w.daysLeft} days left · every phase committed by ${w.deadline} (${w.daysToDeadline} days)`,
    s.throughput
      ? `measured throughput: ${formatBytes(s.throughput.bytesPerSecond)}/s, ${s.throughput.objectsPerSecond.toFixed(1)} objects/s (${s.throughput.runs} copy runs)`
      : 'measured throughput: none yet (no finished copy run)',
    '',
    renderTable(
      ['phase', 'state', 'last step', 'copied', 'verified (full)', 'size', 'go', 'planned', 'bulk copy ends', 'risk'],
      s.phases.map((p) => [
        `${p.id} ${p.name}`,
        p.failed ? `${p.state}, stopped at ${p.failed.step}` : p.state,
        p.lastStep ?? '—',
        `${p.copiedObjects}/${p.objects}`,
        `${p.verifiedObjects} (${p.verifiedFullObjects})`,
        formatBytes(p.bytes),
        `${p.approvals.length}/4`,
        p.plannedCutover,
        p.projectedBulkCopyEnd?.slice(0, 10) ?? '—',
        p.risks.map((r) => r.label).join(', '),
      ]),
    ),
  ];
  const databases = s.phases.flatMap((p) => p.databases.map((d) => ({ phase: p.id, ...d })));
  if (databases.length > 0) {
    lines.push(
      '',
      renderTable(
        ['database', 'phase', 'method', 'state', 'tables', 'size', 'tables verified', 'mismatches', 'replication lag'],
        databases.map((d) => [
          d.name,
          d.phase,
          d.method,
          d.status,
          d.tables,
          formatBytes(d.bytes),
          d.tablesVerified,
          d.mismatches,
          d.lag
            ? `${d.lag.caughtUp ? 'caught up' : formatBytes(d.lag.bytes)} (at ${d.lag.at.slice(0, 16).replace('T', ' ')} UTC)`
            : '—',
        ]),
      ),
    );
  }
  const gone = s.phases.flatMap((p) => p.decommission.filter((d) => d.goneAt || d.residualUntil));
  if (gone.length > 0) lines.push('', 'decommission:', ...gone.map((d) => `  ${d.dataset}: ${d.sentence}`));
  lines.push(...renderFleet(s.fleet));
  if (s.risks.length > 0) lines.push('', 'risks:', ...s.risks.map((r) => `  - ${r}`));
  return lines.join('\n');
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .summary('phases, days left in the window, progress, projected dates and risks')
    .description('Reads the plan and the state only: no secret needed, nothing changed, safe to run at any time.')
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option(STATE_FLAGS, STATE_HELP)
    .option(
      '--parity <file>',
      'saved `cloudexit parity --json` report for the parity gate (default: .cloudexit/parity.json when present)',
    )
    .option('--live', 'measure the replication lag of logical PostgreSQL datasets now (needs their passwords)')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit status
  $ npx cloudexit status --json | jq '.phases[] | {id, state, risks: [.risks[].kind]}'
  $ CLOUDEXIT_NOW=2026-12-10 npx cloudexit status     as it would read on that day`,
    )
    .action(async (options: { plan: string; state?: string; parity?: string; live?: boolean; json?: boolean }) => {
      const { status } = await import('../../app/status.ts');
      const report = await status({
        plan: options.plan,
        state: options.state,
        parity: options.parity,
        live: options.live === true,
      });
      if (options.json) printJson(report);
      else process.stdout.write(`${renderStatus(report)}\n`);
    });
}
