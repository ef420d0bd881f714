/**
 * The cutover night of a phase as a timed plan: the go/no-go meeting, then each step from the
 * freeze (T0, the plan's `governance.freezeAt` on the planned day, Paris time) with its start
 * as T-minus/T-plus and as a clock time, its expected length from the measured copy rate (or
 * the hook's timeout, an upper bound), the length of the freeze and of the downtime, the
 * rollback deadline and how long a rollback takes. Pure: the runbooks render what this returns.
 */
import { secondsFor, type Throughput } from '../../plan/projection.ts';
import type { Plan } from '../../plan/schema.ts';
import { CUTOVER_STEPS, type CutoverStep } from '../../phase-record.ts';
import type { PhaseFacts } from './model.ts';
import { parisParts } from '../../plan/clock.ts';

/**
 * Names a List Blobs page returns (Azure's maximum), one page a second assumed: the
 * quiescence check lists the whole source once, a cost no copy run measures.
 */
const NAMES_PER_PAGE = 5_000;

/** Fixed lengths, in seconds, of the steps that do no bulk work. */
const QUICK_STEP = 60;

export interface NightRow {
  step: 'go-no-go' | CutoverStep;
  /** Minutes from the freeze (negative before it). */
  offsetMinutes: number;
  /** ISO 8601 start, at the earliest. */
  startsAt: string;
  /** Expected length in seconds; `undefined` when it cannot be estimated yet. */
  seconds: number | undefined;
  /** What the length rests on. */
  basis: 'fixed' | 'measured' | 'listing' | 'hook-timeout' | 'skipped' | 'unknown';
  /** A step before this one has no estimate: the start is "not before". */
  startIsLowerBound: boolean;
}

export interface CutoverNight {
  rows: NightRow[];
  /** ISO 8601 of the freeze, T0. */
  freezeAt: string;
  /** Writes impossible: from the freeze to the end of the switch. `undefined` when unknown. */
  freezeSeconds: number | undefined;
  /** Readers without a host they can rely on: the switch and the smoke check. */
  downtimeSeconds: number;
  /** The planned commit: the last moment a rollback can be decided (ISO 8601), at the earliest. */
  rollbackDeadline: string;
  rollbackSeconds: number;
  /** Whether `rollbackSeconds` comes from the plan (timed in a rehearsal) or the hook timeouts. */
  rollbackTimed: boolean;
}

/** The instant of a Paris wall-clock time `HH:MM` on day `YYYY-MM-DD`. */
export function parisInstant(day: string, time: string): string {
  const guess = Date.parse(`${day}T${time}:00Z`);
  const offset = (at: number) => {
    const p = parisParts(new Date(at).toISOString());
    return Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:00Z`) - at;
  };
  return new Date(guess - offset(guess - offset(guess))).toISOString();
}

function stepSeconds(
  step: CutoverStep,
  phase: PhaseFacts,
  throughput: Throughput | undefined,
  plan: Plan,
): Pick<NightRow, 'seconds' | 'basis'> {
  const hooks = plan.hooks;
  const hook =
    step === 'freeze'
      ? hooks.freeze
      : step === 'switch'
        ? hooks.switch
        : step === 'smoke-check'
          ? hooks.smokeCheck
          : null;
  if (hook !== null) {
    if (hook === undefined)
      return step === 'smoke-check' ? { seconds: 0, basis: 'skipped' } : { seconds: undefined, basis: 'unknown' };
    return { seconds: hooks.timeoutSeconds, basis: 'hook-timeout' };
  }
  if (step === 'preflight' || step === 'commit') return { seconds: QUICK_STEP, basis: 'fixed' };
  const inventoried = phase.datasets.every((d) => d.inventoried);
  const objects = phase.datasets.reduce((n, d) => n + d.objects, 0);
  if (!inventoried) return { seconds: undefined, basis: 'unknown' };
  if (step === 'quiescence')
    return { seconds: Math.max(QUICK_STEP, Math.ceil(objects / NAMES_PER_PAGE)), basis: 'listing' };
  if (!throughput) return { seconds: undefined, basis: 'unknown' };
  const bytes = phase.datasets.reduce((n, d) => n + d.notCopiedBytes, 0);
  const left = phase.datasets.reduce((n, d) => n + d.notCopiedObjects, 0);
  // The final sync copies what is left; the verify re-reads it in full and checks every object quickly.
  const seconds = secondsFor(bytes, step === 'final-sync' ? left : objects, throughput);
  return { seconds: Math.max(QUICK_STEP, seconds), basis: 'measured' };
}

export function cutoverNight(phase: PhaseFacts, plan: Plan, throughput: Throughput | undefined): CutoverNight {
  const g = plan.governance;
  const freezeAt = parisInstant(phase.status.plannedCutover, g.freezeAt);
  const t0 = Date.parse(freezeAt);
  const rows: NightRow[] = [
    {
      step: 'go-no-go',
      offsetMinutes: -g.goNoGoMinutesBefore,
      startsAt: new Date(t0 - g.goNoGoMinutesBefore * 60_000).toISOString(),
      seconds: g.goNoGoMinutesBefore * 60,
      basis: 'fixed',
      startIsLowerBound: false,
    },
  ];
  // The go/no-go check runs right before the freeze: T0 is when the freeze hook starts.
  let cursor = t0 - QUICK_STEP * 1000;
  let lowerBound = false;
  const starts = new Map<CutoverStep, number>();
  for (const step of CUTOVER_STEPS) {
    const { seconds, basis } = stepSeconds(step, phase, throughput, plan);
    starts.set(step, cursor);
    rows.push({
      step,
      offsetMinutes: Math.round((cursor - t0) / 60_000),
      startsAt: new Date(cursor).toISOString(),
      seconds,
      basis,
      startIsLowerBound: lowerBound,
    });
    if (seconds === undefined) lowerBound = true;
    cursor += (seconds ?? 0) * 1000;
  }
  const switchEnd = starts.get('smoke-check')!;
  const freezeKnown = rows
    .filter((r) => r.step !== 'go-no-go' && r.step !== 'smoke-check' && r.step !== 'commit')
    .every((r) => r.seconds !== undefined);
  const rollbackBound =
    (plan.hooks.rollback ? plan.hooks.timeoutSeconds : 0) +
    (plan.hooks.thaw ? plan.hooks.timeoutSeconds : 0) +
    QUICK_STEP;
  return {
    rows,
    freezeAt,
    freezeSeconds: freezeKnown ? (switchEnd - t0) / 1000 : undefined,
    downtimeSeconds:
      (rows.find((r) => r.step === 'switch')!.seconds ?? 0) +
      (rows.find((r) => r.step === 'smoke-check')!.seconds ?? 0),
    rollbackDeadline: new Date(starts.get('commit')!).toISOString(),
    rollbackSeconds: g.rollbackMinutes !== undefined ? g.rollbackMinutes * 60 : rollbackBound,
    rollbackTimed: g.rollbackMinutes !== undefined,
  };
}

/**
 * `T−60 min`, `T0`, `T+1 h 05`: the offset from the freeze the way cutover plans write it, with
 * no-break spaces so that it never splits across two lines.
 */
export function tMinus(minutes: number): string {
  if (minutes === 0) return 'T0';
  const sign = minutes < 0 ? '−' : '+';
  const m = Math.abs(minutes);
  const nb = '\u00a0';
  return m < 60 ? `T${sign}${m}${nb}min` : `T${sign}${Math.floor(m / 60)}${nb}h${nb}${String(m % 60).padStart(2, '0')}`;
}
