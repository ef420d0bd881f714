/**
 * `cloudexit worker`: one of many processes, on any number of machines, sharing one
 * migration through a PostgreSQL state (DESIGN.md "Scale-out"). It registers, then for each
 * selected dataset takes part in the sharded inventory (when given an inventory id) and
 * loops: claim a batch of objects under a lease → copy each through the engine with every
 * write fenced by the lease's token → release. A heartbeat renews the leases it holds.
 *
 * It stops when nothing is left to copy that it has not tried in this run, or on a signal:
 * it tries each object once per run (others may still try the ones it failed). A dead
 * worker's objects come back to the pool when its lease expires, its multipart uploads
 * resumed by whoever claims them from the parts it recorded.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { copyRecords, emptyCopySummary, type CopySummary } from '../engine/copy.ts';
import type { EngineDataset } from '../engine/context.ts';
import { UserError } from '../errors.ts';
import { redact } from '../secrets/redact.ts';
import { FencedWriteError, type WorkQueue } from '../state/contracts/work-queue.ts';
import { workQueueOf } from '../state/work-queue-of.ts';
import { isPostgresLocation } from '../state/open.ts';
import { stopped, withSession, type Session, type SessionOptions } from './session.ts';
import { probeTargets } from './target-capabilities.ts';
import { inventoryInShards } from './worker-inventory.ts';
import { untilStateAnswers } from './worker-retry.ts';
import { LeaseKeeper, type HeldLease, type LeaseCounts } from './worker-leases.ts';

export interface WorkerOptions extends SessionOptions {
  /** Objects claimed per lease. @default 16 */
  batch?: number | undefined;
  /** How long a lease lasts unless renewed, in seconds; the heartbeat renews it every third of it. @default 60 */
  leaseSeconds?: number | undefined;
  /**
   * The inventory this worker lists its share of, before copying; every worker given the
   * same id shares one listing of the source (prefix shards). @default none: copy what the state lists
   */
  inventoryId?: string | undefined;
}

/** What one worker did. */
export interface WorkerReport {
  workerId: string;
  host: string;
  pid: number;
  runId: string;
  /** Every selected dataset left with nothing to copy, nothing failed, not interrupted. */
  ok: boolean;
  interrupted: boolean;
  copied: number;
  bytesCopied: number;
  partsResumed: number;
  failed: number;
  leases: LeaseCounts;
  /** Inventory shards this worker listed. */
  shardsListed: number;
  datasets: CopySummary[];
}

export const DEFAULT_BATCH = 16;
export const DEFAULT_LEASE_SECONDS = 60;

/** Refuses, before anything is opened, what a worker cannot run on. */
export function checkWorkerOptions(options: WorkerOptions, command = 'worker'): void {
  if (!isPostgresLocation(options.state ?? ''))
    throw new UserError(`${command} needs a PostgreSQL state shared by the workers`, {
      where: options.state === undefined ? '--state' : `--state ${options.state}`,
      fix: 'pass --state postgresql://USER@HOST:PORT/DATABASE (create it from a SQLite state with `cloudexit state migrate`)',
    });
  if (options.batch !== undefined) batchOf(options.batch);
  if (options.leaseSeconds !== undefined) leaseSecondsOf(options.leaseSeconds);
}

/** `value` as objects per claimed batch, 1 to 10,000; `flag` is how the caller's user spells it. */
export function batchOf(value: number | string, flag = '--batch'): number {
  return wholeNumberOf(value, flag, 10_000, 'e.g. 16');
}

/** `value` as a lease duration in seconds, 3 to 3,600 (the heartbeat beats every third of it). */
export function leaseSecondsOf(value: number | string, flag = '--lease-seconds'): number {
  const n = wholeNumberOf(value, flag, 3600, 'e.g. 60');
  if (n < 3) throw new UserError(`${flag} ${value} is too short for a heartbeat`, { fix: `give ${flag} 3 or more` });
  return n;
}

function wholeNumberOf(value: number | string, flag: string, max: number, example: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UserError(`${flag} ${value} is not a whole number from 1 to ${max}`, {
      fix: `give ${flag} a whole number from 1 to ${max}, ${example}`,
    });
  return n;
}

/** Runs a worker until nothing is left that it has not tried, or until it is stopped. */
export async function worker(options: WorkerOptions): Promise<WorkerReport> {
  checkWorkerOptions(options);
  return withSession(
    options,
    'worker',
    async (session) => {
      const report = await workInSession(session, options);
      await session.audit('worker', report.ok ? 'succeeded' : report.interrupted ? 'interrupted' : 'failed', {
        workerId: report.workerId,
        host: report.host,
        copied: report.copied,
        bytes: report.bytesCopied,
        failed: report.failed,
        fencedWrites: report.leases.fencedWrites,
      });
      return report;
    },
    (report) => ({
      outcome: report.ok ? 'succeeded' : 'failed',
      totals: { objects: report.copied, bytes: report.bytesCopied, failed: report.failed },
    }),
  );
}

/** The worker's loop in an open session (also what `copy` runs on a PostgreSQL state). */
export async function workInSession(
  session: Session,
  options: WorkerOptions,
  datasets: readonly EngineDataset[] = session.datasets,
): Promise<WorkerReport> {
  const queue = workQueueOf(session.state);
  if (!queue) throw new UserError('this state cannot share work between workers', { fix: 'use a PostgreSQL state' });
  const leaseMs = (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const me = { workerId: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`, host: hostname() };
  await probeTargets(session, { force: false });
  const ask = <T>(what: string, call: () => Promise<T>) =>
    untilStateAnswers(what, call, { progress: session.ctx.progress, signal: session.ctx.signal });
  const keeper = new LeaseKeeper(queue, leaseMs, session.ctx.progress, session.ctx.signal);
  await ask('the registration', () => queue.registerWorker({ ...me, pid: process.pid }));
  keeper.start();
  const summaries: CopySummary[] = [];
  let shardsListed = 0;
  let unfinished = false;
  try {
    for (const dataset of datasets) {
      if (stopped(session)) break;
      const work: LeaseWork = {
        queue,
        keeper,
        workerId: me.workerId,
        leaseMs,
        batch: options.batch ?? DEFAULT_BATCH,
        ask,
      };
      const inventory =
        options.inventoryId === undefined
          ? undefined
          : await inventoryInShards(session.ctx, queue, dataset, {
              inventoryId: options.inventoryId,
              workerId: me.workerId,
              leaseMs,
              pollMs: pollMsOf(leaseMs),
            });
      shardsListed += inventory?.shards ?? 0;
      const summary = emptyCopySummary(dataset.name, inventory?.summary, 0);
      await copyLeases(session, dataset, work, summary);
      const counts = await session.state.countObjects(dataset.name);
      summary.alreadyCopied = counts.copied.objects + counts.verified.objects - summary.copied;
      unfinished ||= counts.pending.objects + counts.failed.objects > 0;
      summaries.push(summary);
    }
  } finally {
    await keeper.stop();
  }
  const interrupted = stopped(session);
  const sum = (f: (d: CopySummary) => number) => summaries.reduce((n, d) => n + f(d), 0);
  const failed = sum((d) => d.failed.length);
  return {
    ...me,
    pid: process.pid,
    runId: session.ctx.runId,
    ok: !interrupted && !unfinished && failed === 0 && summaries.length === datasets.length,
    interrupted,
    copied: sum((d) => d.copied),
    bytesCopied: sum((d) => d.bytesCopied),
    partsResumed: sum((d) => d.partsResumed),
    failed,
    leases: { ...keeper.counts },
    shardsListed,
    datasets: summaries,
  };
}

interface LeaseWork {
  queue: WorkQueue;
  keeper: LeaseKeeper;
  workerId: string;
  leaseMs: number;
  batch: number;
  /** The queue's calls, tried again through an outage of the state. */
  ask: <T>(what: string, call: () => Promise<T>) => Promise<T>;
}

/** Wait between two claims while others hold what is left: often enough to take over an expired lease soon. */
function pollMsOf(leaseMs: number): number {
  return Math.min(1000, Math.max(50, leaseMs / 10));
}

/**
 * Claims and copies batches of the dataset until nothing is left that this worker has not
 * tried. A batch of objects it already failed is held while it claims on, to see past
 * them, and given back when the claims run dry; the others may still try them.
 */
async function copyLeases(session: Session, dataset: EngineDataset, work: LeaseWork, summary: CopySummary) {
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
          await copyLease(session, dataset, held, summary, tried);
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
): Promise<void> {
  const records = await held.ledger.getObjects(dataset.name, held.lease.keys);
  const todo = [...records.values()].filter(
    (r) => (r.status === 'pending' || r.status === 'failed') && !tried.has(r.key),
  );
  const ctx = { ...session.ctx, state: held.ledger, signal: held.signal };
  const failedBefore = summary.failed.length;
  await copyRecords(ctx, dataset, whileHeld(todo, held), summary, (key, error) => {
    // A fenced write was counted and stopped the lease. Anything else (the state did not
    // answer) leaves the object as it was, given back with the lease for another try.
    if (error instanceof FencedWriteError) return;
    const message = redact(error instanceof Error ? error.message : String(error));
    session.ctx.progress.note(`${dataset.name}: ${key}: its outcome could not be recorded (${message}); retried later`);
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
