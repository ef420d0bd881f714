/**
 * The instant a runbook describes. It is never the wall clock: the same plan and state must
 * give the same files whenever and wherever they are generated, so that committed runbooks
 * are reviewed as diffs. It is the last activity the state records (the latest start or end
 * of a run, audit event, or phase record update), or an instant given with `--as-of`.
 * A state with no activity at all has no "as of": its runbooks say "not started" and count
 * no days left, rather than pretend a date.
 */
import { fixedClock } from '../../plan/clock.ts';
import type { StateStore } from '../../state/state-store.ts';

export interface AsOf {
  /** ISO 8601 instant, or `undefined` when nothing happened yet and none was given. */
  at: string | undefined;
  /** `option`: given with `--as-of`; `state`: the last recorded activity; `none`: nothing yet. */
  basis: 'option' | 'state' | 'none';
}

/**
 * `override` is a day `YYYY-MM-DD` (noon, Paris time) or an ISO 8601 instant.
 * @throws RangeError when `override` is not a date.
 */
export async function resolveAsOf(state: StateStore, phaseIds: readonly number[], override?: string): Promise<AsOf> {
  if (override !== undefined) return { at: fixedClock(override).now().toISOString(), basis: 'option' };
  const instants: string[] = [];
  for (const run of await state.listRuns()) instants.push(run.startedAt, ...(run.endedAt ? [run.endedAt] : []));
  const head = await state.auditHead();
  if (head) instants.push(head.time);
  for (const id of phaseIds) {
    const record = await state.getPhase(id);
    if (record) instants.push(record.updatedAt);
  }
  // Compared as instants: the texts may carry different offsets.
  const latest = instants
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b)
    .at(-1);
  return latest === undefined
    ? { at: undefined, basis: 'none' }
    : { at: new Date(latest).toISOString(), basis: 'state' };
}
