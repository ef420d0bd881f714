/**
 * Part layout of a multipart upload. The part size starts at the plan's minimum and
 * doubles until the object fits in the target's part count (10,000 on S3), because a
 * part count over the limit is refused only at the very end of a long upload.
 */
import type { StoreLimits } from '../stores/object-store.ts';

export interface PartRange {
  /** 1-based, as S3 numbers parts. */
  partNumber: number;
  offset: number;
  length: number;
}

/** Smallest power-of-two multiple of `minPartSize` that fits `size` in `limits.maxParts` parts. */
export function choosePartSize(size: number, minPartSize: number, limits: StoreLimits): number {
  let partSize = Math.max(minPartSize, limits.minPartSize);
  while (Math.ceil(size / partSize) > limits.maxParts) partSize *= 2;
  if (partSize > limits.maxPartSize) {
    throw new RangeError(
      `an object of ${size} bytes needs parts of ${partSize} bytes, over the target's largest part (${limits.maxPartSize})`,
    );
  }
  return partSize;
}

/** The parts of an object of `size` bytes cut into `partSize` pieces (the last may be shorter). */
export function partRanges(size: number, partSize: number): PartRange[] {
  const parts: PartRange[] = [];
  for (let offset = 0, partNumber = 1; offset < size; offset += partSize, partNumber++) {
    parts.push({ partNumber, offset, length: Math.min(partSize, size - offset) });
  }
  return parts;
}
