import { describe, expect, it } from 'vitest';
import { choosePartSize, partRanges } from '../../src/engine/part-size.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const S3 = { maxParts: 10_000, minPartSize: 5 * MiB, maxPartSize: 5 * GiB };

describe('part size', () => {
  it('keeps the minimum while the object fits in 10,000 parts', () => {
    expect(choosePartSize(17 * MiB, 8 * MiB, S3)).toBe(8 * MiB);
    expect(choosePartSize(10_000 * 8 * MiB, 8 * MiB, S3)).toBe(8 * MiB);
  });

  it('doubles until no object needs more than the target allows', () => {
    const size = 10_000 * 8 * MiB + 1;
    expect(choosePartSize(size, 8 * MiB, S3)).toBe(16 * MiB);
    for (const tib of [0.5, 1, 4.9]) {
      const big = Math.floor(tib * 1024 * GiB);
      const part = choosePartSize(big, 8 * MiB, S3);
      expect(Math.ceil(big / part)).toBeLessThanOrEqual(10_000);
      expect(Math.ceil(big / (part / 2))).toBeGreaterThan(10_000);
    }
  });

  it('never goes below the target minimum, and refuses what cannot fit', () => {
    expect(choosePartSize(100 * MiB, 1 * MiB, S3)).toBe(5 * MiB);
    expect(() => choosePartSize(60_000 * GiB, 8 * MiB, S3)).toThrow(/largest part/);
  });

  it('cuts ranges that cover the object exactly once', () => {
    const ranges = partRanges(17 * MiB + 3, 8 * MiB);
    expect(ranges.map((r) => [r.partNumber, r.offset, r.length])).toEqual([
      [1, 0, 8 * MiB],
      [2, 8 * MiB, 8 * MiB],
      [3, 16 * MiB, MiB + 3],
    ]);
    expect(partRanges(0, 8 * MiB)).toEqual([]);
  });
});
