/**
 * After a phase's commit the target is the reference copy: it is never written from the
 * source again (DESIGN.md, "Integrity model"). Commands that write the target from the
 * source (copy) ask here which of their datasets belong to a committed phase, before they
 * write anything.
 */
import { UserError } from '../errors.ts';
import type { LoadedPlan } from '../plan/load.ts';
import type { PhaseStore } from '../state/contracts/phases.ts';

/** A dataset of a committed phase. */
export interface CommittedDataset {
  dataset: string;
  phase: number;
  /** ISO 8601: when the phase's commit step succeeded. */
  committedAt: string;
}

/** The datasets among `names` whose phase is committed, in the order of `names`. */
export async function committedDatasets(
  plan: Pick<LoadedPlan, 'phases'>,
  state: Pick<PhaseStore, 'getPhase'>,
  names: readonly string[],
): Promise<CommittedDataset[]> {
  const committed = new Map<string, CommittedDataset>();
  for (const phase of plan.phases) {
    if (!phase.datasets.some((d) => names.includes(d))) continue;
    const record = await state.getPhase(phase.id);
    if (record?.state !== 'committed') continue;
    const committedAt = record.done.find((d) => d.step === 'commit')?.at ?? record.updatedAt;
    for (const dataset of phase.datasets)
      if (names.includes(dataset) && !committed.has(dataset))
        committed.set(dataset, { dataset, phase: phase.id, committedAt });
  }
  return names.flatMap((n) => committed.get(n) ?? []);
}

/** The refusal of `command` for datasets the caller selected by name or phase that are committed. */
export function committedRefusal(command: string, committed: readonly CommittedDataset[]): UserError {
  const named = committed.map((c) => `"${c.dataset}" (phase ${c.phase}, committed at ${c.committedAt})`);
  const phases = [...new Set(committed.map((c) => c.phase))];
  return new UserError(
    `${command} refused: ${named.join(', ')} ${committed.length === 1 ? 'belongs' : 'belong'} to a committed phase; ` +
      'after the commit the target is the reference copy and is never written from the source again. Nothing was written.',
    {
      where: `phase ${phases.join(', ')}`,
      fix:
        `leave ${committed.length === 1 ? 'it' : 'them'} out: select the datasets still to copy with --phase or --dataset. ` +
        'A change made at the source after the commit is not migrated by cloudexit: bring it to the target with its owner.',
    },
  );
}
