/**
 * The quiescence check: after the freeze, the source is listed again and any object
 * modified after the freeze time means the freeze did not hold. The source's own clock
 * stamps `lastModified`, to the second (HTTP dates): an object stamped in the same second
 * as the freeze counts as changed, because it may have been written just after it. Erring
 * that way (like a source clock running ahead of ours) aborts a clean cutover at worst;
 * the other way would let a write through.
 */
import type { EngineDataset } from '../engine/context.ts';

export interface ChangedObject {
  dataset: string;
  key: string;
  lastModified: string;
}

export async function listChangedSince(datasets: readonly EngineDataset[], since: Date): Promise<ChangedObject[]> {
  const changed: ChangedObject[] = [];
  const sinceSecond = Math.floor(since.getTime() / 1000) * 1000;
  for (const dataset of datasets) {
    for await (const info of dataset.source.list(dataset.sourcePrefix)) {
      if (info.lastModified.getTime() >= sinceSecond)
        changed.push({ dataset: dataset.name, key: info.key, lastModified: info.lastModified.toISOString() });
    }
  }
  return changed;
}
