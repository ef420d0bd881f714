/**
 * Cutover of one phase: preflight gates → freeze → quiescence → final sync → verify →
 * switch → smoke check → commit, with the plan's hooks. Every step is recorded before the
 * next starts; run again after a failure or a crash, it resumes at the step that did not finish.
 */
import { runCutover, type CutoverResult } from '../cutover/machine.ts';
import { phaseDatabaseCutovers } from './databases.ts';
import { planHookRunner } from './hooks.ts';
import { loadParityReport, type ParityChoice } from './parity-report.ts';
import { withSession, type Session, type SessionOptions } from './session.ts';

export interface CutoverOptions extends Omit<SessionOptions, 'dataset' | 'phase'> {
  /** The phase to cut over (its id). */
  phase: string | number;
  /**
   * The saved `cloudexit parity --json` report for the parity gate; `false` for none.
   * @default `.cloudexit/parity.json` when it exists
   */
  parity?: ParityChoice;
  /** `CLOUDEXIT_STATE_DIR` for the hooks. @default `.cloudexit/hooks` */
  hookStateDir?: string | undefined;
  /**
   * Waives the parity gate (no report, or gaps not accepted), with this reason; recorded in
   * the audit log as a waiver with the actor. @default not waived
   */
  waiveParity?: string | undefined;
  /**
   * Goes through the commit, the point of no return. Without it the cutover stops after
   * the smoke check (`awaitingCommit`), and the commit is a separate run with it.
   * @default false
   */
  commit?: boolean | undefined;
}

/** The phase's state after this run, the steps it ran, and where and why it stopped. */
export type CutoverReport = CutoverResult;

/**
 * Runs (or resumes) the cutover of one phase; the report's `state` is `committed` when it
 * went all the way (`commit: true`), `awaitingCommit` when it stopped before the commit.
 */
export async function cutover(options: CutoverOptions): Promise<CutoverReport> {
  return withSession(
    // Single-leader: a second cutover (or rollback, approval…) of the phase is refused before it records a run.
    { ...options, dataset: [], phaseLeader: true },
    `cutover ${options.phase}`,
    (session) => cutoverInSession(session, options),
    (result) => ({
      outcome: result.state === 'committed' || (result.awaitingCommit && !result.stoppedAt) ? 'succeeded' : 'failed',
      totals: { objects: 0, bytes: 0, failed: result.stoppedAt ? 1 : 0 },
    }),
  );
}

async function cutoverInSession(session: Session, options: CutoverOptions): Promise<CutoverReport> {
  const phase = session.phase!;
  const { ctx } = session;
  const databases = await phaseDatabaseCutovers(phase, session.databases, {
    state: session.state,
    progress: ctx.progress,
    evidenceDir: session.evidenceDir,
    signal: ctx.signal,
    env: session.env,
  });
  return runCutover({
    databases,
    state: session.state,
    phase,
    datasets: session.datasets,
    ctx,
    hooks: session.plan.hooks,
    runHook: planHookRunner(session.plan, phase, ctx.runId, {
      ...(options.hookStateDir ? { stateDir: options.hookStateDir } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
    parity: await loadParityReport(options.parity, session.plan.parity.accepted),
    ...(options.waiveParity !== undefined ? { parityWaiver: { reason: options.waiveParity } } : {}),
    commit: options.commit === true,
    clock: session.clock,
    actor: session.actor,
  });
}
