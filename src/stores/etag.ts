/**
 * Store-neutral ETag arithmetic, so a quick verify can prove content from the MD5s
 * computed while streaming, without re-downloading.
 */
import { createHash } from 'node:crypto';

/**
 * The ETag S3 (and OVHcloud, Ceph RGW, MinIO) report for an object: the hex MD5 of a
 * one-shot PUT, or for a multipart upload the hex MD5 of the concatenated binary part
 * MD5s followed by `-` and the number of parts.
 */
export function s3Etag(partMd5s: readonly Uint8Array[], multipart: boolean): string {
  if (!multipart) {
    if (partMd5s.length !== 1) throw new RangeError(`a one-shot upload has one MD5, got ${partMd5s.length}`);
    return Buffer.from(partMd5s[0]!).toString('hex');
  }
  const hash = createHash('md5');
  for (const md5 of partMd5s) hash.update(md5);
  return `${hash.digest('hex')}-${partMd5s.length}`;
}

/**
 * Whether the ETag a store reported proves the content we sent.
 *
 * True when it equals `expected` (from `ObjectStore.expectedEtag`), or when it is a plain
 * MD5 equal to the whole object's MD5. The second form exists because some S3-compatible
 * servers (s3rver, measured: its CompleteMultipartUpload and HEAD both report the MD5 of
 * the whole object, without `-N`) do not use the part-MD5 scheme. Accepting it stays
 * sound on real S3: an ETag equal to the MD5 of the bytes we sent still proves those
 * bytes; an ETag that is neither (SSE-KMS, opaque Azure ETags) is never a match, so the
 * caller falls back to a full verify.
 */
export function etagMatches(actual: string, expected: string | undefined, wholeMd5Hex?: string): boolean {
  const got = actual.replace(/"/g, '').toLowerCase();
  if (expected !== undefined && got === expected.replace(/"/g, '').toLowerCase()) return true;
  return wholeMd5Hex !== undefined && /^[0-9a-f]{32}$/.test(got) && got === wholeMd5Hex.toLowerCase();
}
