import { describe, expect, it } from 'vitest';
import { createBandwidthLimiter } from '../../src/engine/bandwidth.ts';
import { ByteBudget } from '../../src/engine/byte-budget.ts';

describe('byte budget', () => {
  it('never lends more than its capacity, in FIFO order', async () => {
    const budget = new ByteBudget(100);
    const order: string[] = [];
    const a = await budget.acquire(60);
    const waitB = budget.acquire(50).then((release) => {
      order.push('b');
      return release;
    });
    const waitC = budget.acquire(10).then((release) => {
      order.push('c');
      return release;
    });
    await Promise.resolve();
    expect(budget.used).toBe(60);
    expect(order).toEqual([]); // c would fit, but waits behind b
    a();
    const [b, c] = await Promise.all([waitB, waitC]);
    expect(order).toEqual(['b', 'c']);
    expect(budget.used).toBe(60);
    b();
    c();
    c(); // releasing twice gives back nothing more
    expect(budget.used).toBe(0);
  });

  it('grants a request larger than the whole budget alone, so it cannot starve', async () => {
    const budget = new ByteBudget(10);
    const small = await budget.acquire(5);
    let granted = false;
    const big = budget.acquire(50).then((r) => {
      granted = true;
      return r;
    });
    await Promise.resolve();
    expect(granted).toBe(false);
    small();
    (await big)();
    expect(granted).toBe(true);
  });
});

describe('bandwidth limiter', () => {
  it('lets one second of traffic through at once, then paces to the rate', async () => {
    let now = 0;
    const sleeps: number[] = [];
    // A virtual clock: sleeping advances time, so the test measures what the limiter asks for.
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const limiter = createBandwidthLimiter(1000, clock);
    await limiter.take(1000); // the bucket starts full: no wait
    expect(sleeps).toEqual([]);
    await limiter.take(100); // 100 bytes at 1000 B/s
    await limiter.take(500);
    expect(sleeps).toEqual([100, 500]);
    now += 10_000; // a long idle time refills at most one second's worth
    await limiter.take(1000);
    await limiter.take(1);
    expect(sleeps).toEqual([100, 500, 1]);
  });

  it('is a no-op when unlimited', async () => {
    const limiter = createBandwidthLimiter(undefined);
    await limiter.take(10 ** 12);
  });
});
