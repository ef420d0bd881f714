import type { Command } from 'commander';
import { recordApproval } from '../../cutover/approve.ts';
import { OWNER_ROLES, ROLE_TITLES } from '../../cutover/gates.ts';
import { runCutover, type CutoverResult } from '../../cutover/machine.ts';
import { rollbackPhase, type RollbackResult } from '../../cutover/rollback.ts';
import { clockFromEnv } from '../../plan/clock.ts';
import type { LoadedPlan } from '../../plan/load.ts';
import type { Phase, PostgresDataset } from '../../plan/schema.ts';
import type { DatabaseCutover, DatabaseOpsContext } from '../../databases/operations.ts';
import { CUTOVER_STEPS } from '../../state/state-store.ts';
import { EXIT, UserError } from '../../errors.ts';
import { currentActor, planHookRunner } from '../hook-wiring.ts';
import { printJson } from '../output.ts';
import { loadParityReport } from '../parity-report.ts';
import { DEFAULT_PLAN, openPlanAndState, openSession } from '../session.ts';

interface CutoverOptions {
  plan: string;
  state?: string;
  phase: string;
  approve?: string;
  parity?: string;
  hookStateDir?: string;
  evidence?: string;
  json?: boolean;
  progress?: boolean;
}

export function phaseOf(plan: LoadedPlan, id: string): Phase {
  const phase = plan.phases.find((p) => String(p.id) === id);
  if (!phase) throw new UserError(`there is no phase ${id} in ${plan.file}`, { fix: `use one of: ${plan.phases.map((p) => p.id).join(', ')}` });
  return phase;
}

/** Cutover handles of the phase's PostgreSQL datasets (loads the database modules only when there are some). */
async function databaseHandles(phase: Phase, databases: readonly PostgresDataset[], ops: DatabaseOpsContext): Promise<DatabaseCutover[]> {
  const mine = databases.filter((d) => phase.datasets.includes(d.name));
  if (mine.length === 0) return [];
  const { databaseCutover, openDatabase } = await import('../../databases/operations.ts');
  return mine.map((d) => databaseCutover(openDatabase(d, ops), ops));
}

export function renderCutover(result: CutoverResult): string {
  const lines = [`phase ${result.phaseId}: ${result.state}`];
  for (const step of CUTOVER_STEPS) {
    const mark = result.ran.includes(step) ? '✓ done now' : result.stoppedAt?.step === step ? '✗ stopped' : '';
    if (mark) lines.push(`  ${step.padEnd(12)} ${mark}`);
  }
  if (result.gates && result.stoppedAt?.step === 'preflight') {
    lines.push('  go/no-go gates:', ...result.gates.map((g) => `    ${g.ok ? '✓' : '✗'} ${g.gate}: ${g.detail}`));
  } else if (result.stoppedAt) lines.push(`  ${result.stoppedAt.error}`);
  if (result.state === 'committed' && result.ran.length === 0) lines.push('  already committed: nothing to do');
  return lines.join('\n');
}

export function registerCutoverCommands(program: Command): void {
  program
    .command('cutover')
    .summary('take a phase from bulk copied to served from the new host, step by step')
    .description(
      'Steps: preflight gates (bulk copy complete, full verify clean, stack parity when saved, every owner\'s go) → ' +
        'freeze (hook) → quiescence check (the source listed again: any write after the freeze aborts) → final delta sync → ' +
        'verify (full for what changed, quick for the rest) → switch (hook) → smoke check (hook) → commit, the point of no return. ' +
        'Every step is recorded in the state and the audit log before the next starts; after a failure or a crash the same command ' +
        'resumes at the step that did not finish. Exit code 0 only when the phase is committed.',
    )
    .requiredOption('--phase <id>', 'the phase to cut over')
    .option('--approve <name>', `record the go of one owner (a role: ${OWNER_ROLES.join(', ')}, or the owner's name in the plan) and stop`)
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option('--state <file>', 'state database (default: .cloudexit/<migration>.db)')
    .option('--parity <file>', 'saved `cloudexit parity --json` report (default: .cloudexit/parity.json when present)')
    .option('--hook-state-dir <dir>', 'CLOUDEXIT_STATE_DIR for the hooks (default: .cloudexit/hooks)')
    .option('--evidence <dir>', 'folder for manifests written by the final sync')
    .option('--no-progress', 'no progress display')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', `
Examples:
  $ npx cloudexit cutover --phase 2 --approve dpo          record the DPO's go
  $ npx cloudexit cutover --phase 2                        run (or resume) the cutover
  $ npx cloudexit rollback --phase 2                       go back to the source before the commit`)
    .action(async (options: CutoverOptions) => {
      const clock = clockFromEnv();
      const actor = currentActor();
      if (options.approve !== undefined) {
        const { plan, state } = await openPlanAndState(options);
        try {
          const phase = phaseOf(plan, options.phase);
          const record = await recordApproval({ state, phase, clock, actor }, options.approve);
          const missing = OWNER_ROLES.filter((r) => !record.approvals.some((a) => a.role === r));
          if (options.json) printJson({ phase: phase.id, approvals: record.approvals, missing });
          else process.stdout.write(`go recorded for phase ${phase.id}; ${missing.length ? `still waiting for: ${missing.map((r) => `${ROLE_TITLES[r]} (${phase.owners[r]})`).join(', ')}` : 'every owner has given their go'}\n`);
          return;
        } finally {
          await state.close();
        }
      }
      const session = await openSession({ ...options, dataset: [] }, `cutover ${options.phase}`);
      const phase = phaseOf(session.plan, options.phase);
      let result: CutoverResult | undefined;
      try {
        const databases = await databaseHandles(phase, session.databases, { state: session.state, progress: session.ctx.progress, evidenceDir: session.evidenceDir });
        result = await runCutover({
          databases,
          state: session.state, phase, datasets: session.datasets, ctx: session.ctx, hooks: session.plan.hooks,
          runHook: planHookRunner(session.plan, phase, session.ctx.runId, { ...(options.hookStateDir ? { stateDir: options.hookStateDir } : {}), ...(session.ctx.signal ? { signal: session.ctx.signal } : {}) }),
          parity: await loadParityReport(options.parity), clock, actor,
        });
      } finally {
        await session.finish(result?.state === 'committed' ? 'succeeded' : 'failed', { objects: 0, bytes: 0, failed: result?.stoppedAt ? 1 : 0 });
      }
      if (options.json) printJson(result);
      else process.stdout.write(`${renderCutover(result)}\n`);
      process.exitCode = result.state === 'committed' ? EXIT.ok : EXIT.failed;
    });

  program
    .command('rollback')
    .summary('return a phase to the source, at any point before the commit')
    .description('Runs the rollback hook when readers may have been switched, then the thaw hook when the source was frozen. Refuses after the commit, and says why.')
    .requiredOption('--phase <id>', 'the phase to roll back')
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option('--state <file>', 'state database (default: .cloudexit/<migration>.db)')
    .option('--hook-state-dir <dir>', 'CLOUDEXIT_STATE_DIR for the hooks (default: .cloudexit/hooks)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (options: Omit<CutoverOptions, 'approve'>) => {
      const { plan, state } = await openPlanAndState(options);
      let result: RollbackResult;
      try {
        const phase = phaseOf(plan, options.phase);
        const runId = await state.startRun({ command: `rollback ${phase.id}`, scope: `phase ${phase.id}` });
        const progress = { start() {}, advance() {}, stop() {}, note: (m: string) => process.stderr.write(`${m}\n`) };
        const pgDatasets = plan.datasets.filter((d): d is PostgresDataset => d.kind === 'postgres');
        result = await rollbackPhase({
          databases: await databaseHandles(phase, pgDatasets, { state, progress, evidenceDir: '.cloudexit/evidence' }),
          state, phase, hooks: plan.hooks, clock: clockFromEnv(), actor: currentActor(),
          runHook: planHookRunner(plan, phase, runId, options.hookStateDir ? { stateDir: options.hookStateDir } : {}),
        });
        await state.finishRun(runId, result.outcome === 'refused' ? 'failed' : 'succeeded', { objects: 0, bytes: 0, failed: 0 });
      } finally {
        await state.close();
      }
      if (options.json) printJson(result);
      else process.stdout.write(`${result.message}\n`);
      process.exitCode = result.outcome === 'refused' ? EXIT.failed : EXIT.ok;
    });
}
