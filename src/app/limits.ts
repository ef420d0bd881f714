/**
 * The engine limits of a session: the plan's, with the two a person tunes per run
 * (objects in flight, source bandwidth) overridden. The checks live here once; the command
 * line calls them with its flag names so that its messages name the flag.
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
