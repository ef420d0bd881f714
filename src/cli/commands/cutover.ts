import type { Command } from 'commander';
import type { ApproveReport } from '../../app/approve.ts';
import type { CutoverReport } from '../../app/cutover.ts';
import { DEFAULT_PLAN } from '../../app/paths.ts';
import { OWNER_ROLES } from '../../cutover/gates.ts';
import { EXIT } from '../../errors.ts';
import { CUTOVER_STEPS } from '../../phase-record.ts';
import { createProgressDisplay } from '../progress-display.ts';
import { withCommandIo } from '../interrupts.ts';
import { printJson } from '../output.ts';
import { STATE_FLAGS, STATE_HELP } from '../data-options.ts';
import { approverName } from '../approver.ts';

interface CutoverFlags {
  plan: string;
  state?: string;
  phase: string;
  approve?: string;
  as?: string;
  allowSeveralRoles?: boolean;
  parity?: string;
  waiveParity?: string;
  commit?: boolean;
  hookStateDir?: string;
  evidence?: string;
  json?: boolean;
  progress?: boolean;
}

export function renderCutover(result: CutoverReport): string {
  const lines = [`phase ${result.phaseId}: ${result.state}`];
  for (const step of CUTOVER_STEPS) {
    const mark = result.ran.includes(step) ? '✓ done now' : result.stoppedAt?.step === step ? '✗ stopped' : '';
    if (mark) lines.push(`  ${step.padEnd(12)} ${mark}`);
  }
  if (result.gates && result.stoppedAt?.step === 'preflight') {
    lines.push('  go/no-go gates:', ...result.gates.map((g) => `    ${g.ok ? '✓' : '✗'} ${g.gate}: ${g.detail}`));
  } else if (result.stoppedAt) lines.push(`  ${result.stoppedAt.error}`);
  if (result.state === 'committed' && result.ran.length === 0) lines.push('  already committed: nothing to do');
  if (result.awaitingCommit && !result.stoppedAt)
    lines.push(
      `  stopped before the commit, the point of no return: commit with \`cloudexit cutover --phase ${result.phaseId} --commit\`, or roll back with \`cloudexit rollback --phase ${result.phaseId}\``,
    );
  return lines.join('\n');
}

export function renderApproval(report: ApproveReport): string {
  const waiting = report.waitingFor.map((w) => `${w.title} (${w.name})`).join(', ');
  return `go recorded for phase ${report.phase}; ${waiting ? `still waiting for: ${waiting}` : 'every owner has given their go'}`;
}

export function registerCutoverCommands(program: Command): void {
  program
    .command('cutover')
    .summary('take a phase from bulk copied to served from the new host, step by step')
    .description(
      "Steps: preflight gates (bulk copy complete, full verify clean, stack parity with every gap accepted — or --waive-parity —, every owner's go, hook files found) → " +
        'freeze (hook) → quiescence check (the source listed again: any write after the freeze aborts) → final delta sync → ' +
        'verify (full for what changed, quick for the rest) → switch (hook) → smoke check (hook) → commit, the point of no return, ' +
        'only with --commit: without it the cutover stops after the smoke check. ' +
        'Every step is recorded in the state and the audit log before the next starts; after a failure or a crash the same command ' +
        'resumes at the step that did not finish. Exit code 0 when the phase is committed, or waits for --commit with every earlier step done.',
    )
    .requiredOption('--phase <id>', 'the phase to cut over')
    .option(
      '--approve <name>',
      `record the go of one owner (a role: ${OWNER_ROLES.join(', ')}, or the owner's name in the plan) and stop; needs --as`,
    )
    .option('--as <name>', 'with --approve: the name of the person giving the go (recorded with the OS user and host)')
    .option('--allow-several-roles', 'with --approve: let one person give the go of two roles of the phase')
    .option(
      '--waive-parity <reason>',
      'pass the parity gate without a clean report; the reason is recorded in the audit log',
    )
    .option('--commit', 'go through the commit, the point of no return (without it, stop after the smoke check)')
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option(STATE_FLAGS, STATE_HELP)
    .option('--parity <file>', 'saved `cloudexit parity --json` report (default: .cloudexit/parity.json when present)')
    .option('--hook-state-dir <dir>', 'CLOUDEXIT_STATE_DIR for the hooks (default: .cloudexit/hooks)')
    .option('--evidence <dir>', 'folder for manifests written by the final sync')
    .option('--no-progress', 'no progress display')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit cutover --phase 2 --approve dpo --as "Jeanne Martin"   record the DPO's go
  $ npx cloudexit cutover --phase 2                        run (or resume) the cutover up to the smoke check
  $ npx cloudexit cutover --phase 2 --commit               then commit: the point of no return
  $ npx cloudexit rollback --phase 2                       go back to the source before the commit`,
    )
    .action(async (options: CutoverFlags) => {
      if (options.approve !== undefined) return approveAction(options, options.approve);
      const { cutover } = await import('../../app/cutover.ts');
      const result = await withCommandIo(options, (io) =>
        cutover({
          plan: options.plan,
          state: options.state,
          phase: options.phase,
          evidence: options.evidence,
          parity: options.parity,
          waiveParity: options.waiveParity,
          commit: options.commit === true,
          hookStateDir: options.hookStateDir,
          progress: io.progress,
          signal: io.signal,
        }),
      );
      if (options.json) printJson(result);
      else process.stdout.write(`${renderCutover(result)}\n`);
      const done = result.state === 'committed' || (result.awaitingCommit && !result.stoppedAt);
      process.exitCode = done ? EXIT.ok : EXIT.failed;
    });

  program
    .command('rollback')
    .summary('return a phase to the source, at any point before the commit')
    .description(
      'Runs the rollback hook when readers may have been switched, then the thaw hook when the source was frozen. Refuses after the commit, and says why.',
    )
    .requiredOption('--phase <id>', 'the phase to roll back')
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option(STATE_FLAGS, STATE_HELP)
    .option('--hook-state-dir <dir>', 'CLOUDEXIT_STATE_DIR for the hooks (default: .cloudexit/hooks)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (options: Omit<CutoverFlags, 'approve'>) => {
      const { rollback } = await import('../../app/rollback.ts');
      const result = await rollback({
        plan: options.plan,
        state: options.state,
        phase: options.phase,
        hookStateDir: options.hookStateDir,
        progress: await createProgressDisplay({ quiet: true }),
      });
      if (options.json) printJson(result);
      else process.stdout.write(`${result.message}\n`);
      process.exitCode = result.outcome === 'refused' ? EXIT.failed : EXIT.ok;
    });
}

async function approveAction(options: CutoverFlags, owner: string): Promise<void> {
  const as = approverName(options.as, `cloudexit cutover --phase ${options.phase} --approve ${owner}`);
  const { approve } = await import('../../app/approve.ts');
  const report = await approve({
    plan: options.plan,
    state: options.state,
    phase: options.phase,
    owner,
    as,
    allowSeveralRoles: options.allowSeveralRoles === true,
  });
  if (options.json) printJson({ phase: report.phase, approvals: report.approvals, missing: report.missing });
  else process.stdout.write(`${renderApproval(report)}\n`);
}
