/**
 * `cloudexit state rebind`: the deliberate, audited way past the refusal every command gives
 * when a state was recorded for another plan (another migration, a dataset that moved).
 */
import type { Command } from 'commander';
import { DEFAULT_PLAN } from '../../app/paths.ts';
import { rebindState, type RebindReport } from '../../app/rebind.ts';
import { describeConflict } from '../../state/contracts/binding.ts';
import { printJson } from '../output.ts';

interface RebindFlags {
  plan: string;
  state?: string;
  reason: string;
  json?: boolean;
}

export function registerStateCommands(program: Command): void {
  const state = program
    .command('state')
    .summary('the state of a migration: rebind it to a plan that changed on purpose')
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
    .option('--state <file>', "state database (default: .cloudexit/<migration>.db in the plan's folder)")
    .requiredOption('--reason <text>', 'why the plan changed (recorded in the audit log)')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit state rebind --plan runbooks/emc2/plan.yaml --reason "snds moved to bucket emc2-snds-v2 (ticket 4121)"`,
    )
    .action(async (options: RebindFlags) => {
      const report = await rebindState({ plan: options.plan, state: options.state, reason: options.reason });
      if (options.json) printJson(report);
      else process.stdout.write(`${renderRebind(report)}\n`);
    });
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
