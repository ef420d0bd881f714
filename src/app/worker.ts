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
import { emptyCopySummary, type CopySummary } from '../engine/copy.ts';
import type { EngineDataset } from '../engine/context.ts';
import { UserError } from '../errors.ts';
import { workQueueOf } from '../state/work-queue-of.ts';
import { isPostgresLocation } from '../state/open.ts';
import { batchOf, leaseSecondsOf } from './limits.ts';
import { stopped, withSession, type Session, type SessionOptions } from './session.ts';
import { probeTargets } from './target-capabilities.ts';
import { inventoryInShards } from './worker-inventory.ts';
import { untilStateAnswers } from './state-retry.ts';
import { copyLeases, pollMsOf, type LeaseWork } from './worker-batches.ts';
import { LeaseKeeper, type LeaseCounts } from './worker-leases.ts';

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

/** Runs a worker until nothing is left that it has not tried, or until it is stopped. */
export async function worker(options: WorkerOptions): Promise<WorkerReport> {
  checkWorkerOptions(options);
  return withSession(
    options,
    'worker',
    async (session) => {
      const report = await workInSession(session, options);
      // Work done must not end as a failure because the state restarted as it finished: the
      // event is retried through an outage (written twice only if an answer was lost after
      // the commit — an audit reader sees the same worker's end twice, nothing else).
      const outcome = report.ok ? 'succeeded' : report.interrupted ? 'interrupted' : 'failed';
      await untilStateAnswers(
        'the end of this worker',
        () =>
          session.audit('worker', outcome, {
            workerId: report.workerId,
            host: report.host,
            copied: report.copied,
            bytes: report.bytesCopied,
            failed: report.failed,
            fencedWrites: report.leases.fencedWrites,
          }),
        { progress: session.ctx.progress },
      );
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
  const ask = <T>(what: string, call: () => Promise<T>) =>
    untilStateAnswers(what, call, { progress: session.ctx.progress, signal: session.ctx.signal });
  // Several workers starting together each probe a target no one has probed yet; a probe
  // is idempotent (throw-away objects under a random prefix), so an outage is retried whole.
  await ask('the probe of the targets', () => probeTargets(session, { force: false }));
  const keeper = new LeaseKeeper(queue, leaseMs, session.ctx.progress, session.ctx.signal);
  await ask('the registration', () => queue.registerWorker({ ...me, pid: process.pid }));
  const work: LeaseWork = { queue, keeper, workerId: me.workerId, leaseMs, batch: options.batch ?? DEFAULT_BATCH, ask };
  const done: DatasetWork[] = [];
  keeper.start();
  try {
    for (const dataset of datasets) {
      if (stopped(session)) break;
      done.push(await workDataset(session, dataset, work, options.inventoryId));
    }
  } finally {
    await keeper.stop();
  }
  const interrupted = stopped(session);
  const summaries = done.map((d) => d.summary);
  const sum = (f: (d: CopySummary) => number) => summaries.reduce((n, d) => n + f(d), 0);
  const failed = sum((d) => d.failed.length);
  return {
    ...me,
    pid: process.pid,
    runId: session.ctx.runId,
    ok: !interrupted && done.every((d) => d.finished) && failed === 0 && done.length === datasets.length,
    interrupted,
    copied: sum((d) => d.copied),
    bytesCopied: sum((d) => d.bytesCopied),
    partsResumed: sum((d) => d.partsResumed),
    failed,
    leases: { ...keeper.counts },
    shardsListed: done.reduce((n, d) => n + d.shards, 0),
    datasets: summaries,
  };
}

/** What a worker did on one dataset. */
interface DatasetWork {
  summary: CopySummary;
  /** Inventory shards it listed. */
  shards: number;
  /** Nothing of the dataset is left to copy (by anyone) when it left it. */
  finished: boolean;
}

/** Lists the worker's share of the dataset (with an inventory id), then copies batches of it until none is left. */
async function workDataset(
  session: Session,
  dataset: EngineDataset,
  work: LeaseWork,
  inventoryId: string | undefined,
): Promise<DatasetWork> {
  const inventory =
    inventoryId === undefined
      ? undefined
      : await inventoryInShards(session.ctx, work.queue, dataset, {
          inventoryId,
          workerId: work.workerId,
          leaseMs: work.leaseMs,
          pollMs: pollMsOf(work.leaseMs),
          ask: work.ask,
        });
  const summary = emptyCopySummary(dataset.name, inventory?.summary, 0);
  await copyLeases(session, dataset, work, summary);
  const counts = await work.ask('a count', () => session.state.countObjects(dataset.name));
  summary.alreadyCopied = counts.copied.objects + counts.verified.objects - summary.copied;
  return {
    summary,
    shards: inventory?.shards ?? 0,
    finished: counts.pending.objects + counts.failed.objects === 0,
  };
}
