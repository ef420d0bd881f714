/**
 * Bandwidth limit on the bytes a run reads (from the source when copying, from the target
 * when verifying in full), shared by every transfer of the run: a token
 * bucket holding at most one second of traffic, so a burst after an idle minute does
 * not exceed the limit.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface BandwidthLimiter {
  /** Waits until `bytes` may pass. */
  take(bytes: number): Promise<void>;
}

export const UNLIMITED: BandwidthLimiter = { take: async () => {} };

export interface LimiterClock {
  /** Milliseconds from any origin. @default performance.now */
  now(): number;
  /** Waits `ms` milliseconds. @default timers/promises setTimeout */
  sleep(ms: number): Promise<unknown>;
}

const REAL_CLOCK: LimiterClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

export function createBandwidthLimiter(
  bytesPerSecond: number | undefined,
  clock: LimiterClock = REAL_CLOCK,
): BandwidthLimiter {
  const now = () => clock.now();
  if (!bytesPerSecond) return UNLIMITED;
  let tokens = bytesPerSecond;
  let last = now();
  // Callers queue behind one another so that a large take is not overtaken forever.
  let tail: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = now();
    tokens = Math.min(bytesPerSecond, tokens + ((t - last) / 1000) * bytesPerSecond);
    last = t;
  };
  return {
    take(bytes: number): Promise<void> {
      const turn = tail.then(async () => {
        refill();
        tokens -= bytes;
        if (tokens < 0) await clock.sleep((-tokens / bytesPerSecond) * 1000);
      });
      tail = turn.catch(() => {});
      return turn;
    },
  };
}
