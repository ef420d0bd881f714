/**
 * The leases one worker holds, kept alive by a heartbeat. When a lease's renewal is refused
 * (it expired: another worker may hold its objects now) no new object of it is started;
 * the objects in flight go on to their next write, which the state accepts while nobody
 * took the object over and refuses otherwise. A refused (fenced) write aborts everything
 * left on the lease. A renewal that fails for another reason (the database is unreachable)
 * is retried at the next beat: the fencing token, not the worker's own guess, decides
 * whether its writes count.
 */
import type { EngineState } from '../engine/context.ts';
import { FencedWriteError, type ObjectLease, type WorkQueue } from '../state/contracts/work-queue.ts';
import type { ProgressSink } from '../progress.ts';
import { isRetriableStateError } from '../state/postgres-retriable.ts';
import { untilStateAnswers } from './state-retry.ts';

/** A lease the worker holds, with what stops the work on it. */
export interface HeldLease {
  lease: ObjectLease;
  /** Aborted when a write under the lease is refused, or the worker stops. */
  signal: AbortSignal;
  /** The ledger as this lease's holder may write it, counting refused writes. */
  ledger: EngineState;
  /** True once the lease was lost (renewal refused or a write fenced): start nothing new under it. */
  readonly lost: boolean;
}

/** What the worker counts about its leases. */
export interface LeaseCounts {
  /** Leases claimed. */
  claimed: number;
  /** Leases lost: a renewal refused or a write fenced. */
  lost: number;
  /** Writes the state refused because their lease was lost. */
  fencedWrites: number;
}

export class LeaseKeeper {
  readonly counts: LeaseCounts = { claimed: 0, lost: 0, fencedWrites: 0 };
  readonly #queue: WorkQueue;
  readonly #leaseMs: number;
  readonly #progress: ProgressSink;
  readonly #stop: AbortSignal | undefined;
  readonly #held = new Map<string, { held: HeldLease; abort: AbortController; lost: boolean }>();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;

  constructor(queue: WorkQueue, leaseMs: number, progress: ProgressSink, stop: AbortSignal | undefined) {
    this.#queue = queue;
    this.#leaseMs = leaseMs;
    this.#progress = progress;
    this.#stop = stop;
  }

  /** Starts renewing every held lease at a third of its duration, so two beats may fail before it expires. */
  start(): void {
    const beat = () => {
      this.#beating = this.#renewAll().finally(() => {
        if (this.#timer !== undefined) this.#timer = setTimeout(beat, this.#leaseMs / 3);
      });
    };
    this.#timer = setTimeout(beat, this.#leaseMs / 3);
  }

  /** Takes `lease` into the heartbeat and returns what the work on it uses. */
  hold(lease: ObjectLease): HeldLease {
    this.counts.claimed++;
    const abort = new AbortController();
    const signal = this.#stop ? AbortSignal.any([this.#stop, abort.signal]) : abort.signal;
    const entry = { abort, lost: false, held: undefined as unknown as HeldLease };
    const onFenced = () => {
      this.counts.fencedWrites++;
      this.#lose(lease, entry, 'a write under it was refused');
      abort.abort(new Error(`lease ${lease.leaseId} lost: a write under it was refused`));
    };
    entry.held = {
      lease,
      signal,
      ledger: outlivingOutages(countingFences(this.#queue.fencedLedger(lease), onFenced), this.#progress, signal),
      get lost() {
        return entry.lost;
      },
    };
    this.#held.set(lease.leaseId, entry);
    return entry.held;
  }

  /** Gives the lease's unfinished objects back to the pool and stops renewing it. */
  async release(held: HeldLease): Promise<void> {
    this.#held.delete(held.lease.leaseId);
    // A lost lease has nothing to give back; the state says so without an error.
    await this.#queue.releaseLease(held.lease);
  }

  /** Stops the heartbeat (after the beat in flight, or a lease's time) and releases every lease still held. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await within(this.#leaseMs, this.#beating ?? Promise.resolve());
    for (const { held } of [...this.#held.values()]) await this.release(held).catch(() => {});
  }

  async #renewAll(): Promise<void> {
    for (const entry of [...this.#held.values()]) {
      if (entry.lost) continue;
      try {
        // A renewal the state does not answer within a beat is retried at the next one, not waited for.
        const renewed = await within(this.#leaseMs / 3, this.#queue.renewLease(entry.held.lease, this.#leaseMs));
        if (renewed === false) this.#lose(entry.held.lease, entry, 'its renewal was refused (it expired)');
        else if (renewed === TIMED_OUT) throw new Error(`no answer within ${Math.round(this.#leaseMs / 3)} ms`);
      } catch (err) {
        this.#progress.note(
          `could not renew the lease on ${describeLease(entry.held.lease)} (${(err as Error).message}); ` +
            'retrying at the next heartbeat',
        );
      }
    }
  }

  #lose(lease: ObjectLease, entry: { lost: boolean }, why: string): void {
    if (entry.lost) return;
    entry.lost = true;
    this.counts.lost++;
    this.#progress.note(`lost the lease on ${describeLease(lease)}: ${why}; another worker takes its objects over`);
  }
}

const TIMED_OUT = Symbol('timed out');

/**
 * `promise`'s value, or `TIMED_OUT` when it has not settled within `ms` (it is left to settle
 * alone, and a late rejection is dropped: unobserved, it would end the process — as a
 * renewal did when PostgreSQL restarted, rejecting after the heartbeat had moved on).
 */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | typeof TIMED_OUT> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function describeLease(lease: ObjectLease): string {
  return `${lease.keys.length} objects of ${lease.dataset} (token ${lease.fencingToken})`;
}

/**
 * `ledger` with every refused write reported to `onFenced` before it is thrown on: the
 * engine's code paths stay the plain ones, and the worker still learns of each refusal.
 */
export function countingFences<T extends object>(ledger: T, onFenced: (err: FencedWriteError) => void): T {
  return onRejection(ledger, (err) => {
    if (err instanceof FencedWriteError) onFenced(err);
    throw err;
  });
}

/**
 * `ledger` with each call that fails for an outage of the state (PostgreSQL restarting, a
 * connection cut: `isRetriableStateError`) tried again until the state answers, so the
 * engine never takes a short outage for a failed object. Safe because every call is
 * idempotent: reads, and writes that set a record or a part to given values; a fenced
 * refusal is an answer and is thrown at once.
 */
export function outlivingOutages<T extends object>(ledger: T, progress: ProgressSink, signal?: AbortSignal): T {
  return onRejection(ledger, (err, name, again) => {
    if (!isRetriableStateError(err)) throw err;
    return untilStateAnswers(`a ${name} call`, again, { progress, signal, retriable: isRetriableStateError });
  });
}

/**
 * `target` whose async methods hand a rejection to `handle` (with the method's name and a
 * way to call it again with the same arguments); what `handle` returns or throws is the
 * call's outcome. Other properties, and methods that return no promise, are unchanged.
 */
function onRejection<T extends object>(
  target: T,
  handle: (err: unknown, name: string, again: () => Promise<unknown>) => unknown,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = value.apply(object, args);
        if (!(out instanceof Promise)) return out;
        const again = () => value.apply(object, args) as Promise<unknown>;
        return out.catch((err: unknown) => handle(err, String(property), again));
      };
    },
  });
}
