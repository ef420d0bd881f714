/**
 * Copies a large object as a multipart upload that survives the run: the upload and each
 * part landed are recorded in the state store, so a killed run resumes the same upload
 * (see {@link PartCopier}), and the upload is forgotten only once the target holds the
 * whole object with its SHA-256.
 */
import type { CompletedPart, ObjectInfo, WriteMeta } from '../stores/object-store.ts';
import { StoreError } from '../stores/store-error.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import type { UploadRecord } from '../state/contracts/uploads.ts';
import { META_SHA256, type EngineContext, type EngineDataset } from './context.ts';
import { IntegrityError, SourceChangedError } from './errors.ts';
import { PartCopier, type CopiedParts } from './part-copier.ts';
import { choosePartSize, partRanges } from './part-size.ts';
import { retryOptions, withRetry } from './retry.ts';
import { targetMeta } from './target-meta.ts';
import { checkSourceMd5, checkTargetEtag } from './transfer-checks.ts';
import type { TransferResult } from './transfer.ts';

/** Copies `record` in parts, resuming the upload an earlier run recorded when it still fits. */
export async function transferInParts(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<TransferResult> {
  const info = await headUnchanged(ctx, dataset, record);
  const partSize = choosePartSize(info.size, ctx.limits.minPartSize, dataset.target.limits);
  const upload = await resumableUpload(ctx, dataset, record, info, partSize);
  const copied = await new PartCopier(ctx, dataset, record, info, upload, partRanges(info.size, partSize)).copyAll();
  const { targetEtag, expectedEtag } = await finishUpload(ctx, dataset, record, info, upload, copied);
  const { sha256, md5 } = copied.digest;
  return { sha256, md5, targetEtag, expectedEtag, partsUploaded: copied.partsUploaded, partsResumed: copied.partsResumed };
}

/** The source object's properties, provided it is still the one listed. */
async function headUnchanged(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<ObjectInfo> {
  const info = await withRetry(() => dataset.source.head(record.key), retryOptions(ctx, `head ${record.key}`));
  if (!info) throw new SourceChangedError(`${dataset.name}: ${record.key} no longer exists at the source`, true);
  if (info.etag !== record.sourceEtag) throw new SourceChangedError(`${dataset.name}: ${record.key} changed at the source since it was listed`, false);
  return info;
}

/** The recorded upload for this object when it is still usable, or a new one. */
async function resumableUpload(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord, info: ObjectInfo, partSize: number): Promise<UploadRecord> {
  const existing = await ctx.state.getUpload(dataset.name, record.key);
  if (existing && existing.sourceEtag === info.etag && existing.partSize === partSize && existing.targetKey === record.targetKey) return existing;
  if (existing) {
    await dataset.target.abortMultipart(existing.targetKey, existing.uploadId).catch(() => {});
    await ctx.state.clearUpload(dataset.name, record.key);
  }
  const uploadId = await withRetry(
    () => dataset.target.createMultipart(record.targetKey, targetMeta(info, undefined, undefined)),
    retryOptions(ctx, `start upload of ${record.targetKey}`),
  );
  const fresh = { dataset: dataset.name, key: record.key, targetKey: record.targetKey, uploadId, partSize, sourceEtag: info.etag, startedAt: new Date().toISOString() };
  await ctx.state.startUpload(fresh);
  return { ...fresh, parts: [] };
}

/**
 * Completes the upload. A run killed after the target completed it but before the
 * state recorded that finds the upload gone (NoSuchUpload): if the target then holds an
 * object of the right size whose ETag or SHA-256 proves these bytes, that counts as done.
 */
async function completeOrRecover(
  ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord, upload: UploadRecord,
  parts: CompletedPart[], partMd5s: Buffer[], meta: WriteMeta, sha256: string,
): Promise<void> {
  const { target } = dataset;
  try {
    await withRetry(() => target.completeMultipart(record.targetKey, upload.uploadId, parts, meta), retryOptions(ctx, `complete ${record.targetKey}`));
  } catch (err) {
    if (!(err instanceof StoreError) || err.code !== 'NoSuchUpload') throw err;
    const found = await target.head(record.targetKey);
    const proven = found && found.size === record.size && (
      found.etag === target.expectedEtag(partMd5s, true) || found.metadata?.[META_SHA256] === sha256);
    if (!proven) {
      await ctx.state.clearUpload(dataset.name, record.key);
      throw new IntegrityError(`${dataset.name}: the upload of ${record.targetKey} vanished from the target before completion; it will start again on the next run`);
    }
  }
}

/**
 * Checks the whole object's MD5, completes the upload, sets the final metadata, checks
 * the target's ETag and only then forgets the upload.
 */
async function finishUpload(
  ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord, info: ObjectInfo, upload: UploadRecord, copied: CopiedParts,
): Promise<{ targetEtag: string; expectedEtag: string | undefined }> {
  const { target } = dataset;
  const { digest } = copied;
  try {
    checkSourceMd5(dataset, record, info, digest.md5);
  } catch (err) {
    // Never assemble an object whose bytes contradict the source's own checksum.
    await target.abortMultipart(record.targetKey, upload.uploadId).catch(() => {});
    await ctx.state.clearUpload(dataset.name, record.key);
    throw err;
  }
  const meta = targetMeta(info, digest.sha256, digest.md5Bytes);
  await completeOrRecover(ctx, dataset, record, upload, copied.completed, copied.partMd5s, meta, digest.sha256);
  // S3 fixed the metadata when the upload was created, before the SHA-256 was known.
  const rewritten = await withRetry(() => target.replaceMetadata(record.targetKey, meta), retryOptions(ctx, `set metadata of ${record.targetKey}`));
  const expectedEtag = target.expectedEtag([digest.md5Bytes], false);
  checkTargetEtag(dataset, record, rewritten.etag, expectedEtag);
  // Forgotten only now: a crash before this line resumes with every part recorded.
  await ctx.state.clearUpload(dataset.name, record.key);
  return { targetEtag: rewritten.etag, expectedEtag };
}
