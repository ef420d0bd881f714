/**
 * What a copied object carries on the target besides its bytes: the source's headers and
 * user metadata, its last-modified time, and the SHA-256 once known.
 */
import type { ObjectInfo, WriteMeta } from '../stores/object-store.ts';
import { META_SHA256, META_SOURCE_LAST_MODIFIED } from './context.ts';

/** Headers and metadata carried over, plus the SHA-256 and the source's last-modified time. */
export function targetMeta(info: ObjectInfo, sha256: string | undefined, wholeMd5: Buffer | undefined): WriteMeta {
  const metadata: Record<string, string> = { ...info.metadata, [META_SOURCE_LAST_MODIFIED]: info.lastModified.toISOString() };
  if (sha256) metadata[META_SHA256] = sha256;
  const meta: WriteMeta = { metadata };
  if (info.contentType !== undefined) meta.contentType = info.contentType;
  if (info.contentEncoding !== undefined) meta.contentEncoding = info.contentEncoding;
  if (info.contentLanguage !== undefined) meta.contentLanguage = info.contentLanguage;
  if (info.contentDisposition !== undefined) meta.contentDisposition = info.contentDisposition;
  if (info.cacheControl !== undefined) meta.cacheControl = info.cacheControl;
  if (wholeMd5) meta.md5 = wholeMd5;
  return meta;
}
