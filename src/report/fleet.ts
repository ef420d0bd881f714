/**
 * The worker fleet as `status` shows it, on a PostgreSQL state: the live workers with their
 * leases and measured throughput, the stalled leases (expired, not yet taken over: their
 * objects wait for a worker), the late writes refused, and when the work left would end at
 * the rate the fleet is measured to copy now. Read only, from the state's clock.
 */
import { secondsFor, type Throughput } from '../plan/projection.ts';
import { formatBytes } from '../plan/sizes.ts';
import type { FleetSnapshot } from '../state/contracts/work-queue.ts';
import { workQueueOf } from '../state/work-queue-of.ts';
import { renderTable } from './text-table.ts';

/** Workers seen within this window are live, and their copies in it measure the rate. @default 5 minutes */
export const FLEET_WINDOW_MS = 5 * 60_000;

export interface FleetWorkerStatus {
  workerId: string;
  host: string;
  pid: number;
  startedAt: string;
  lastSeenAt: string;
  /** Live leases and the objects they hold. */
  leases: number;
  objectsHeld: number;
  /** Measured over the window, or since the worker started when that is shorter. */
  objectsPerSecond: number;
  bytesPerSecond: number;
}

export interface FleetStatus {
  /** ISO 8601, the state's clock. */
  at: string;
  workers: FleetWorkerStatus[];
  stalledLeases: FleetSnapshot['stalledLeases'];
  /** Writes refused because their lease was lost, since the state was created. */
  fencedWrites: number;
  /** The fleet's rate: the sum of its workers'. Undefined when no worker is live. */
  throughput: Throughput | undefined;
  /** When the objects not yet copied would be, at that rate; undefined without a rate or with nothing left. */
  projectedEnd: string | undefined;
}

/** What is left to copy, phase by phase, as the status reads it. */
export interface WorkLeft {
  state: string;
  objects: number;
  copiedObjects: number;
  bytes: number;
  copiedBytes: number;
}

/** The fleet of a shared state; undefined for a state that has none (a SQLite file). */
export async function fleetStatus(
  state: object,
  phases: readonly WorkLeft[],
  windowMs = FLEET_WINDOW_MS,
): Promise<FleetStatus | undefined> {
  const queue = workQueueOf(state);
  if (!queue) return undefined;
  const snapshot = await queue.fleet(windowMs);
  const at = Date.parse(snapshot.at);
  const workers = snapshot.workers.map((w): FleetWorkerStatus => {
    // A worker younger than the window copied for less time than the window lasts.
    const seconds = Math.max(1, Math.min(w.recent.windowMs, at - Date.parse(w.startedAt)) / 1000);
    return {
      workerId: w.workerId,
      host: w.host,
      pid: w.pid,
      startedAt: w.startedAt,
      lastSeenAt: w.lastSeenAt,
      leases: w.leases.length,
      objectsHeld: w.leases.reduce((n, l) => n + l.objects, 0),
      objectsPerSecond: w.recent.objects / seconds,
      bytesPerSecond: w.recent.bytes / seconds,
    };
  });
  const throughput =
    workers.length === 0
      ? undefined
      : {
          objectsPerSecond: workers.reduce((n, w) => n + w.objectsPerSecond, 0),
          bytesPerSecond: workers.reduce((n, w) => n + w.bytesPerSecond, 0),
          runs: workers.length,
          seconds: windowMs / 1000,
        };
  const open = phases.filter((p) => p.state !== 'committed');
  const objectsLeft = open.reduce((n, p) => n + p.objects - p.copiedObjects, 0);
  const bytesLeft = open.reduce((n, p) => n + p.bytes - p.copiedBytes, 0);
  const secondsLeft = throughput && objectsLeft + bytesLeft > 0 ? secondsFor(bytesLeft, objectsLeft, throughput) : NaN;
  return {
    at: snapshot.at,
    workers,
    stalledLeases: snapshot.stalledLeases,
    fencedWrites: snapshot.fencedWrites,
    throughput,
    projectedEnd: Number.isFinite(secondsLeft) ? new Date(at + secondsLeft * 1000).toISOString() : undefined,
  };
}

/** The fleet's lines of the text status; none for a state without a fleet. */
export function renderFleet(fleet: FleetStatus | undefined): string[] {
  if (!fleet) return [];
  const lines = ['', `fleet (as of ${fleet.at.slice(0, 19).replace('T', ' ')} UTC):`];
  if (fleet.workers.length === 0) lines.push('  no live worker');
  else
    lines.push(
      renderTable(
        ['worker', 'host', 'leases', 'objects held', 'objects/s', 'throughput', 'last seen'],
        fleet.workers.map((w) => [
          w.workerId,
          w.host,
          w.leases,
          w.objectsHeld,
          w.objectsPerSecond.toFixed(1),
          `${formatBytes(w.bytesPerSecond)}/s`,
          w.lastSeenAt.slice(11, 19),
        ]),
      ),
    );
  if (fleet.throughput)
    lines.push(
      `fleet rate: ${fleet.throughput.objectsPerSecond.toFixed(1)} objects/s, ${formatBytes(fleet.throughput.bytesPerSecond)}/s` +
        (fleet.projectedEnd ? `; at this rate what is left is copied by ${fleet.projectedEnd.slice(0, 16)} UTC` : ''),
    );
  for (const l of fleet.stalledLeases)
    lines.push(
      `  stalled: ${l.objects} objects of ${l.dataset} leased by ${l.workerId}, expired ${l.expiredAt.slice(0, 19)} ` +
        '(any live worker takes them over)',
    );
  if (fleet.fencedWrites > 0) lines.push(`late writes refused (leases lost): ${fleet.fencedWrites}`);
  return lines;
}
