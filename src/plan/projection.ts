/**
 * When will the bulk copy end? From the throughput measured by recent copy runs (bytes
 * and objects per second, read from the state store) and what remains, project each
 * phase's end of bulk copy, phases copied one after another in plan order, and flag what
 * is at risk: a phase projected after its planned cutover, the migration projected after
 * the deadline.
 *
 * The slower of the two estimates wins: bytes per second alone would promise too much for
 * a dataset of millions of small objects, objects per second alone for a few huge files.
 */
import type { RunRecord } from '../state/contracts/runs.ts';
import { parisDay } from './clock.ts';

export interface Throughput {
  bytesPerSecond: number;
  objectsPerSecond: number;
  /** What the figures are based on. */
  runs: number;
  seconds: number;
}

export interface PhaseWork {
  phaseId: number;
  plannedCutover: string;
  remainingBytes: number;
  remainingObjects: number;
  /** Whether the phase's datasets were ever listed; if not, what remains is unknown. @default true */
  inventoried?: boolean;
}

interface PhaseProjection {
  phaseId: number;
  plannedCutover: string;
  /** ISO 8601; `undefined` when nothing was measured yet and work remains. */
  projectedEnd: string | undefined;
  /** Paris day of `projectedEnd`. */
  projectedDay: string | undefined;
  /** Seconds of copying left for this phase alone. */
  secondsLeft: number | undefined;
  atRisk: boolean;
  /** Why it is at risk, in words a project manager reads. */
  risk: string | undefined;
}

export interface Projection {
  throughput: Throughput | undefined;
  phases: PhaseProjection[];
  migrationEnd: string | undefined;
  migrationAtRisk: boolean;
  risk: string | undefined;
}

/** Copy runs that finished (a killed run has no end time and is left out), the most recent `limit`. */
export function measuredThroughput(runs: readonly RunRecord[], limit = 10): Throughput | undefined {
  const measured = runs
    .filter((r) => r.command === 'copy' && r.endedAt && r.totals && r.totals.bytes + r.totals.objects > 0)
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))
    .slice(0, limit);
  let seconds = 0;
  let bytes = 0;
  let objects = 0;
  for (const run of measured) {
    seconds += Math.max(0.001, (Date.parse(run.endedAt!) - Date.parse(run.startedAt)) / 1000);
    bytes += run.totals!.bytes;
    objects += run.totals!.objects;
  }
  if (measured.length === 0) return undefined;
  return { bytesPerSecond: bytes / seconds, objectsPerSecond: objects / seconds, runs: measured.length, seconds };
}

/** Seconds to move `bytes` and `objects` at `throughput`. */
export function secondsFor(bytes: number, objects: number, throughput: Throughput): number {
  const byBytes = throughput.bytesPerSecond > 0 ? bytes / throughput.bytesPerSecond : bytes > 0 ? Infinity : 0;
  const byObjects =
    throughput.objectsPerSecond > 0 ? objects / throughput.objectsPerSecond : objects > 0 ? Infinity : 0;
  return Math.max(byBytes, byObjects);
}

export function project(
  work: readonly PhaseWork[],
  throughput: Throughput | undefined,
  now: Date,
  deadline: string,
): Projection {
  let cursor = now.getTime();
  let unknown = false;
  const notInventoried = work.filter((p) => p.inventoried === false).map((p) => p.phaseId);
  const phases = [...work]
    .sort((a, b) => a.phaseId - b.phaseId)
    .map((phase): PhaseProjection => {
      const remaining = phase.remainingBytes + phase.remainingObjects > 0 || phase.inventoried === false;
      if (!remaining) {
        return {
          phaseId: phase.phaseId,
          plannedCutover: phase.plannedCutover,
          projectedEnd: new Date(cursor).toISOString(),
          projectedDay: parisDay(new Date(cursor)),
          secondsLeft: 0,
          atRisk: false,
          risk: undefined,
        };
      }
      if (!throughput || unknown || phase.inventoried === false) {
        unknown = true;
        return {
          phaseId: phase.phaseId,
          plannedCutover: phase.plannedCutover,
          projectedEnd: undefined,
          projectedDay: undefined,
          secondsLeft: undefined,
          atRisk: false,
          risk: undefined,
        };
      }
      const secondsLeft = secondsFor(phase.remainingBytes, phase.remainingObjects, throughput);
      cursor += secondsLeft * 1000;
      const end = new Date(Math.min(cursor, 8.64e15));
      const projectedDay = parisDay(end);
      const atRisk = projectedDay > phase.plannedCutover;
      return {
        phaseId: phase.phaseId,
        plannedCutover: phase.plannedCutover,
        projectedEnd: end.toISOString(),
        projectedDay,
        secondsLeft,
        atRisk,
        risk: atRisk
          ? `bulk copy projected to end on ${projectedDay}, after the planned cutover on ${phase.plannedCutover}`
          : undefined,
      };
    });
  const last = phases.at(-1);
  const migrationEnd = unknown ? undefined : last?.projectedEnd;
  const endDay = migrationEnd ? parisDay(new Date(migrationEnd)) : undefined;
  const migrationAtRisk = endDay !== undefined && endDay > deadline;
  return {
    throughput,
    phases,
    migrationEnd,
    migrationAtRisk,
    risk: migrationAtRisk
      ? `the bulk copy is projected to end on ${endDay}, after the deadline ${deadline}`
      : notInventoried.length > 0
        ? `phase ${notInventoried.join(', ')} not inventoried yet: run \`cloudexit inventory\` to know what remains`
        : unknown
          ? 'no copy has been measured yet: run `cloudexit copy` to measure the throughput'
          : undefined,
  };
}
