/**
 * The burn-down of a migration: at the end of each Paris day, from the first copy to the
 * runbook's "as of", how many objects and bytes were still to move and still to verify in
 * full, read from what the state recorded of each object (its copy and its last full
 * verification) and each database. Remaining counts are against what is known now: an object
 * listed later counts as remaining on the earlier days too.
 */
import { addDays, parisDay } from '../../plan/clock.ts';
import type { LoadedPlan } from '../../plan/load.ts';
import type { StateStore } from '../../state/state-store.ts';

export interface BurndownDay {
  /** `YYYY-MM-DD`, Europe/Paris. */
  day: string;
  objectsToMove: number;
  bytesToMove: number;
  objectsToVerify: number;
  bytesToVerify: number;
}

export interface Burndown {
  totalObjects: number;
  totalBytes: number;
  days: BurndownDay[];
  /** Planned cutovers by phase id, and the day the window closes: the chart's reference lines. */
  cutovers: { id: number; day: string }[];
  closesOn: string;
}

type Done = Map<string, { objects: number; bytes: number }>;

function add(map: Done, at: string | undefined, objects: number, bytes: number): void {
  if (!at) return;
  const day = parisDay(new Date(at));
  const entry = map.get(day) ?? { objects: 0, bytes: 0 };
  entry.objects += objects;
  entry.bytes += bytes;
  map.set(day, entry);
}

export async function gatherBurndown(
  plan: LoadedPlan,
  state: StateStore,
  asOf: string | undefined,
  closesOn: string,
): Promise<Burndown> {
  const copied: Done = new Map();
  const verified: Done = new Map();
  let totalObjects = 0;
  let totalBytes = 0;
  for (const dataset of plan.datasets) {
    if (dataset.kind === 'postgres') {
      const db = await state.getDatabase(dataset.name);
      if (!db) continue;
      totalBytes += db.bytes;
      if (db.status !== 'pending' && db.status !== 'failed') add(copied, db.copiedAt, 0, db.bytes);
      if (db.verification?.ok) add(verified, db.verification.at, 0, db.bytes);
      continue;
    }
    for await (const object of state.iterateObjects(dataset.name)) {
      if (object.status === 'deleted-at-source') continue;
      totalObjects++;
      totalBytes += object.size;
      if (object.status !== 'pending' && object.status !== 'failed') add(copied, object.copiedAt, 1, object.size);
      if (object.status === 'verified' && object.verifiedMode === 'full')
        add(verified, object.verifiedAt, 1, object.size);
    }
  }
  const cutovers = plan.phases.map((p) => ({ id: p.id, day: p.plannedCutover }));
  const first = [...copied.keys()].sort()[0];
  if (!first || !asOf) return { totalObjects, totalBytes, days: [], cutovers, closesOn };
  const last = [parisDay(new Date(asOf)), ...copied.keys(), ...verified.keys()].sort().at(-1)!;
  const days: BurndownDay[] = [];
  const sum = { copiedObjects: 0, copiedBytes: 0, verifiedObjects: 0, verifiedBytes: 0 };
  for (let day = first; day <= last; day = addDays(day, 1)) {
    sum.copiedObjects += copied.get(day)?.objects ?? 0;
    sum.copiedBytes += copied.get(day)?.bytes ?? 0;
    sum.verifiedObjects += verified.get(day)?.objects ?? 0;
    sum.verifiedBytes += verified.get(day)?.bytes ?? 0;
    days.push({
      day,
      objectsToMove: totalObjects - sum.copiedObjects,
      bytesToMove: totalBytes - sum.copiedBytes,
      objectsToVerify: totalObjects - sum.verifiedObjects,
      bytesToVerify: totalBytes - sum.verifiedBytes,
    });
  }
  return { totalObjects, totalBytes, days, cutovers, closesOn };
}
