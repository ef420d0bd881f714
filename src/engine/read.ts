/**
 * Reads a stream into one buffer of a known length, through the bandwidth limiter.
 * Used for a part or a small object only: the byte budget has already reserved the
 * space, so the buffer is allocated once instead of growing chunk by chunk, or not at
 * all when the caller passes one of exactly `length` bytes to fill (`into`), whose
 * previous contents nothing reads any more.
 */
import type { Readable } from 'node:stream';
import { StoreError } from '../stores/store-error.ts';
import type { BandwidthLimiter } from './bandwidth.ts';

export async function readExactly(
  body: Readable,
  length: number,
  limiter: BandwidthLimiter,
  what: { op: string; key: string },
  into?: Buffer,
): Promise<Buffer> {
  const buffer = into ?? Buffer.allocUnsafeSlow(length);
  let offset = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      await limiter.take(chunk.byteLength);
      if (offset + chunk.byteLength > length) throw shortRead(what, `more than the ${length} bytes announced`);
      chunk.copy(buffer, offset);
      offset += chunk.byteLength;
    }
  } catch (err) {
    body.destroy();
    if (err instanceof StoreError) throw err;
    // A stream that dies mid-body is a dropped connection: worth another attempt.
    throw new StoreError({
      op: what.op,
      key: what.key,
      code: 'ConnectionReset',
      retriable: true,
      message: `${what.op} ${what.key}: the connection dropped after ${offset} of ${length} bytes`,
    });
  }
  if (offset !== length) throw shortRead(what, `${offset} of ${length} bytes`);
  return buffer;
}

function shortRead(what: { op: string; key: string }, detail: string): StoreError {
  return new StoreError({
    op: what.op,
    key: what.key,
    code: 'ShortRead',
    retriable: true,
    message: `${what.op} ${what.key}: received ${detail}`,
  });
}
