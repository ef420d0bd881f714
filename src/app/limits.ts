/**
 * The engine limits of a session: the plan's, with the two a person tunes per run
 * (objects in flight, source bandwidth) overridden. The checks live here once; the command
 * line calls them with its flag names so that its messages name the flag. The checks of the
 * worker flags (`--workers`, `--batch`, `--lease-seconds`) live here too: the command line
 * runs them while it parses, and this module loads none of the use cases (nor the plan
 * schema) they belong to, which a command loads only when it runs.
 */
import { ByteBudget } from '../engine/byte-budget.ts';
import { createBandwidthLimiter } from '../engine/bandwidth.ts';
import type { EngineContext } from '../engine/context.ts';
import { UserError } from '../errors.ts';
import type { Limits } from '../plan/schema.ts';
import { parseRate } from '../plan/sizes.ts';

/** Overrides of the plan's limits for one run. */
export interface LimitOverrides {
  /** Objects in flight, 1 to 256. @default the plan's `limits.concurrency` */
  concurrency?: number | string | undefined;
  /**
   * Cap on reads (the source's for a copy, the target's for a full verify): bytes per second,
   * or a rate like `200MiB/s`. @default the plan's `limits.bandwidth`
   */
  bandwidth?: number | string | undefined;
}

/** `value` as a number of objects in flight; `name` is how the caller's user spells the setting. */
export function concurrencyOf(value: number | string, name = 'concurrency'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new UserError(`${name} ${value} is not a whole number from 1 to 256`, {
      fix: `give ${name} a whole number of objects from 1 to 256, e.g. 16`,
    });
  return n;
}

/** `value` as bytes per second. */
export function bandwidthOf(value: number | string, name = 'bandwidth'): number {
  const rate = typeof value === 'number' ? value : parseRate(value);
  if (rate === undefined || !(rate > 0))
    throw new UserError(`${name} ${value} is not a rate`, { fix: 'write it like 200MiB/s or 50MB/s' });
  return rate;
}

/** `value` as a number of local workers, 1 to 64. */
export function workersOf(value: number | string, flag = '--workers'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UserError(`${flag} ${value} is not a whole number from 1 to 64`, {
      fix: `give ${flag} a whole number of worker processes from 1 to 64, e.g. 4`,
    });
  return n;
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

/** The plan's limits with the overrides applied (checked first: a bad value changes nothing). */
export function limitsWith(plan: Limits, overrides: LimitOverrides): Limits {
  const limits = { ...plan };
  if (overrides.concurrency !== undefined) limits.concurrency = concurrencyOf(overrides.concurrency);
  if (overrides.bandwidth !== undefined) limits.bandwidth = bandwidthOf(overrides.bandwidth);
  return limits;
}

/** What the engine gets from the limits: numbers, the memory budget and the bandwidth limiter. */
export function engineLimits(limits: Limits): Pick<EngineContext, 'limits' | 'budget' | 'bandwidth'> {
  return {
    limits: {
      concurrency: limits.concurrency,
      partConcurrency: limits.partConcurrency,
      multipartThreshold: limits.multipartThreshold,
      minPartSize: limits.minPartSize,
      maxAttempts: limits.maxAttempts,
    },
    budget: new ByteBudget(limits.memoryBudget),
    bandwidth: createBandwidthLimiter(limits.bandwidth),
  };
}
