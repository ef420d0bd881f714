/**
 * cloudexit never overwrites a target object it did not write, or that changed since it
 * wrote it (DESIGN.md, "Integrity model"). Before a data object is written (one-shot PUT,
 * before a multipart upload starts and again before it is completed), the target key is
 * asked with HEAD:
 *
 * - absent: the write goes ahead;
 * - present with the ETag cloudexit recorded when it last wrote it: the write goes ahead;
 * - present holding the very bytes about to be written (a run killed between its write and
 *   the record of it): the write goes ahead, it changes nothing;
 * - anything else: an {@link OverwriteConflictError}, and nothing is written.
 *
 * Objects under the dataset's reserved `.cloudexit/` prefix (manifests, side-cars) are
 * cloudexit's own and are not checked. Only the ObjectStore contract is used: HEAD, tags.
 * HEAD then write is not atomic: a write landing in between is not seen.
 *
 * Where the probe saw the target honour conditional PUTs (`capabilities.conditionalWrites`),
 * a one-shot PUT skips the HEAD and carries the condition instead ({@link putWithoutOverwrite}):
 * one request per object fewer, and no window between check and write (a refused write is
 * then explained by HEAD, as above). Multipart uploads keep the HEAD: RGW 16.2 ignores
 * conditions on CompleteMultipartUpload (measured).
 */
import { metadataValue } from '../stores/capabilities.ts';
import type { WriteConditions, WriteResult } from '../stores/object-store.ts';
import { StoreError } from '../stores/store-error.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import { META_SHA256, RESERVED_PREFIX, TAG_SHA256, type EngineContext, type EngineDataset } from './context.ts';
import { retryOptions, withRetry } from './retry.ts';

/** The target holds, under the key about to be written, an object cloudexit did not write (or that changed since). */
export class OverwriteConflictError extends Error {
  override name = 'OverwriteConflictError';
  readonly targetKey: string;
  /** ETag of the object the target holds. */
  readonly targetEtag: string;
  /** ETag cloudexit recorded when it last wrote the key; undefined when it never did. */
  readonly recordedEtag: string | undefined;
  constructor(dataset: string, targetKey: string, targetEtag: string, recordedEtag: string | undefined) {
    super(
      `conflict: ${dataset}: ${targetKey} on the target has ETag ${targetEtag}, ` +
        (recordedEtag === undefined
          ? 'and cloudexit never wrote it'
          : `not ${recordedEtag}, the one cloudexit wrote: it changed since`) +
        '; it was not overwritten. Find out who wrote it; if the source version must replace it, ' +
        'move the target object aside (or delete it) and run copy again.',
    );
    this.targetKey = targetKey;
    this.targetEtag = targetEtag;
    this.recordedEtag = recordedEtag;
  }
}

/** What proves the target already holds the bytes about to be written, when they are known. */
export interface SameBytes {
  size: number;
  /** The ETag the target reports for these bytes, where its rule is known. */
  expectedEtag: string | undefined;
  /** Hex SHA-256 of the bytes; used only where no ETag rule is known. */
  sha256: string;
}

/** Throws {@link OverwriteConflictError} unless writing `record.targetKey` may replace what the target holds there. */
export async function guardOverwrite(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: Pick<ObjectRecord, 'targetKey' | 'targetEtag'>,
  same?: SameBytes,
): Promise<void> {
  const { target } = dataset;
  const key = record.targetKey;
  if (key.startsWith(dataset.targetPrefix + RESERVED_PREFIX)) return;
  const found = await withRetry(() => target.head(key), retryOptions(ctx, `head ${key}`));
  if (!found) return;
  if (record.targetEtag !== undefined && found.etag === record.targetEtag) return;
  if (same && found.size === same.size) {
    if (same.expectedEtag !== undefined) {
      if (found.etag === same.expectedEtag) return;
    } else if (
      metadataValue(found.metadata, META_SHA256) === same.sha256 ||
      (target.capabilities.tagging &&
        (await withRetry(() => target.getTags(key), retryOptions(ctx, `tags of ${key}`)))?.[TAG_SHA256] === same.sha256)
    )
      return;
  }
  throw new OverwriteConflictError(dataset.name, key, found.etag, record.targetEtag);
}

/**
 * The condition under which the target itself refuses to overwrite `record.targetKey`, where
 * the probe saw it honour that condition: `If-None-Match: *` for a key cloudexit never wrote,
 * `If-Match` with the recorded ETag for one it did. `undefined`: HEAD first ({@link guardOverwrite}).
 */
export function overwriteCondition(
  dataset: EngineDataset,
  record: Pick<ObjectRecord, 'targetKey' | 'targetEtag'>,
): WriteConditions | undefined {
  if (record.targetKey.startsWith(dataset.targetPrefix + RESERVED_PREFIX)) return undefined;
  const granted = dataset.target.capabilities.conditionalWrites;
  if (record.targetEtag === undefined) return granted.ifNoneMatch ? { ifNoneMatch: '*' } : undefined;
  return granted.ifMatch ? { ifMatch: record.targetEtag } : undefined;
}

/**
 * Writes with `put` under `conditions` (from {@link overwriteCondition}), without HEAD. When
 * the target refuses, HEAD tells why exactly as when it is asked first: a foreign or changed
 * object is an {@link OverwriteConflictError} and nothing is written; the same bytes (a write
 * whose answer was lost, then retried; a run killed before recording it) or a key gone since
 * it was recorded let the write go ahead, unconditionally as on a store without conditions.
 */
export async function putWithoutOverwrite(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: Pick<ObjectRecord, 'targetKey' | 'targetEtag'>,
  same: SameBytes,
  conditions: WriteConditions,
  put: (conditions: WriteConditions | undefined) => Promise<WriteResult>,
): Promise<WriteResult> {
  try {
    return await put(conditions);
  } catch (err) {
    if (!(err instanceof StoreError) || err.code !== 'PreconditionFailed') throw err;
  }
  await guardOverwrite(ctx, dataset, record, same);
  return put(undefined);
}
