/**
 * The binding a plan asks of its state: the migration id and where every dataset of the
 * plan comes from and goes to. Built from the whole plan, never from the datasets a command
 * selected, so that copying one dataset still refuses a state whose other datasets were
 * recorded for another mapping. Locations are descriptive (`objectLocation`,
 * `postgresLocation`): no secret, no SAS, no password.
 */
import type { Dataset, Plan } from '../plan/schema.ts';
import {
  BindingConflictError,
  compareBinding,
  objectLocation,
  postgresLocation,
  type BindOutcome,
  type DatasetBinding,
  type MigrationBinding,
  type WantedBinding,
} from '../state/contracts/binding.ts';
import type { StateHandle } from '../state/state-store.ts';

/** What `plan` asks its state to be bound to: its migration and every one of its datasets. */
export function wantedBinding(plan: Pick<Plan, 'migration' | 'source' | 'target' | 'datasets'>): WantedBinding {
  return { migration: plan.migration, datasets: plan.datasets.map((d) => datasetBinding(plan, d)) };
}

function datasetBinding(plan: Pick<Plan, 'source' | 'target'>, dataset: Dataset): DatasetBinding {
  if (dataset.kind === 'postgres') {
    const { source, target } = dataset;
    return {
      name: dataset.name,
      kind: 'postgres',
      source: postgresLocation(source.host, source.port, source.database),
      target: postgresLocation(target.host, target.port, target.database),
    };
  }
  return {
    name: dataset.name,
    kind: 'objects',
    source: objectLocation(plan.source.endpoint, dataset.source.container, dataset.source.prefix),
    target: objectLocation(plan.target.endpoint, dataset.target.bucket, dataset.target.prefix),
  };
}

/**
 * Binds `state` to `plan` (first use records it; an equal plan changes nothing). On any
 * refusal (`BindingConflictError`: another migration, a dataset moved) the state is closed,
 * unchanged, and the error rethrown: the caller never works on another plan's state.
 */
export async function bindToPlan(
  state: MigrationBinding & StateHandle,
  plan: Parameters<typeof wantedBinding>[0],
): Promise<BindOutcome> {
  try {
    return await state.bind(wantedBinding(plan));
  } catch (err) {
    await state.close();
    throw err;
  }
}

/**
 * Checks, without writing, that `state` may be read as `plan`'s: a state never bound (or
 * missing) is fine, one bound to another migration or mapping throws a
 * `BindingConflictError`. The caller closes the state.
 */
export async function checkBoundToPlan(
  state: Pick<MigrationBinding, 'getBinding'> & Pick<StateHandle, 'location'>,
  plan: Parameters<typeof wantedBinding>[0],
): Promise<void> {
  const { conflicts } = compareBinding(await state.getBinding(), wantedBinding(plan));
  if (conflicts.length > 0) throw new BindingConflictError(state.location, conflicts);
}
