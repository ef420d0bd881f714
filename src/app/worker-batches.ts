/**
 * The batches of one dataset a worker copies: claim under a lease, copy what the lease
 * holds with every write fenced by its token, give the lease back; until nothing is left
 * that this worker has not tried. A batch of objects it already failed is held while it
 * claims on, to see past them, and given back when the claims run dry (the others may
 * still try them), so it tries each object once per run.
 */
import { copyRecords, type CopySummary } from '../engine/copy.ts';
import type { EngineDataset } from '../engine/context.ts';
import { redact } from '../secrets/redact.ts';
import { FencedWriteError, type WorkQueue } from '../state/contracts/work-queue.ts';
import { stopped, type Session } from './session.ts';
import type { HeldLease, LeaseKeeper } from './worker-leases.ts';

/** What the batches of a worker are claimed with. */
export interface LeaseWork {
  queue: WorkQueue;
  keeper: LeaseKeeper;
  workerId: string;
  leaseMs: number;
  batch: number;
  /** The queue's calls, tried again through an outage of the state. */
  ask: <T>(what: string, call: () => Promise<T>) => Promise<T>;
}

/** Wait between two claims while others hold what is left: often enough to take over an expired lease soon. */
export function pollMsOf(leaseMs: number): number {
  return Math.min(1000, Math.max(50, leaseMs / 10));
}

/** Claims and copies batches of the dataset until nothing is left that this worker has not tried. */
export async function copyLeases(session: Session, dataset: EngineDataset, work: LeaseWork, summary: CopySummary) {
  const tried = new Set<string>();
  const scanned: HeldLease[] = [];
  const giveBack = async (held: HeldLease) => work.ask('a release', () => work.keeper.release(held));
  try {
    while (!stopped(session)) {
      const lease = await work.ask('a claim', () =>
        work.queue.claimObjects({
          dataset: dataset.name,
          workerId: work.workerId,
          limit: work.batch,
          leaseMs: work.leaseMs,
        }),
      );
      if (lease) {
        const held = work.keeper.hold(lease);
        if (lease.keys.every((k) => tried.has(k))) scanned.push(held);
        else {
          await copyLease(session, dataset, held, summary, tried, work.ask);
          await giveBack(held);
        }
        continue;
      }
      while (scanned.length > 0) await giveBack(scanned.pop()!);
      if (await work.ask('a count', () => nothingLeft(session, dataset, tried))) return;
      await new Promise((resolve) => setTimeout(resolve, pollMsOf(work.leaseMs)));
    }
  } finally {
    for (const held of scanned) await work.keeper.release(held).catch(() => {});
  }
}

/** Copies the lease's objects that still need it and that this worker has not tried, every write fenced by its token. */
async function copyLease(
  session: Session,
  dataset: EngineDataset,
  held: HeldLease,
  summary: CopySummary,
  tried: Set<string>,
  ask: LeaseWork['ask'],
): Promise<void> {
  const records = await ask('a read', () => held.ledger.getObjects(dataset.name, held.lease.keys));
  const todo = [...records.values()].filter(
    (r) => (r.status === 'pending' || r.status === 'failed') && !tried.has(r.key),
  );
  const ctx = { ...session.ctx, state: held.ledger, signal: held.signal };
  const failedBefore = summary.failed.length;
  await copyRecords(ctx, dataset, whileHeld(todo, held), summary, {
    onUnrecorded: (key, error) => {
      // A fenced write was counted and stopped the lease. Anything else (the state did not
      // answer) leaves the object as it was, given back with the lease for another try.
      if (error instanceof FencedWriteError) return;
      const message = redact(error instanceof Error ? error.message : String(error));
      session.ctx.progress.note(
        `${dataset.name}: ${key}: its outcome could not be recorded (${message}); retried later`,
      );
    },
  });
  for (const f of summary.failed.slice(failedBefore)) tried.add(f.key);
}

/** The records, as long as the lease is held: a lost lease starts nothing new. */
function* whileHeld<T>(records: readonly T[], held: HeldLease): Generator<T> {
  for (const record of records) {
    if (held.lost) return;
    yield record;
  }
}

/**
 * True when every object of the dataset still to copy is one this worker failed in this
 * run (or none is left); false when others hold objects that may come back to the pool.
 */
async function nothingLeft(session: Session, dataset: EngineDataset, tried: ReadonlySet<string>): Promise<boolean> {
  const counts = await session.state.countObjects(dataset.name);
  const left = counts.pending.objects + counts.failed.objects;
  if (left === 0) return true;
  if (tried.size < left) return false;
  const records = await session.state.getObjects(dataset.name, [...tried]);
  const stillTried = [...records.values()].filter((r) => r.status === 'pending' || r.status === 'failed').length;
  return stillTried >= left;
}
