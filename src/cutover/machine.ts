/**
 * The cutover of one phase, from "bulk copied" to "served from the new host", as a
 * persisted state machine: preflight gates → freeze → quiescence check → final delta
 * sync → verify → switch → smoke check → commit (the point of no return).
 *
 * Every step that succeeds is recorded in the state store and in the audit log before the
 * next one starts, and never runs again; a crash or a failure leaves the phase on the step
 * that did not finish, and the next `cloudexit cutover` starts there.
 */
import type { EngineContext, EngineDataset } from '../engine/context.ts';
import { copyDataset } from '../engine/copy.ts';
import { verifyDataset } from '../engine/verify.ts';
import type { Clock } from '../plan/clock.ts';
import type { Hooks, Phase } from '../plan/schema.ts';
import { redact } from '../secrets/redact.ts';
import { CUTOVER_STEPS, type CutoverStep, type PhaseRecord, type StateStore } from '../state/state-store.ts';
import { evaluateGates, type DatasetProgress, type Gate, type GateInput } from './gates.ts';
import { listChangedSince } from './quiescence.ts';
import type { DatabaseCutover } from '../databases/operations.ts';
import type { FreezeMarker } from '../databases/contract.ts';

import type { HookName } from './hooks.ts';

export type { HookName };

/** What a hook run leaves for the audit log (already redacted and bounded). */
export interface HookOutcome {
  script: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface CutoverDeps {
  state: StateStore;
  phase: Phase;
  /** The phase's datasets, with their stores. */
  datasets: readonly EngineDataset[];
  /** Engine context for the final sync and verification. */
  ctx: EngineContext;
  hooks: Hooks;
  /** Runs a configured hook; throws (with a message naming the hook) when it fails. */
  runHook(name: HookName, context: { step: string; frozenAt: string | undefined }): Promise<HookOutcome>;
  /** The saved parity report, when there is one. */
  parity: GateInput['parity'];
  clock: Clock;
  /** Who runs the command (recorded in the audit log). */
  actor: string;
  /** The phase's PostgreSQL datasets. @default [] */
  databases?: readonly DatabaseCutover[];
}

export interface CutoverResult {
  phaseId: number;
  state: PhaseRecord['state'];
  /** Steps that ran (and succeeded) in this invocation. */
  ran: CutoverStep[];
  /** The step the cutover stopped on, with why, when it did not reach the commit. */
  stoppedAt: { step: CutoverStep; error: string } | undefined;
  gates: Gate[] | undefined;
}

/** A step that cannot succeed now; the message says what to do. */
export class StepFailed extends Error {
  override name = 'StepFailed';
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}

export function emptyPhaseRecord(phaseId: number, now: string): PhaseRecord {
  return { phaseId, state: 'planned', done: [], failed: undefined, approvals: [], frozenAt: undefined, updatedAt: now };
}

/** Reads a phase's record; a rolled-back phase starts a fresh attempt (a new go is needed). */
export async function currentRecord(state: StateStore, phaseId: number, now: string): Promise<PhaseRecord> {
  return (await state.getPhase(phaseId)) ?? emptyPhaseRecord(phaseId, now);
}

export async function runCutover(deps: CutoverDeps): Promise<CutoverResult> {
  const now = () => deps.clock.now().toISOString();
  let record = await currentRecord(deps.state, deps.phase.id, now());
  const result: CutoverResult = { phaseId: deps.phase.id, state: record.state, ran: [], stoppedAt: undefined, gates: undefined };
  if (record.state === 'committed') return result;
  if (record.state === 'rolled-back') {
    record = emptyPhaseRecord(deps.phase.id, now());
    await audit(deps, 'restart', 'started', { reason: 'a new cutover attempt after a rollback' });
  }
  for (const step of CUTOVER_STEPS) {
    if (record.done.some((d) => d.step === step)) continue;
    if (deps.ctx.signal?.aborted) break;
    try {
      const details = await runStep(step, deps, record, result);
      record = {
        ...record,
        state: step === 'commit' ? 'committed' : 'in-progress',
        done: [...record.done, { step, at: now(), details }],
        failed: undefined,
        frozenAt: step === 'freeze' ? (details['frozenAt'] as string) : record.frozenAt,
        updatedAt: now(),
      };
      await deps.state.putPhase(record);
      await audit(deps, step, 'succeeded', details);
      result.ran.push(step);
    } catch (err) {
      // A hook's own advice and captured output belong in front of the operator and in the audit log.
      const fix = (err as { fix?: unknown }).fix;
      const hook = (err as { result?: unknown }).result;
      const error = redact(`${err instanceof Error ? err.message : String(err)}${typeof fix === 'string' ? ` (fix: ${fix})` : ''}`);
      record = { ...record, failed: { step, at: now(), error }, updatedAt: now() };
      await deps.state.putPhase(record);
      await audit(deps, step, 'failed', { error, ...(hook ? { hook } : {}), ...(err instanceof StepFailed ? err.details : {}) });
      result.stoppedAt = { step, error };
      break;
    }
  }
  result.state = record.state;
  return result;
}

async function runStep(step: CutoverStep, deps: CutoverDeps, record: PhaseRecord, result: CutoverResult): Promise<Record<string, unknown>> {
  switch (step) {
    case 'preflight': {
      const databases = [];
      for (const db of deps.databases ?? []) databases.push({ name: db.name, record: await deps.state.getDatabase(db.name) });
      const gates = evaluateGates({
        phase: deps.phase, datasets: await progressOf(deps.state, deps.datasets), parity: deps.parity, approvals: record.approvals, hooks: deps.hooks, databases,
      });
      result.gates = gates;
      const closed = gates.filter((g) => !g.ok);
      if (closed.length > 0) throw new StepFailed(`no-go: ${closed.map((g) => `${g.gate}: ${g.detail}`).join(' | ')}`, { gates });
      return { gates };
    }
    case 'freeze': {
      const hook = await deps.runHook('freeze', { step, frozenAt: undefined });
      // Databases are frozen by cloudexit itself (read-only by default) and their write counters noted.
      const databases: Record<string, FreezeMarker> = {};
      for (const db of deps.databases ?? []) databases[db.name] = await db.freeze();
      // The freeze holds from the moment its hook succeeded: writes before it are caught by the final sync.
      return { hook, frozenAt: deps.clock.now().toISOString(), databases };
    }
    case 'quiescence': {
      const frozenAt = record.frozenAt!;
      const changed = await listChangedSince(deps.datasets, new Date(frozenAt));
      const markers = (record.done.find((d) => d.step === 'freeze')?.details['databases'] ?? {}) as Record<string, FreezeMarker>;
      for (const db of deps.databases ?? []) {
        const marker = markers[db.name];
        if (!marker) throw new StepFailed(`${db.name}: no freeze record for this database; run \`cloudexit rollback --phase ${deps.phase.id}\` and start the cutover again`);
        for (const table of await db.changedSince(marker)) changed.push({ dataset: db.name, key: `table ${table}`, lastModified: 'after the freeze' });
      }
      if (changed.length > 0) {
        const names = changed.slice(0, 20).map((c) => `${c.dataset}: ${c.key} (modified ${c.lastModified})`);
        throw new StepFailed(
          `${changed.length} objects were written at the source after the freeze at ${frozenAt}: ${names.join('; ')}${changed.length > 20 ? `; and ${changed.length - 20} more` : ''}. ` +
            `The cutover is aborted: run \`cloudexit rollback --phase ${deps.phase.id}\` to thaw the source, find out why the freeze did not hold, then start again.`,
          { changed: changed.slice(0, 1000) },
        );
      }
      return { checkedAt: deps.clock.now().toISOString(), frozenAt };
    }
    case 'final-sync': {
      const synced = [];
      for (const dataset of deps.datasets) {
        const copy = await copyDataset(deps.ctx, dataset);
        if (copy.failed.length > 0) throw new StepFailed(`${dataset.name}: ${copy.failed.length} objects could not be copied: ${copy.failed.slice(0, 5).map((f) => f.error).join('; ')}`);
        synced.push({ dataset: dataset.name, copied: copy.copied, bytes: copy.bytesCopied, deletedAtSource: copy.inventory?.deletedAtSource.length ?? 0 });
      }
      for (const db of deps.databases ?? []) synced.push(await db.finalSync());
      return { synced };
    }
    case 'verify': {
      const verified = [];
      for (const dataset of deps.datasets) {
        // What the final sync brought is re-read in full; the rest was fully verified before the gate.
        const full = await verifyDataset(deps.ctx, dataset, 'full', { statuses: ['copied'] });
        const quick = await verifyDataset(deps.ctx, dataset, 'quick');
        const mismatches = [...full.mismatches, ...quick.mismatches];
        if (mismatches.length > 0 || quick.notCopied > 0) {
          throw new StepFailed(`${dataset.name}: ${mismatches.length} mismatches (${mismatches.slice(0, 5).map((m) => `${m.targetKey}: ${m.problem}`).join('; ')}), ${quick.notCopied} not copied`);
        }
        verified.push({ dataset: dataset.name, full: full.verified, quick: quick.verified });
      }
      for (const db of deps.databases ?? []) {
        const problems = await db.verify();
        if (problems.length > 0) throw new StepFailed(`${problems.length} differences: ${problems.slice(0, 5).join('; ')}`);
        verified.push({ dataset: db.name, tables: 'fingerprints match' });
      }
      return { verified };
    }
    case 'switch':
      return { hook: await deps.runHook('switch', { step, frozenAt: record.frozenAt }) };
    case 'smoke-check':
      if (!deps.hooks.smokeCheck) return { skipped: 'the plan has no smokeCheck hook' };
      return { hook: await deps.runHook('smokeCheck', { step, frozenAt: record.frozenAt }) };
    case 'commit':
      // Replication objects go now: a subscription keeps the source's password in the target's catalog.
      for (const db of deps.databases ?? []) await db.finish();
      return { committedAt: deps.clock.now().toISOString(), note: 'point of no return: rollback is no longer possible' };
  }
}

/** Object counts and full-verification counts of each dataset, for the gates. */
export async function progressOf(state: StateStore, datasets: readonly { name: string }[]): Promise<DatasetProgress[]> {
  const out: DatasetProgress[] = [];
  for (const dataset of datasets) {
    out.push({ name: dataset.name, counts: await state.countObjects(dataset.name), verifiedFull: await state.countVerifiedFull(dataset.name) });
  }
  return out;
}

export async function audit(deps: Pick<CutoverDeps, 'state' | 'clock' | 'actor' | 'phase'>, step: string, outcome: string, details: Record<string, unknown>): Promise<void> {
  await deps.state.appendAudit({ time: deps.clock.now().toISOString(), actor: deps.actor, phase: deps.phase.id, step, outcome, details });
}
