/**
 * Copies a large object as a multipart upload that survives the run: the upload and each
 * part landed are recorded in the state store, so a killed run resumes the same upload
 * (see {@link PartCopier}), and the upload is forgotten only once the target holds the
 * whole object with its SHA-256. Nothing is started or completed over an object cloudexit
 * did not write (overwrite-guard.ts).
 */
import { metadataValue } from '../stores/capabilities.ts';
import type { ObjectInfo, WriteMeta } from '../stores/object-store.ts';
import { StoreError } from '../stores/store-error.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import type { UploadRecord } from '../state/contracts/uploads.ts';
import { META_SHA256, TAG_SHA256, type EngineContext, type EngineDataset } from './context.ts';
import { SourceChangedError, UploadVanishedError } from './errors.ts';
import { expectedEtagOf } from './expected-etag.ts';
import { guardOverwrite } from './overwrite-guard.ts';
import { PartCopier, type CopiedParts } from './part-copier.ts';
import { choosePartSize, partRanges } from './part-size.ts';
import { retryOptions, withRetry } from './retry.ts';
import { planTargetMeta } from './target-meta.ts';
import { checkSourceMd5, checkTargetEtag, writeSidecar } from './transfer-checks.ts';
import type { TransferResult } from './transfer-result.ts';

/** New uploads started for one object in one run after the recorded one vanished from the target. */
const MAX_UPLOAD_RESTARTS = 2;

/**
 * Copies `record` in parts, resuming the upload an earlier run recorded when it still fits.
 * An upload the target no longer has (aborted, expired) is forgotten and started again, at
 * most {@link MAX_UPLOAD_RESTARTS} times in a run.
 */
export async function transferInParts(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
): Promise<TransferResult> {
  const info = await headUnchanged(ctx, dataset, record);
  // A recorded upload may already be complete on the target (a run killed before recording
  // it): the check before completion, knowing the bytes, decides then.
  if (!(await ctx.state.getUpload(dataset.name, record.key))) await guardOverwrite(ctx, dataset, record);
  const partSize = choosePartSize(info.size, ctx.limits.minPartSize, dataset.target.limits);
  for (let restart = 0; ; restart++) {
    try {
      return await transferUpload(ctx, dataset, record, info, partSize);
    } catch (err) {
      if (!(err instanceof UploadVanishedError || isUploadGone(err)) || restart >= MAX_UPLOAD_RESTARTS) throw err;
      await ctx.state.clearUpload(dataset.name, record.key);
      ctx.progress.note(
        `${dataset.name}: the upload of ${record.targetKey} is gone from the target (aborted or expired); starting it again`,
      );
    }
  }
}

async function transferUpload(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
  info: ObjectInfo,
  partSize: number,
): Promise<TransferResult> {
  const upload = await resumableUpload(ctx, dataset, record, info, partSize);
  const copied = await new PartCopier(ctx, dataset, record, info, upload, partRanges(info.size, partSize)).copyAll();
  const finished = await finishUpload(ctx, dataset, record, info, upload, copied);
  const { sha256, md5 } = copied.digest;
  return { sha256, md5, ...finished, partsUploaded: copied.partsUploaded, partsResumed: copied.partsResumed };
}

/** The source object's properties, provided it is still the one listed. */
async function headUnchanged(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<ObjectInfo> {
  const info = await withRetry(() => dataset.source.head(record.key), retryOptions(ctx, `head ${record.key}`));
  if (!info) throw new SourceChangedError(`${dataset.name}: ${record.key} no longer exists at the source`, true);
  if (info.etag !== record.sourceEtag)
    throw new SourceChangedError(`${dataset.name}: ${record.key} changed at the source since it was listed`, false);
  return info;
}

/** The recorded upload for this object when it is still usable, or a new one. */
async function resumableUpload(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
  info: ObjectInfo,
  partSize: number,
): Promise<UploadRecord> {
  const existing = await ctx.state.getUpload(dataset.name, record.key);
  if (
    existing &&
    existing.sourceEtag === info.etag &&
    existing.partSize === partSize &&
    existing.targetKey === record.targetKey
  )
    return existing;
  if (existing) {
    await dataset.target.abortMultipart(existing.targetKey, existing.uploadId).catch(() => {});
    await ctx.state.clearUpload(dataset.name, record.key);
  }
  // The SHA-256 is not known yet: on S3 the metadata fixed here cannot hold it (a tag will).
  const planned = planTargetMeta(dataset, record.targetKey, info, undefined, dataset.target);
  await writeSidecar(ctx, dataset, planned.sidecar);
  const uploadId = await withRetry(
    () => dataset.target.createMultipart(record.targetKey, planned.meta),
    retryOptions(ctx, `start upload of ${record.targetKey}`),
  );
  const fresh = {
    dataset: dataset.name,
    key: record.key,
    targetKey: record.targetKey,
    uploadId,
    partSize,
    sourceEtag: info.etag,
    startedAt: new Date().toISOString(),
  };
  await ctx.state.startUpload(fresh);
  return { ...fresh, parts: [] };
}

/**
 * Completes the upload and returns the target's ETag. A run killed after the target
 * completed it but before the state recorded that finds the upload gone: if the target then
 * holds an object of the right size whose ETag or SHA-256 proves these bytes, that counts as
 * done. Otherwise the upload vanished (aborted, expired by a lifecycle rule): it is forgotten
 * and the caller starts a new one.
 */
async function completeOrRecover(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
  upload: UploadRecord,
  copied: CopiedParts,
  meta: WriteMeta,
  expectedEtag: string | undefined,
): Promise<string> {
  const { target } = dataset;
  try {
    const done = await withRetry(
      () => target.completeMultipart(record.targetKey, upload.uploadId, copied.completed, meta),
      retryOptions(ctx, `complete ${record.targetKey}`),
    );
    return done.etag;
  } catch (err) {
    if (!isUploadGone(err)) throw err;
    const found = await withRetry(() => target.head(record.targetKey), retryOptions(ctx, `head ${record.targetKey}`));
    const proven =
      found !== undefined &&
      found.size === record.size &&
      ((expectedEtag !== undefined && found.etag === expectedEtag) ||
        metadataValue(found.metadata, META_SHA256) === copied.digest.sha256 ||
        (target.capabilities.tagging &&
          (await target.getTags(record.targetKey))?.[TAG_SHA256] === copied.digest.sha256));
    if (proven) return found.etag;
    await ctx.state.clearUpload(dataset.name, record.key);
    throw new UploadVanishedError(
      `${dataset.name}: the upload of ${record.targetKey} vanished from the target before completion`,
    );
  }
}

/** Whether `err` says the multipart upload no longer exists at the target. */
export function isUploadGone(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'UploadGone';
}

/**
 * Checks the whole object's MD5, completes the upload, puts the SHA-256 where the target
 * keeps it (a tag, or the metadata set at completion), checks the target's ETag and only
 * then forgets the upload. No CopyObject: the bytes are never rewritten.
 */
async function finishUpload(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
  info: ObjectInfo,
  upload: UploadRecord,
  copied: CopiedParts,
): Promise<Pick<TransferResult, 'targetEtag' | 'expectedEtag' | 'targetMeta' | 'sha256Carrier'>> {
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
  const { metadataAtComplete, tagging } = target.capabilities;
  const planned = planTargetMeta(
    dataset,
    record.targetKey,
    info,
    metadataAtComplete ? digest.sha256 : undefined,
    target,
    digest.md5Bytes,
  );
  const expectedEtag = expectedEtagOf(target.capabilities, copied.partMd5s, true, digest.md5);
  // Checked again: someone may have written the key while the parts went up. The upload is
  // kept (recorded), so the copy resumes it once the conflict is resolved.
  await guardOverwrite(ctx, dataset, record, { size: record.size, expectedEtag, sha256: digest.sha256 });
  const targetEtag = await completeOrRecover(ctx, dataset, record, upload, copied, planned.meta, expectedEtag);
  let sha256Carrier: TransferResult['sha256Carrier'] = metadataAtComplete ? 'metadata' : 'none';
  if (!metadataAtComplete && tagging) {
    await withRetry(
      () => target.putTags(record.targetKey, { [TAG_SHA256]: digest.sha256 }),
      retryOptions(ctx, `tag ${record.targetKey}`),
    );
    sha256Carrier = 'tag';
  }
  checkTargetEtag(dataset, record, targetEtag, expectedEtag);
  // Forgotten only now: a crash before this line resumes with every part recorded.
  await ctx.state.clearUpload(dataset.name, record.key);
  return { targetEtag, expectedEtag, targetMeta: planned.canonical, sha256Carrier };
}
