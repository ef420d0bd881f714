/** The facts the gates judge a phase's object datasets by, read from the state. */
import type { ObjectCounts } from './deps.ts';
import type { DatasetProgress } from './gates.ts';

/** Object counts and full-verification counts of each dataset, for the gates. */
export async function progressOf(
  state: ObjectCounts,
  datasets: readonly { name: string }[],
): Promise<DatasetProgress[]> {
  const out: DatasetProgress[] = [];
  for (const dataset of datasets) {
    out.push({
      name: dataset.name,
      counts: await state.countObjects(dataset.name),
      verifiedFull: await state.countVerifiedFull(dataset.name),
    });
  }
  return out;
}
