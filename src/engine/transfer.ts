/**
 * Copies one object from source to target and returns the proof: SHA-256 and MD5 of
 * the bytes read, the ETag the target reported and the ETag it should have reported.
 *
 * Small objects: one GET (body and properties together, pinned to the listed ETag) and
 * one PUT with Content-MD5. Large objects: parts read by range (pinned to the ETag),
 * uploaded in parallel with their Content-MD5, each recorded in the state store as it
 * lands, so a killed run resumes the same upload. Parts already on the target are read
 * again to rebuild the SHA-256 (hash states cannot be saved) but never sent again.
 */
import PQueue from 'p-queue';
import type { CompletedPart, ObjectInfo, WriteMeta } from '../stores/object-store.ts';
import { StoreError } from '../stores/store-error.ts';
import type { ObjectRecord, UploadRecord } from '../state/state-store.ts';
import { META_SHA256, META_SOURCE_LAST_MODIFIED, type EngineContext, type EngineDataset } from './context.ts';
import { IntegrityError, SourceChangedError } from './errors.ts';
import { md5, ObjectHasher, OrderedHasher } from './hashing.ts';
import { choosePartSize, partRanges, type PartRange } from './part-size.ts';
import { readExactly } from './read.ts';
import { withRetry, type RetryOptions } from './retry.ts';

export interface TransferResult {
  sha256: string;
  md5: string;
  targetEtag: string;
  expectedEtag: string | undefined;
  /** Parts sent in this run (1 for a one-shot upload). */
  partsUploaded: number;
  /** Parts found already on the target from an earlier run. */
  partsResumed: number;
}

/** Copies `record` (as last listed) from the dataset's source to its target. */
export async function transferObject(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<TransferResult> {
  return record.size >= ctx.limits.multipartThreshold
    ? transferInParts(ctx, dataset, record)
    : transferWhole(ctx, dataset, record);
}

export function retryOptions(ctx: EngineContext, what: string): RetryOptions {
  return {
    maxAttempts: ctx.limits.maxAttempts,
    baseDelayMs: ctx.retryBaseDelayMs ?? 200,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onRetry: ({ attempt, delayMs, error }) =>
      ctx.progress.note(`retry ${attempt}/${ctx.limits.maxAttempts - 1} of ${what} in ${delayMs} ms: ${(error as Error).message}`),
  };
}

async function transferWhole(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<TransferResult> {
  const release = await ctx.budget.acquire(Math.max(record.size, 1));
  try {
    const { body, info } = await withRetry(async () => {
      const opened = await openPinned(dataset, record);
      return { body: await readExactly(opened.body, opened.info.size, ctx.bandwidth, { op: 'read', key: record.key }), info: opened.info };
    }, retryOptions(ctx, `read ${record.key}`));
    const hasher = new ObjectHasher();
    hasher.update(body);
    const digest = hasher.digest();
    checkSourceMd5(dataset, record, info, digest.md5);
    const meta = targetMeta(info, digest.sha256, digest.md5Bytes);
    const written = await withRetry(
      () => dataset.target.put(record.targetKey, body, digest.md5Bytes, meta),
      retryOptions(ctx, `put ${record.targetKey}`),
    );
    ctx.progress.advance({ bytes: record.size });
    const expectedEtag = dataset.target.expectedEtag([digest.md5Bytes], false);
    checkTargetEtag(dataset, record, written.etag, expectedEtag);
    return { sha256: digest.sha256, md5: digest.md5, targetEtag: written.etag, expectedEtag, partsUploaded: 1, partsResumed: 0 };
  } finally {
    release();
  }
}

async function transferInParts(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<TransferResult> {
  const { source, target } = dataset;
  const info = await withRetry(() => source.head(record.key), retryOptions(ctx, `head ${record.key}`));
  if (!info) throw new SourceChangedError(`${dataset.name}: ${record.key} no longer exists at the source`, true);
  if (info.etag !== record.sourceEtag) throw new SourceChangedError(`${dataset.name}: ${record.key} changed at the source since it was listed`, false);

  const partSize = choosePartSize(info.size, ctx.limits.minPartSize, target.limits);
  const upload = await resumableUpload(ctx, dataset, record, info, partSize);
  const recorded = new Map(upload.parts.map((p) => [p.partNumber, p]));
  const ranges = partRanges(info.size, partSize);
  const ordered = new OrderedHasher();
  const partMd5s: Buffer[] = [];
  const completed: CompletedPart[] = [];
  let partsUploaded = 0;
  let partsResumed = 0;
  let partsStarted = 0;
  // A finished part's buffer, with its share of the budget, is handed to the next part of
  // this object instead of being dropped: a fresh 8 MiB buffer costs ~2,000 page faults,
  // and a dead one stays resident until a major GC (measured on a 256 MiB object: about
  // -10% CPU and -15 MiB RSS). The budget still bounds every byte held, spares included:
  // - a spare is kept only when the next part to start has its size and no one waits for
  //   the budget, so the budget's FIFO order is kept;
  // - a part that finds no spare of its size gives every spare back before it waits, so
  //   spares can never hold up this object's own parts;
  // - whatever is left is given back when the object's parts are done, failed or stopped.
  const spares: { buffer: Buffer; release: () => void }[] = [];
  const releaseSpares = () => { for (const spare of spares.splice(0)) spare.release(); };

  const copyPart = async (range: PartRange, index: number): Promise<void> => {
    // Stopping: parts not yet started stay for the next run; those in flight finish and are recorded.
    if (ctx.signal?.aborted) return;
    partsStarted++;
    const spareAt = spares.findIndex((s) => s.buffer.byteLength === range.length);
    const spare = spareAt === -1 ? undefined : spares.splice(spareAt, 1)[0];
    if (!spare) releaseSpares();
    const release = spare?.release ?? await ctx.budget.acquire(range.length);
    let kept = false;
    try {
      const bytes = await withRetry(async () => {
        const opened = await source.read(record.key, { range: { offset: range.offset, length: range.length }, ifMatch: info.etag });
        return readExactly(opened.body, range.length, ctx.bandwidth, { op: 'read', key: record.key }, spare?.buffer);
      }, retryOptions(ctx, `read part ${range.partNumber} of ${record.key}`));
      const partMd5 = md5(bytes);
      partMd5s[index] = partMd5;
      const prior = recorded.get(range.partNumber);
      if (prior && prior.md5 === partMd5.toString('hex') && prior.size === range.length) {
        completed[index] = { partNumber: range.partNumber, etag: prior.etag };
        partsResumed++;
      } else {
        const etag = await withRetry(
          () => target.uploadPart(record.targetKey, upload.uploadId, range.partNumber, bytes, partMd5),
          retryOptions(ctx, `upload part ${range.partNumber} of ${record.targetKey}`),
        );
        await ctx.state.recordPart(dataset.name, record.key, upload.uploadId, { partNumber: range.partNumber, etag, md5: partMd5.toString('hex'), size: range.length });
        completed[index] = { partNumber: range.partNumber, etag };
        partsUploaded++;
      }
      ctx.progress.advance({ bytes: range.length });
      await ordered.feed(index, bytes);
      // Uploaded (or found already there) and hashed: nothing reads these bytes any more.
      if (ranges[partsStarted]?.length === bytes.byteLength && ctx.budget.waiting === 0 && !ctx.signal?.aborted) {
        spares.push({ buffer: bytes, release });
        kept = true;
      }
    } finally {
      if (!kept) release();
    }
  };

  const parts = new PQueue({ concurrency: ctx.limits.partConcurrency });
  let failure: unknown;
  try {
    for (const [index, range] of ranges.entries()) {
      if (failure !== undefined || ctx.signal?.aborted) break;
      // Enqueue just ahead of the workers: a 10,000-part object does not create 10,000 closures waiting on the budget.
      await parts.onSizeLessThan(ctx.limits.partConcurrency);
      parts.add(() => copyPart(range, index)).catch((err: unknown) => {
        failure ??= err;
        parts.clear();
      });
    }
    await parts.onIdle();
  } finally {
    releaseSpares();
  }
  if (failure !== undefined) throw failure;
  if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('interrupted');

  const digest = ordered.hasher.digest();
  try {
    checkSourceMd5(dataset, record, info, digest.md5);
  } catch (err) {
    // Never assemble an object whose bytes contradict the source's own checksum.
    await target.abortMultipart(record.targetKey, upload.uploadId).catch(() => {});
    await ctx.state.clearUpload(dataset.name, record.key);
    throw err;
  }
  const meta = targetMeta(info, digest.sha256, digest.md5Bytes);
  await completeOrRecover(ctx, dataset, record, upload, completed, partMd5s, meta, digest.sha256);
  // S3 fixed the metadata when the upload was created, before the SHA-256 was known.
  const rewritten = await withRetry(() => target.replaceMetadata(record.targetKey, meta), retryOptions(ctx, `set metadata of ${record.targetKey}`));
  const expectedEtag = target.expectedEtag([digest.md5Bytes], false);
  checkTargetEtag(dataset, record, rewritten.etag, expectedEtag);
  // Forgotten only now: a crash before this line resumes with every part recorded.
  await ctx.state.clearUpload(dataset.name, record.key);
  return { sha256: digest.sha256, md5: digest.md5, targetEtag: rewritten.etag, expectedEtag, partsUploaded, partsResumed };
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

function checkSourceMd5(dataset: EngineDataset, record: ObjectRecord, info: ObjectInfo, actualMd5: string): void {
  const declared = info.md5 ?? record.sourceMd5;
  if (declared && declared !== actualMd5) {
    throw new IntegrityError(
      `${dataset.name}: ${record.key}: the source declares Content-MD5 ${declared} but the bytes read have MD5 ${actualMd5}; ` +
        'the object was not copied. Check the blob at the source (damaged data or a wrong Content-MD5) before copying it again.',
    );
  }
}

function checkTargetEtag(dataset: EngineDataset, record: ObjectRecord, actual: string, expected: string | undefined): void {
  if (expected !== undefined && actual !== expected) {
    throw new IntegrityError(
      `${dataset.name}: ${record.targetKey}: the target reports ETag ${actual}, expected ${expected} from the MD5 of the bytes sent. ` +
        'Either the bytes stored differ from those sent, or the target\'s ETags are not MD5s of the content (the plan can say so: target.etagIsMd5).',
    );
  }
}

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
