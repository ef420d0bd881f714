/**
 * The ETag a target should report for the bytes sent, by the rule its capabilities grant
 * (declared by the adapter or measured by the probe), or `undefined` where no rule was seen:
 * then nothing is compared and the SHA-256 alone proves the content.
 */
import type { StoreCapabilities } from '../stores/capabilities.ts';
import { s3Etag } from '../stores/etag.ts';

/**
 * @param partMd5s the MD5 of each part (one entry for a one-shot PUT)
 * @param wholeMd5Hex the whole object's MD5, for targets whose multipart ETag is that (s3rver)
 */
export function expectedEtagOf(
  capabilities: Pick<StoreCapabilities, 'etag'>,
  partMd5s: readonly Uint8Array[],
  multipart: boolean,
  wholeMd5Hex: string | undefined,
): string | undefined {
  if (!multipart)
    return capabilities.etag.single === 'md5' && partMd5s.length === 1
      ? Buffer.from(partMd5s[0]!).toString('hex')
      : undefined;
  switch (capabilities.etag.multipart) {
    case 'part-md5s':
      return s3Etag(partMd5s, true);
    case 'whole-md5':
      return wholeMd5Hex;
    case 'opaque':
      return undefined;
  }
}
