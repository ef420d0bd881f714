/**
 * The cutover of one phase, from "bulk copied" to "served from the new host", as a
 * persisted state machine: preflight gates → freeze → quiescence check → final delta
 * sync → verify → switch → smoke check → commit (the point of no return). The commit is a
 * separate decision: without `commit: true` the machine stops before it (`awaitingCommit`).
 *
 * Every step that succeeds is recorded in the state store and in the audit log before the
 * next one starts, and never runs again; a crash or a failure leaves the phase on the step
 * that did not finish, and the next `cloudexit cutover` starts there. What each step does
 * is in `step-handlers.ts`; this file only runs them in order and records the outcome.
 */
import { CUTOVER_STEPS, type CutoverStep, type PhaseRecord } from '../phase-record.ts';
import { audit } from './audit-entry.ts';
import { currentRecord, emptyPhaseRecord } from './current-record.ts';
import type { CutoverDeps } from './deps.ts';
import type { Gate } from './gates.ts';
import { STEP_HANDLERS, type StepHandler, type StepRun } from './step-handlers.ts';
import { describeFailure } from './step-failed.ts';

export type { CutoverDeps, HookOutcome } from './deps.ts';
export type { HookName } from './hook-env.ts';

export interface CutoverResult {
  phaseId: number;
  state: PhaseRecord['state'];
  /** Steps that ran (and succeeded) in this invocation. */
  ran: CutoverStep[];
  /** The step the cutover stopped on, with why, when it did not reach the commit. */
  stoppedAt: { step: CutoverStep; error: string } | undefined;
  /**
   * True when every step before the commit is done and the commit was not asked for
   * (`--commit`): the phase waits at the point of no return for that decision.
   */
  awaitingCommit: boolean;
  gates: Gate[] | undefined;
}

export async function runCutover(deps: CutoverDeps): Promise<CutoverResult> {
  const now = () => deps.clock.now().toISOString();
  let record = await currentRecord(deps.state, deps.phase.id, now());
  const result: CutoverResult = {
    phaseId: deps.phase.id,
    state: record.state,
    ran: [],
    stoppedAt: undefined,
    awaitingCommit: false,
    gates: undefined,
  };
  if (record.state === 'committed') return result;
  if (record.state === 'rolled-back') {
    record = emptyPhaseRecord(deps.phase.id, now());
    await audit(deps, {
      step: 'restart',
      outcome: 'started',
      details: { reason: 'a new cutover attempt after a rollback' },
    });
  }
  for (const step of CUTOVER_STEPS) {
    if (record.done.some((d) => d.step === step)) continue;
    if (deps.ctx.signal?.aborted) break;
    if (step === 'commit' && !deps.commit) {
      // The point of no return is its own decision: everything before it can be rolled back.
      result.awaitingCommit = true;
      await audit(deps, {
        step: 'commit',
        outcome: 'awaiting-decision',
        details: {
          note: `every step before the commit is done; commit with \`cloudexit cutover --phase ${deps.phase.id} --commit\`, or roll back`,
        },
      });
      break;
    }
    const run: StepRun = { deps, record, report: result };
    try {
      record = await completeStep(step, run);
      result.ran.push(step);
    } catch (err) {
      const details = describeFailure(err);
      record = { ...record, failed: { step, at: now(), error: details.error }, updatedAt: now() };
      await deps.state.putPhase(record);
      await audit(deps, { step, outcome: 'failed', details });
      result.stoppedAt = { step, error: details.error };
      break;
    }
  }
  result.state = record.state;
  return result;
}

/**
 * Runs one step's handler and records its success: phase record first, then the audit
 * event. A crash between the two leaves the step done without its event (the record is
 * what resumption trusts); a crash before the record re-runs the step.
 */
async function completeStep<S extends CutoverStep>(step: S, run: StepRun): Promise<PhaseRecord> {
  const { deps, record } = run;
  const now = () => deps.clock.now().toISOString();
  const handler: StepHandler<S> = STEP_HANDLERS[step];
  const { details, frozenAt } = await handler(run);
  const updated: PhaseRecord = {
    ...record,
    state: step === 'commit' ? 'committed' : 'in-progress',
    done: [...record.done, { step, at: now(), details }],
    failed: undefined,
    frozenAt: frozenAt ?? record.frozenAt,
    updatedAt: now(),
  };
  await deps.state.putPhase(updated);
  await audit(deps, { step, outcome: 'succeeded', details });
  return updated;
}
