/**
 * One handler per cutover step, in a table keyed by step: each does its step's work and
 * returns what to record, or throws (`StepFailed` when it has advice) to stop the cutover
 * on that step. Handlers never write the phase record: the machine records a step only
 * once its handler returned, so a crash in between re-runs the step (steps are idempotent).
 */
import type { FreezeMarker } from '../databases/contract.ts';
import { copyDataset } from '../engine/copy.ts';
import { HOOK_FIELDS, hookFileExists } from '../plan/hook-files.ts';
import { verifyDataset } from '../engine/verify.ts';
import type { CutoverStep, PhaseRecord } from '../phase-record.ts';
import { audit } from './audit-entry.ts';
import type { CutoverDeps } from './deps.ts';
import { evaluateGates, type Gate } from './gates.ts';
import { progressOf } from './progress.ts';
import { listChangedSince, type ChangedObject } from './quiescence.ts';
import { freezeMarkersOf, type ObjectSync, type StepDetails, type VerifiedDataset } from './step-details.ts';
import { StepFailed } from './step-failed.ts';

/** What a handler is given: the machine's dependencies, the record as it stands, and where to report gates. */
export interface StepRun {
  deps: CutoverDeps;
  record: PhaseRecord;
  /** The preflight's gates, set even when they close (the caller shows them). */
  report: { gates: Gate[] | undefined };
}

/** What a handler returns: its details, and the freeze time when the step froze the source. */
export interface StepResult<S extends CutoverStep> {
  details: StepDetails[S];
  /** ISO 8601; from this moment writes at the source are caught by the quiescence check. */
  frozenAt?: string;
}

export type StepHandler<S extends CutoverStep> = (run: StepRun) => Promise<StepResult<S>>;

export const STEP_HANDLERS: { readonly [S in CutoverStep]: StepHandler<S> } = {
  preflight,
  freeze,
  quiescence,
  'final-sync': finalSync,
  verify,
  switch: switchReaders,
  'smoke-check': smokeCheck,
  commit,
};

async function preflight({ deps, record, report }: StepRun): Promise<StepResult<'preflight'>> {
  const databases = [];
  for (const db of deps.databases ?? [])
    databases.push({ name: db.name, record: await deps.state.getDatabase(db.name) });
  const exists = deps.hookExists ?? ((script: string) => hookFileExists(script));
  const hookFiles = HOOK_FIELDS.flatMap((name) => {
    const script = deps.hooks[name];
    return script === undefined ? [] : [{ name, script, found: exists(script) }];
  });
  const waiver = deps.parityWaiver ? { reason: deps.parityWaiver.reason, actor: deps.actor } : undefined;
  const gates = evaluateGates({
    phase: deps.phase,
    datasets: await progressOf(deps.state, deps.datasets),
    parity: deps.parity,
    parityWaiver: waiver,
    approvals: record.approvals,
    hooks: deps.hooks,
    hookFiles,
    databases,
  });
  report.gates = gates;
  if (waiver) {
    const detail = gates.find((g) => g.gate === 'parity')!.detail;
    await audit(deps, { step: 'waiver', outcome: 'recorded', details: { gate: 'parity', ...waiver, detail } });
  }
  const closed = gates.filter((g) => !g.ok);
  if (closed.length > 0)
    throw new StepFailed(`no-go: ${closed.map((g) => `${g.gate}: ${g.detail}`).join(' | ')}`, { gates });
  return { details: { gates } };
}

async function freeze({ deps }: StepRun): Promise<StepResult<'freeze'>> {
  const hook = await deps.runHook('freeze', { step: 'freeze', frozenAt: undefined });
  // Databases are frozen by cloudexit itself (read-only by default) and their write counters noted.
  const databases: Record<string, FreezeMarker> = {};
  for (const db of deps.databases ?? []) databases[db.name] = await db.freeze();
  // The freeze holds from the moment its hook succeeded: writes before it are caught by the final sync.
  const frozenAt = deps.clock.now().toISOString();
  return { details: { hook, frozenAt, databases }, frozenAt };
}

async function quiescence({ deps, record }: StepRun): Promise<StepResult<'quiescence'>> {
  const frozenAt = record.frozenAt;
  const restart = `run \`cloudexit rollback --phase ${deps.phase.id}\``;
  // The freeze step sets it; a record without it was not written by this machine.
  if (frozenAt === undefined)
    throw new StepFailed(`phase ${deps.phase.id} has no freeze time; ${restart} and start the cutover again`);
  const changed = await listChangedSince(deps.datasets, new Date(frozenAt));
  const markers = freezeMarkersOf(record);
  for (const db of deps.databases ?? []) {
    const marker = markers[db.name];
    if (!marker)
      throw new StepFailed(`${db.name}: no freeze record for this database; ${restart} and start the cutover again`);
    for (const table of await db.changedSince(marker))
      changed.push({ dataset: db.name, key: `table ${table}`, lastModified: 'after the freeze' });
  }
  if (changed.length > 0)
    throw new StepFailed(freezeBrokenMessage(changed, frozenAt, restart), { changed: changed.slice(0, 1000) });
  return { details: { checkedAt: deps.clock.now().toISOString(), frozenAt } };
}

function freezeBrokenMessage(changed: readonly ChangedObject[], frozenAt: string, restart: string): string {
  const names = changed.slice(0, 20).map((c) => `${c.dataset}: ${c.key} (modified ${c.lastModified})`);
  return (
    `${changed.length} objects were written at the source after the freeze at ${frozenAt}: ${names.join('; ')}${changed.length > 20 ? `; and ${changed.length - 20} more` : ''}. ` +
    `The cutover is aborted: ${restart} to thaw the source, find out why the freeze did not hold, then start again.`
  );
}

async function finalSync({ deps }: StepRun): Promise<StepResult<'final-sync'>> {
  const synced: StepDetails['final-sync']['synced'] = [];
  for (const dataset of deps.datasets) {
    const copy = await copyDataset(deps.ctx, dataset);
    if (copy.failed.length > 0)
      throw new StepFailed(
        `${dataset.name}: ${copy.failed.length} objects could not be copied: ${copy.failed
          .slice(0, 5)
          .map((f) => f.error)
          .join('; ')}`,
      );
    const sync: ObjectSync = {
      dataset: dataset.name,
      copied: copy.copied,
      bytes: copy.bytesCopied,
      deletedAtSource: copy.inventory?.deletedAtSource.length ?? 0,
    };
    synced.push(sync);
  }
  for (const db of deps.databases ?? []) synced.push(await db.finalSync());
  return { details: { synced } };
}

async function verify({ deps }: StepRun): Promise<StepResult<'verify'>> {
  const verified: VerifiedDataset[] = [];
  for (const dataset of deps.datasets) {
    // What the final sync brought is re-read in full; the rest was fully verified before the gate.
    const full = await verifyDataset(deps.ctx, dataset, 'full', { statuses: ['copied'] });
    const quick = await verifyDataset(deps.ctx, dataset, 'quick');
    const mismatches = [...full.mismatches, ...quick.mismatches];
    if (mismatches.length > 0 || quick.notCopied > 0) {
      throw new StepFailed(
        `${dataset.name}: ${mismatches.length} mismatches (${mismatches
          .slice(0, 5)
          .map((m) => `${m.targetKey}: ${m.problem}`)
          .join('; ')}), ${quick.notCopied} not copied`,
      );
    }
    verified.push({ dataset: dataset.name, full: full.verified, quick: quick.verified });
  }
  for (const db of deps.databases ?? []) {
    const problems = await db.verify();
    if (problems.length > 0) throw new StepFailed(`${problems.length} differences: ${problems.slice(0, 5).join('; ')}`);
    verified.push({ dataset: db.name, tables: 'fingerprints match' });
  }
  return { details: { verified } };
}

async function switchReaders({ deps, record }: StepRun): Promise<StepResult<'switch'>> {
  return { details: { hook: await deps.runHook('switch', { step: 'switch', frozenAt: record.frozenAt }) } };
}

async function smokeCheck({ deps, record }: StepRun): Promise<StepResult<'smoke-check'>> {
  if (!deps.hooks.smokeCheck) return { details: { skipped: 'the plan has no smokeCheck hook' } };
  return { details: { hook: await deps.runHook('smokeCheck', { step: 'smoke-check', frozenAt: record.frozenAt }) } };
}

async function commit({ deps }: StepRun): Promise<StepResult<'commit'>> {
  // Replication objects go now: a subscription keeps the source's password in the target's catalog.
  for (const db of deps.databases ?? []) await db.finish();
  return {
    details: {
      committedAt: deps.clock.now().toISOString(),
      note: 'point of no return: rollback is no longer possible',
    },
  };
}
