/**
 * Rebinds a migration's state to its plan on purpose, after a dataset really moved (another
 * bucket, another database) or the migration was renamed: the one way past the refusal
 * every other command gives. The reason and the conflicts it overrode are recorded in the
 * binding and appended to the hash-chained audit log, so the change is visible to auditors.
 */
import { UserError } from '../errors.ts';
import { clockFromEnv, type Clock } from '../plan/clock.ts';
import type { BindingConflict, DatasetBinding } from '../state/contracts/binding.ts';
import { describeStateLocation, openStateStore } from '../state/open.ts';
import { wantedBinding } from './binding.ts';
import { currentActor } from './hooks.ts';
import { migrationPaths } from './paths.ts';
import { planOf, type PlanOptions } from './plan-state.ts';

export interface RebindOptions extends PlanOptions {
  /** Why the state is rebound (recorded, redacted); must not be blank. */
  reason: string;
  /** Who rebinds, for the audit log. @default `CLOUDEXIT_ACTOR`, else the OS user */
  actor?: string | undefined;
  /** The time recorded in the audit log. @default the system clock, or `CLOUDEXIT_NOW` when set */
  clock?: Clock | undefined;
  /** Where `CLOUDEXIT_ACTOR` and `CLOUDEXIT_NOW` are read. @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
}

export interface RebindReport {
  migration: string;
  statePath: string;
  /** What the rebind overrode: what every other command refused. Empty when the plan already matched. */
  conflicts: BindingConflict[];
  /** Datasets recorded for the first time. */
  added: DatasetBinding[];
  /** Recorded datasets the plan no longer has (kept). */
  removed: DatasetBinding[];
  /** Sequence number of the `rebind` audit event. */
  auditSeq: number;
}

/** Binds the state of `options.plan` to it whatever it was bound to, and audits the change. */
export async function rebindState(options: RebindOptions): Promise<RebindReport> {
  if (options.reason.trim() === '')
    throw new UserError('a rebind needs a reason', {
      fix: 'pass --reason "…" saying why the plan changed (it is recorded in the state and the audit log)',
    });
  const plan = await planOf(options.plan);
  const given = migrationPaths(plan, options).statePath;
  const statePath = describeStateLocation(given);
  // Looked at read-only first: rebinding a state that does not exist would create one.
  const probe = await openStateStore(given, { readOnly: true });
  const exists = probe.exists;
  await probe.close();
  if (!exists)
    throw new UserError(`there is no state at ${statePath}`, {
      fix: 'pass --state with the state file to rebind; a new state needs no rebind (the first command binds it)',
    });
  const env = options.env ?? process.env;
  const state = await openStateStore(given);
  try {
    const outcome = await state.rebind(wantedBinding(plan), options.reason);
    const event = await state.appendAudit({
      time: (options.clock ?? clockFromEnv(env)).now().toISOString(),
      actor: options.actor ?? currentActor(env),
      phase: undefined,
      step: 'rebind',
      outcome: 'succeeded',
      details: {
        migration: plan.migration,
        reason: options.reason,
        conflicts: outcome.conflicts,
        added: outcome.added.map((d) => d.name),
        removed: outcome.removed.map((d) => d.name),
      },
    });
    return {
      migration: plan.migration,
      statePath,
      conflicts: outcome.conflicts,
      added: outcome.added,
      removed: outcome.removed,
      auditSeq: event.seq,
    };
  } finally {
    await state.close();
  }
}
