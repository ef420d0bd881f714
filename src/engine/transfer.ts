/**
 * Copies one object from source to target and returns the proof: SHA-256 and MD5 of
 * the bytes read, the ETag the target reported and the ETag it should have reported.
 *
 * Small objects: one GET (body and properties together, pinned to the listed ETag) and
 * one PUT with Content-MD5, here, once the target key is known to be free to write, or
 * under a condition the target enforces (overwrite-guard.ts). Large objects: a resumable
 * multipart upload (transfer-parts.ts).
 */
import type { ObjectRecord } from '../state/contracts/objects.ts';
import type { WriteConditions, WriteResult } from '../stores/object-store.ts';
import { StoreError } from '../stores/store-error.ts';
import type { EngineContext, EngineDataset } from './context.ts';
import { SourceChangedError } from './errors.ts';
import { md5, sha256Hex } from './hashing.ts';
import { readExactly } from './read.ts';
import { retryOptions, withRetry } from './retry.ts';
import { expectedEtagOf } from './expected-etag.ts';
import { guardOverwrite, overwriteCondition, putWithoutOverwrite } from './overwrite-guard.ts';
import { planTargetMeta } from './target-meta.ts';
import { checkSourceMd5, checkTargetEtag, writeSidecar } from './transfer-checks.ts';
import { transferInParts } from './transfer-parts.ts';
import type { TransferResult } from './transfer-result.ts';

/** Copies `record` (as last listed) from the dataset's source to its target. */
export async function transferObject(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
): Promise<TransferResult> {
  return record.size >= ctx.limits.multipartThreshold
    ? transferInParts(ctx, dataset, record)
    : transferWhole(ctx, dataset, record);
}

async function transferWhole(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
): Promise<TransferResult> {
  const release = await ctx.budget.acquire(Math.max(record.size, 1));
  try {
    const { body, info } = await withRetry(
      async () => {
        const opened = await openPinned(dataset, record);
        return {
          body: await readExactly(opened.body, opened.info.size, ctx.bandwidth, { op: 'read', key: record.key }),
          info: opened.info,
        };
      },
      retryOptions(ctx, `read ${record.key}`),
    );
    // One PUT: the whole object's MD5 is its Content-MD5 (and the single-part ETag).
    const md5Bytes = md5(body);
    const digest = { sha256: sha256Hex(body), md5: md5Bytes.toString('hex'), md5Bytes };
    checkSourceMd5(dataset, record, info, digest.md5);
    const expectedEtag = expectedEtagOf(dataset.target.capabilities, [digest.md5Bytes], false, digest.md5);
    const same = { size: record.size, expectedEtag, sha256: digest.sha256 };
    // Known before the PUT: the SHA-256 travels in the object's own metadata.
    const planned = planTargetMeta(dataset, record.targetKey, info, digest.sha256, dataset.target, digest.md5Bytes);
    const put = (conditions: WriteConditions | undefined) =>
      withRetry(
        () => dataset.target.put(record.targetKey, body, digest.md5Bytes, planned.meta, conditions),
        retryOptions(ctx, `put ${record.targetKey}`),
      );
    // Nothing is written (not even a side-car) over an object cloudexit did not write: a
    // side-car goes before its object, so only after HEAD has cleared the key.
    const conditions = planned.sidecar ? undefined : overwriteCondition(dataset, record);
    let written: WriteResult;
    if (conditions) written = await putWithoutOverwrite(ctx, dataset, record, same, conditions, put);
    else {
      await guardOverwrite(ctx, dataset, record, same);
      await writeSidecar(ctx, dataset, planned.sidecar);
      written = await put(undefined);
    }
    ctx.progress.advance({ bytes: record.size });
    checkTargetEtag(dataset, record, written.etag, expectedEtag);
    return {
      sha256: digest.sha256,
      md5: digest.md5,
      targetEtag: written.etag,
      expectedEtag,
      targetMeta: planned.canonical,
      sha256Carrier: 'metadata',
      partsUploaded: 1,
      partsResumed: 0,
    };
  } finally {
    release();
  }
}

async function openPinned(dataset: EngineDataset, record: ObjectRecord) {
  try {
    return await dataset.source.read(record.key, { ifMatch: record.sourceEtag });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'PreconditionFailed') {
      throw new SourceChangedError(`${dataset.name}: ${record.key} changed at the source since it was listed`, false);
    }
    if (err instanceof StoreError && err.code === 'NotFound') {
      throw new SourceChangedError(`${dataset.name}: ${record.key} no longer exists at the source`, true);
    }
    throw err;
  }
}
