/**
 * `verify --bandwidth`: a full verify reads every object again, and those reads go through
 * the run's bandwidth limiter as a copy's do. A virtual clock records the waits the limiter
 * asks for, so the test checks the pacing, not how long it took.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBandwidthLimiter, type BandwidthLimiter } from '../../src/engine/bandwidth.ts';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { verifyDataset } from '../../src/engine/verify.ts';
import { bytesOf, createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A limiter at `rate` bytes per second on a virtual clock, and what it let through and asked to wait. */
function pacedLimiter(rate: number): { limiter: BandwidthLimiter; taken: () => number; waitedMs: () => number } {
  let now = 0;
  let taken = 0;
  let waited = 0;
  const inner = createBandwidthLimiter(rate, {
    now: () => now,
    sleep: async (ms) => {
      waited += ms;
      now += ms;
    },
  });
  return {
    limiter: {
      take: (bytes) => {
        taken += bytes;
        return inner.take(bytes);
      },
    },
    taken: () => taken,
    waitedMs: () => waited,
  };
}

describe('verify and the bandwidth limit', () => {
  it('paces the reads of a full verify to the limit; a quick verify reads nothing', async () => {
    h = await createHarness();
    const sizes = [40_000, 25_000, 35_000]; // 100,000 bytes
    for (const [i, size] of sizes.entries()) {
      const body = bytesOf(`o${i}`, size);
      const digest = md5(body);
      await h.dataset.source.put(`o${i}.bin`, body, digest, {
        contentType: 'application/octet-stream',
        metadata: {},
        md5: digest,
      });
    }
    expect((await copyDataset(await h.context(), h.dataset)).copied).toBe(3);

    const quick = pacedLimiter(10_000);
    expect((await verifyDataset(await h.context({ bandwidth: quick.limiter }), h.dataset, 'quick')).verified).toBe(3);
    expect(quick.taken()).toBe(0);

    const full = pacedLimiter(10_000);
    const summary = await verifyDataset(await h.context({ bandwidth: full.limiter }), h.dataset, 'full');
    expect([summary.verified, summary.mismatches]).toEqual([3, []]);
    expect(full.taken()).toBe(100_000);
    // The bucket starts with one second of traffic (10,000 bytes); the other 90,000 wait 9 s.
    expect(full.waitedMs()).toBeCloseTo(9_000, 0);
  });
});
