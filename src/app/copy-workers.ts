/**
 * `copy` on a PostgreSQL state is a worker: alone in this process, or `--workers N` child
 * processes of `cloudexit worker` on this machine, sharing one inventory (prefix shards) and
 * the objects through the state exactly as workers on other machines would. Their reports
 * are summed into the copy's, per dataset.
 */
import { spawn } from 'node:child_process';
import type { CopySummary } from '../engine/copy.ts';
import type { InventorySummary } from '../engine/inventory.ts';
import { UserError } from '../errors.ts';
import { bandwidthOf, batchOf, leaseSecondsOf, workersOf } from './limits.ts';
import { isPostgresLocation } from '../state/open.ts';
import { CLOUDEXIT_BIN, NODE_FLAGS } from '../package-root.ts';
import type { Session, SessionOptions } from './session.ts';
import { workInSession, type WorkerReport } from './worker.ts';

/** How `copy` shares its work when the state is PostgreSQL. */
export interface CopyWorkerOptions {
  /** Worker processes started on this machine (a PostgreSQL state only above 1). @default 1, in this process */
  workers?: number | undefined;
  /** Objects claimed per lease. @default 16 (`DEFAULT_BATCH`) */
  batch?: number | undefined;
  /** Lease duration in seconds. @default 60 (`DEFAULT_LEASE_SECONDS`) */
  leaseSeconds?: number | undefined;
}

/** Refuses, before anything is opened, local workers the state or the plan cannot have. */
export function checkCopyWorkers(options: CopyWorkerOptions & SessionOptions): void {
  const workers = options.workers === undefined ? 1 : workersOf(options.workers);
  if (options.batch !== undefined) batchOf(options.batch);
  if (options.leaseSeconds !== undefined) leaseSecondsOf(options.leaseSeconds);
  if (workers === 1) return;
  if (!isPostgresLocation(options.state ?? ''))
    throw new UserError(`--workers ${workers} needs a PostgreSQL state: workers share their work through it`, {
      where: options.state === undefined ? '--state' : `--state ${options.state}`,
      fix:
        'pass --state postgresql://USER@HOST:PORT/DATABASE (move a SQLite state there with `cloudexit state migrate`), ' +
        'or drop --workers to copy in this process',
    });
  if (typeof options.plan === 'object')
    throw new UserError('--workers needs a plan file the worker processes can read', {
      fix: 'pass --plan with the path of the plan file',
    });
}

/**
 * Copies the session's datasets (but `skip`) as workers: in this process, or in
 * `options.workers` child processes. Datasets no worker reported (interrupted) are absent.
 */
export async function copyAsWorkers(
  session: Session,
  options: CopyWorkerOptions & Pick<SessionOptions, 'state' | 'bandwidth'> & { inventory?: boolean | undefined },
  skip: ReadonlySet<string>,
): Promise<Map<string, CopySummary>> {
  const datasets = session.datasets.filter((d) => !skip.has(d.name));
  const inventoryId = options.inventory === false ? undefined : `inv-${session.ctx.runId}`;
  const reports =
    (options.workers ?? 1) <= 1
      ? [await workInSession(session, { ...options, inventoryId }, datasets)]
      : await runChildWorkers(
          session,
          options,
          datasets.map((d) => d.name),
          inventoryId,
        );
  return sumByDataset(reports);
}

/** Starts the child workers, relays their notes, and collects their reports. */
async function runChildWorkers(
  session: Session,
  options: CopyWorkerOptions & Pick<SessionOptions, 'state' | 'bandwidth'>,
  datasets: string[],
  inventoryId: string | undefined,
): Promise<WorkerReport[]> {
  const n = options.workers ?? 1;
  const state = childState(options.state ?? session.state.location, session.env);
  const args = childArgs(session, options, state, datasets, inventoryId, n);
  const children = Array.from({ length: n }, (_, i) => runChild(state.env, args, i + 1, session));
  const onAbort = () => children.forEach((c) => c.stop());
  session.ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return (await Promise.all(children.map((c) => c.report))).filter((r): r is WorkerReport => r !== undefined);
  } finally {
    session.ctx.signal?.removeEventListener('abort', onAbort);
  }
}

function childArgs(
  session: Session,
  options: CopyWorkerOptions & Pick<SessionOptions, 'bandwidth'>,
  state: ChildState,
  datasets: string[],
  inventoryId: string | undefined,
  n: number,
): string[] {
  // The copy's bandwidth cap (the flag's, else the plan's) is shared: each of the n workers takes its share.
  const bandwidth = options.bandwidth === undefined ? session.plan.limits.bandwidth : bandwidthOf(options.bandwidth);
  const args = ['worker', '--plan', session.plan.file, '--state', state.url, '--json'];
  if (datasets.length > 0) args.push('--dataset', ...datasets);
  if (inventoryId) args.push('--inventory-id', inventoryId);
  if (options.batch !== undefined) args.push('--batch', String(options.batch));
  if (options.leaseSeconds !== undefined) args.push('--lease-seconds', String(options.leaseSeconds));
  args.push('--concurrency', String(session.ctx.limits.concurrency));
  if (bandwidth !== undefined) args.push('--bandwidth', String(Math.max(1, Math.floor(bandwidth / n))));
  return args;
}

/** The state URL and environment of the children: a password never goes on a command line (`ps` shows it). */
interface ChildState {
  url: string;
  env: NodeJS.ProcessEnv;
}

function childState(location: string, env: NodeJS.ProcessEnv): ChildState {
  const url = new URL(location);
  if (url.password === '') return { url: location, env };
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), env: { ...env, PGPASSWORD: password } };
}

interface Child {
  report: Promise<WorkerReport | undefined>;
  stop(): void;
}

function runChild(env: NodeJS.ProcessEnv, args: string[], index: number, session: Session): Child {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLOUDEXIT_BIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') session.ctx.progress.note(`worker ${index}: ${line}`);
  });
  const report = new Promise<WorkerReport | undefined>((resolve) => {
    child.once('close', (code, signal) => {
      try {
        resolve(JSON.parse(stdout) as WorkerReport);
      } catch {
        session.ctx.progress.note(
          `worker ${index} ended (${signal ?? `exit code ${code}`}) without a report; its leases expire and the others take them`,
        );
        resolve(undefined);
      }
    });
  });
  return { report, stop: () => child.kill('SIGTERM') };
}

/** The workers' summaries added up per dataset. */
export function sumByDataset(reports: readonly WorkerReport[]): Map<string, CopySummary> {
  const sums = new Map<string, CopySummary>();
  // Each worker counts what was on the target when it left: the last to leave saw the most.
  const seenAtEnd = new Map<string, number>();
  for (const summary of reports.flatMap((r) => r.datasets)) {
    const end = summary.alreadyCopied + summary.copied;
    seenAtEnd.set(summary.dataset, Math.max(seenAtEnd.get(summary.dataset) ?? 0, end));
    const sum = sums.get(summary.dataset);
    if (!sum) {
      sums.set(summary.dataset, structuredClone(summary));
      continue;
    }
    sum.copied += summary.copied;
    sum.bytesCopied += summary.bytesCopied;
    sum.partsResumed += summary.partsResumed;
    sum.failed.push(...summary.failed);
    sum.conflicts.push(...summary.conflicts);
    sum.vanished.push(...summary.vanished);
    sum.inventory = addInventories(sum.inventory, summary.inventory);
  }
  for (const sum of sums.values()) sum.alreadyCopied = Math.max(0, seenAtEnd.get(sum.dataset)! - sum.copied);
  return sums;
}

function addInventories(
  a: InventorySummary | undefined,
  b: InventorySummary | undefined,
): InventorySummary | undefined {
  if (!a || !b) return a ?? b;
  return {
    dataset: a.dataset,
    objects: a.objects + b.objects,
    bytes: a.bytes + b.bytes,
    added: a.added + b.added,
    changed: a.changed + b.changed,
    unchanged: a.unchanged + b.unchanged,
    deletedAtSource: [...a.deletedAtSource, ...b.deletedAtSource],
  };
}
