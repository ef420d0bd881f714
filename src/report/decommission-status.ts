/**
 * Where each dataset of a phase stands in the decommission, for `status` and the runbooks:
 * "last copy at the source gone on <date>", with the day provider-held residues (soft-deleted
 * blobs, point-in-time-restore backups) expire. Read from the phase record only.
 */
import { parisDay } from '../plan/clock.ts';
import type { PhaseRecord } from '../phase-record.ts';

export interface DatasetDecommissionStatus {
  dataset: string;
  /** ISO 8601: when the last live copy at the source was deleted; undefined while it is there. */
  goneAt: string | undefined;
  /** ISO 8601: when the last provider-held residue expires; undefined when none. */
  residualUntil: string | undefined;
  /** What a project manager reads, e.g. "last copy at the source gone on 2026-12-22". */
  sentence: string;
}

/** One entry per dataset of the phase, in plan order. */
export function decommissionStatus(
  datasets: readonly string[],
  record: PhaseRecord | undefined,
): DatasetDecommissionStatus[] {
  return datasets.map((dataset) => {
    const done = record?.decommissioned?.find((d) => d.dataset === dataset);
    const goneAt = done?.goneAt;
    const residue = done?.residualUntil
      ? `; provider backups or soft-deleted copies until ${parisDay(new Date(done.residualUntil))}`
      : '';
    const sentence = goneAt
      ? `last copy at the source gone on ${parisDay(new Date(goneAt))}${residue}`
      : done
        ? `decommission started: ${done.objectsLeftAtSource} item(s) still at the source`
        : 'still at the source';
    return { dataset, goneAt, residualUntil: done?.residualUntil, sentence };
  });
}
