/**
 * What a copied object carries on the target besides its bytes: the source's headers and
 * user metadata, its last-modified time, and the SHA-256 where it is known before the bytes
 * are sent. What does not fit the target's metadata limit is kept whole in a side-car object
 * under the dataset's reserved prefix, and the object references it by SHA-256.
 */
import { createHash } from 'node:crypto';
import { sentMetadataBytes } from '../stores/capabilities.ts';
import type { ObjectHeaders, ObjectInfo, ObjectStore, WriteMeta } from '../stores/object-store.ts';
import {
  META_SHA256,
  META_SIDECAR,
  META_SOURCE_LAST_MODIFIED,
  RESERVED_PREFIX,
  type EngineDataset,
} from './context.ts';

const HEADERS = [
  'contentType',
  'contentEncoding',
  'contentLanguage',
  'contentDisposition',
  'cacheControl',
] as const satisfies readonly (keyof ObjectHeaders)[];

/** A side-car object: the source metadata that did not fit, whole. */
export interface Sidecar {
  key: string;
  body: Buffer;
  sha256: string;
}

export interface PlannedMeta {
  /** What is sent with the object. */
  meta: WriteMeta;
  /** Written before the object, when the metadata does not fit the target. */
  sidecar: Sidecar | undefined;
  /** Canonical JSON of the headers and metadata sent: recorded, and compared by verify. */
  canonical: string;
}

/** Where the side-car of `targetKey` lives: one per object, named by the key's SHA-256 so any key fits. */
export function sidecarKey(dataset: Pick<EngineDataset, 'targetPrefix'>, targetKey: string): string {
  return `${dataset.targetPrefix}${RESERVED_PREFIX}metadata/${createHash('sha256').update(targetKey).digest('hex')}.json`;
}

/**
 * The headers and metadata to write for the source object `info`, with `sha256` when it is
 * known before the bytes are sent (one-shot PUTs, and Azure block lists committed after
 * the parts), within `target`'s metadata limit.
 */
export function planTargetMeta(
  dataset: Pick<EngineDataset, 'targetPrefix'>,
  targetKey: string,
  info: ObjectInfo,
  sha256: string | undefined,
  target: Pick<ObjectStore, 'capabilities'>,
  wholeMd5?: Buffer,
): PlannedMeta {
  const own: Record<string, string> = { [META_SOURCE_LAST_MODIFIED]: info.lastModified.toISOString() };
  if (sha256) own[META_SHA256] = sha256;
  const carried = { ...info.metadata };
  let metadata = { ...carried, ...own };
  let sidecar: Sidecar | undefined;
  // Measured as sent: names in the target's spelling, non-ASCII values encoded (longer).
  if (sentMetadataBytes(metadata, target.capabilities) > target.capabilities.metadataLimitBytes) {
    const body = Buffer.from(`${JSON.stringify({ key: targetKey, metadata: sortedEntries(carried) })}\n`);
    const digest = createHash('sha256').update(body).digest('hex');
    sidecar = { key: sidecarKey(dataset, targetKey), body, sha256: digest };
    metadata = { ...own, [META_SIDECAR]: digest };
  }
  const meta: WriteMeta = { metadata };
  for (const name of HEADERS) if (info[name] !== undefined) meta[name] = info[name];
  if (wholeMd5) meta.md5 = wholeMd5;
  return { meta, sidecar, canonical: canonicalMeta(meta) };
}

/**
 * The headers and user metadata of `meta` as canonical JSON: names sorted, absent headers
 * left out, and the SHA-256 left out — it is checked on its own, and a multipart object
 * carries it in a tag, not in its metadata. Verify builds the same form from what the
 * target returns, with names back in the spelling cloudexit wrote.
 */
export function canonicalMeta(meta: ObjectHeaders & { metadata?: Readonly<Record<string, string>> }): string {
  const headers: Record<string, string> = {};
  for (const name of HEADERS) if (meta[name] !== undefined && meta[name] !== '') headers[name] = meta[name];
  const metadata = Object.fromEntries(
    Object.entries(meta.metadata ?? {}).filter(([name]) => name !== META_SHA256 && name !== 'cloudexit_sha256'),
  );
  return JSON.stringify({ headers, metadata: sortedEntries(metadata) });
}

function sortedEntries(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
