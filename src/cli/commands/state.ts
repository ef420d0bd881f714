/**
 * `cloudexit state rebind`: the deliberate, audited way past the refusal every command gives
 * when a state was recorded for another plan (another migration, a dataset that moved).
 */
import type { Command } from 'commander';
import { DEFAULT_PLAN } from '../../app/paths.ts';
import type { RebindReport } from '../../app/rebind.ts';
import type { StateMigrateReport } from '../../app/state-migrate.ts';
import { EXIT, UserError } from '../../errors.ts';
import { describeConflict } from '../../state/contracts/binding.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson, renderTable } from '../output.ts';

interface RebindFlags {
  plan: string;
  state?: string;
  reason: string;
  json?: boolean;
}

export function registerStateCommands(program: Command): void {
  const state = program
    .command('state')
    .summary('the state of a migration: rebind it to a plan that changed on purpose, move it to PostgreSQL')
    .description(
      'A state is bound to its migration and to where each dataset comes from and goes to; every command refuses ' +
        'a plan that disagrees (exit 2), so progress recorded for one mapping is never taken for another.',
    );

  state
    .command('rebind')
    .description(
      'bind the state to the plan as it is now, overriding what it recorded; the reason and what was overridden ' +
        'go to the state and the audit log',
    )
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option(
      '--state <file|url>',
      "state: a SQLite file or a postgresql:// URL (default: .cloudexit/<migration>.db in the plan's folder)",
    )
    .requiredOption('--reason <text>', 'why the plan changed (recorded in the audit log)')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit state rebind --plan runbooks/emc2/plan.yaml --reason "snds moved to bucket emc2-snds-v2 (ticket 4121)"`,
    )
    .action(async (options: RebindFlags) => {
      const { rebindState } = await import('../../app/rebind.ts');
      const report = await rebindState({ plan: options.plan, state: options.state, reason: options.reason });
      if (options.json) printJson(report);
      else process.stdout.write(`${renderRebind(report)}\n`);
    });

  registerStateMigrate(state);
}

interface MigrateFlags {
  plan: string;
  from?: string;
  to: string;
  batchSize?: string;
  json?: boolean;
  progress?: boolean;
}

function registerStateMigrate(state: Command): void {
  state
    .command('migrate')
    .description(
      'move a SQLite state into an empty PostgreSQL database (for workers on many machines), in one transaction, ' +
        'then compare both sides: counts per contract and status, and the audit head, recomputed on the target. ' +
        'Exit 0 when they agree, 1 when they differ, 2 when the target is not empty (nothing written)',
    )
    .option('--plan <file>', 'migration plan, read only to find the default --from', DEFAULT_PLAN)
    .option('--from <file>', "the SQLite state to move (default: .cloudexit/<migration>.db in the plan's folder)")
    .requiredOption('--to <url>', 'the PostgreSQL state: postgresql://USER@HOST:PORT/DATABASE, an empty database')
    .option('--batch-size <rows>', 'rows per INSERT (default: 500)')
    .option('--no-progress', 'no progress display')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ PGPASSWORD=… npx cloudexit state migrate --to postgresql://cloudexit@db.internal:5432/emc2_state
  $ npx cloudexit state migrate --from .cloudexit/emc2.db --to postgresql://cloudexit@db:5432/emc2 --json \
      | jq '.ok, .source.census.auditHead.hash == .target.census.auditHead.hash'

The password goes in PGPASSWORD or ~/.pgpass, not in the URL. Atomic: an interruption leaves the
target empty; run the same command again. Then pass the same URL to --state of every command.`,
    )
    .action(async (options: MigrateFlags) => {
      // Only this command moves a state into PostgreSQL: loaded here (as every command's use
      // case), the PostgreSQL client and store stay out of every other run.
      const { migrateState } = await import('../../app/state-migrate.ts');
      const report = await withCommandIo(options, (io) =>
        migrateState({
          plan: options.plan,
          from: options.from,
          to: options.to,
          batchSize: batchSizeOf(options.batchSize),
          progress: io.progress,
          signal: io.signal,
        }),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${renderMigrate(report)}\n`);
      if (!report.ok) process.exitCode = EXIT.failed;
    });
}

function batchSizeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 2000)
    throw new UserError(`--batch-size must be a whole number from 1 to 2000, not "${value}"`, {
      fix: 'pass --batch-size 500, or leave it out',
    });
  return n;
}

/** Both sides, line by line, for a person. */
export function renderMigrate(report: StateMigrateReport): string {
  const { source, target } = report;
  const row = (what: string, s: unknown, t: unknown) => [what, String(s), String(t), s === t ? '' : '≠'];
  const datasets = [...new Set([...Object.keys(source.census.objects), ...Object.keys(target.census.objects)])];
  const statuses = (census: typeof source.census, dataset: string) =>
    Object.entries(census.objects[dataset] ?? {})
      .map(([status, n]) => `${status} ${n}`)
      .join(', ');
  const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
  const rows = [
    row('migration', source.census.migration, target.census.migration),
    ...datasets.map((d) => row(`objects ${d}`, statuses(source.census, d), statuses(target.census, d))),
    row(
      'uploads (parts)',
      `${source.census.uploads} (${source.census.uploadParts})`,
      `${target.census.uploads} (${target.census.uploadParts})`,
    ),
    row('runs', total(source.census.runs), total(target.census.runs)),
    row('phases', total(source.census.phases), total(target.census.phases)),
    row('databases', total(source.census.databases), total(target.census.databases)),
    row('probes', source.census.probes, target.census.probes),
    row('audit events', source.chain.count, target.chain.count),
    row('audit head', source.chain.head ?? 'none', target.chain.head ?? 'none'),
  ];
  return [
    `state moved in one transaction: ${source.location} → ${target.location}`,
    renderTable(['', 'SQLite (source)', 'PostgreSQL (target)', ''], rows),
    report.ok
      ? 'both sides agree, and the audit chain recomputes on the target: pass the same URL to --state from now on'
      : `THE TWO SIDES DIFFER:\n${report.differences.map((d) => `  ${d}`).join('\n')}`,
  ].join('\n');
}

/** Lines for a person. */
export function renderRebind(report: RebindReport): string {
  const lines = [`state ${report.statePath} rebound to migration ${report.migration} (audit event ${report.auditSeq})`];
  if (report.conflicts.length === 0) lines.push('it already matched the plan: nothing was overridden');
  else lines.push('overridden:', ...report.conflicts.map((c) => `  - ${describeConflict(c)}`));
  if (report.added.length > 0) lines.push(`datasets added: ${report.added.map((d) => d.name).join(', ')}`);
  if (report.removed.length > 0)
    lines.push(`datasets no longer in the plan (kept): ${report.removed.map((d) => d.name).join(', ')}`);
  return lines.join('\n');
}
