/**
 * Which part of the plan a command works on: every dataset, those of one phase, or some
 * by name. A name the plan does not have is a `UserError` raised before anything is opened,
 * so a typo changes nothing.
 */
import { UserError } from '../errors.ts';
import type { LoadedPlan } from '../plan/load.ts';
import type { Dataset, Phase } from '../plan/schema.ts';

/** The datasets a command works on. */
export interface Selection {
  /** Only these datasets. @default every dataset of the plan, or of `phase` */
  dataset?: readonly string[] | undefined;
  /** Only the datasets of this phase. @default every phase */
  phase?: string | number | undefined;
}

/** The phase with this id; the one place that says "there is no phase N". */
export function phaseOf(plan: LoadedPlan, id: string | number): Phase {
  const phase = plan.phases.find((p) => String(p.id) === String(id));
  if (!phase) {
    throw new UserError(`there is no phase ${id}`, {
      where: plan.file,
      fix: `use one of: ${plan.phases.map((p) => p.id).join(', ')}`,
    });
  }
  return phase;
}

/** The selected datasets, in the plan's order; an empty `dataset` list means no filter. */
export function selectDatasets(plan: LoadedPlan, selection: Selection): Dataset[] {
  let names = plan.datasets.map((d) => d.name);
  if (selection.phase !== undefined) names = phaseOf(plan, selection.phase).datasets;
  if (selection.dataset?.length) {
    for (const name of selection.dataset) {
      if (!names.includes(name)) {
        const scope = selection.phase === undefined ? '' : ` in phase ${selection.phase}`;
        throw new UserError(`unknown dataset "${name}"${scope}`, {
          where: plan.file,
          fix: `use one of: ${names.join(', ')}`,
        });
      }
    }
    names = [...selection.dataset];
  }
  return plan.datasets.filter((d) => names.includes(d.name));
}
