/**
 * Whether a state can share work between workers: a PostgreSQL state implements the
 * `WorkQueue` contract, a SQLite file does not (one process, no leases). Asked by what
 * behaves differently with a shared state: `copy`, `worker`, `status`.
 */
import type { WorkQueue } from './contracts/work-queue.ts';

/** `state` as a work queue when it is one, else undefined. */
export function workQueueOf<S extends object>(state: S): (S & WorkQueue) | undefined {
  const candidate = state as Partial<WorkQueue>;
  return typeof candidate.claimObjects === 'function' &&
    typeof candidate.fencedLedger === 'function' &&
    typeof candidate.fleet === 'function'
    ? (state as S & WorkQueue)
    : undefined;
}
