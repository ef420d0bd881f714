/** Small byte helpers shared by store tests. */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

export const MiB = 1024 * 1024;

export function md5(bytes: Uint8Array): Uint8Array {
  return createHash('md5').update(bytes).digest();
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Random bytes: content a store could not guess or compress away. */
export function randomBody(size: number): Buffer {
  return randomBytes(size);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
