/**
 * Copies the parts of one multipart upload: each part read by range (pinned to the source
 * ETag), hashed in part order, and uploaded with its Content-MD5 — unless an earlier run
 * already landed the same bytes — then recorded in the state store as it lands, so a
 * killed run resumes the same upload. Parts already on the target are read again to
 * rebuild the SHA-256 (hash states cannot be saved) but never sent again.
 */
import type { CompletedPart, ObjectInfo } from '../stores/object-store.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import type { PartRecord, UploadRecord } from '../state/contracts/uploads.ts';
import { BufferPool } from './buffer-pool.ts';
import type { EngineContext, EngineDataset } from './context.ts';
import { md5, needsWholeMd5, OrderedHasher, type ObjectDigest } from './hashing.ts';
import type { PartRange } from './part-size.ts';
import { readExactly } from './read.ts';
import { retryOptions, withRetry } from './retry.ts';
import { forEachBounded } from './bounded.ts';

/** What copying every part of an object produced. */
export interface CopiedParts {
  /** ETag of every part, in part order, for completing the upload. */
  completed: CompletedPart[];
  /** MD5 of every part, in part order, for the expected multipart ETag. */
  partMd5s: Buffer[];
  /** Parts sent in this run. */
  partsUploaded: number;
  /** Parts found already on the target from an earlier run. */
  partsResumed: number;
  /** SHA-256 of the whole object, and its MD5 where a check uses it (hashing.ts needsWholeMd5). */
  digest: ObjectDigest;
}

/** The parts of one object in flight; use once. */
export class PartCopier {
  readonly #ctx: EngineContext;
  readonly #dataset: EngineDataset;
  readonly #record: ObjectRecord;
  readonly #info: ObjectInfo;
  readonly #upload: UploadRecord;
  readonly #ranges: PartRange[];
  readonly #recorded: Map<number, PartRecord>;
  readonly #ordered: OrderedHasher;
  readonly #pool: BufferPool;
  readonly #completed: CompletedPart[] = [];
  readonly #partMd5s: Buffer[] = [];
  #partsUploaded = 0;
  #partsResumed = 0;
  #partsStarted = 0;

  constructor(
    ctx: EngineContext,
    dataset: EngineDataset,
    record: ObjectRecord,
    info: ObjectInfo,
    upload: UploadRecord,
    ranges: PartRange[],
  ) {
    this.#ctx = ctx;
    this.#dataset = dataset;
    this.#record = record;
    this.#info = info;
    this.#upload = upload;
    this.#ranges = ranges;
    this.#recorded = new Map(upload.parts.map((p) => [p.partNumber, p]));
    this.#ordered = new OrderedHasher({ wholeMd5: needsWholeMd5(info.md5 ?? record.sourceMd5) });
    this.#pool = new BufferPool(ctx.budget);
  }

  /**
   * Copies every part, at most `partConcurrency` at a time. Throws the first part's
   * failure, or the abort reason when stopped (parts in flight finish and are recorded).
   */
  async copyAll(): Promise<CopiedParts> {
    const { signal, limits } = this.#ctx;
    let failure: unknown;
    try {
      await forEachBounded(
        this.#ranges,
        (range, index) =>
          this.#copyPart(range, index).catch((err: unknown) => {
            failure ??= err;
            // Parts in flight after this one would wait forever to be hashed in order.
            this.#ordered.abort(failure);
          }),
        // Read just ahead of the workers: a 10,000-part object does not create 10,000 closures waiting on the budget.
        { concurrency: limits.partConcurrency, stop: () => failure !== undefined || signal?.aborted === true },
      );
    } finally {
      this.#pool.drain();
    }
    if (failure !== undefined) throw failure;
    if (signal?.aborted) throw signal.reason ?? new Error('interrupted');
    return {
      completed: this.#completed,
      partMd5s: this.#partMd5s,
      partsUploaded: this.#partsUploaded,
      partsResumed: this.#partsResumed,
      digest: this.#ordered.hasher.digest(),
    };
  }

  async #copyPart(range: PartRange, index: number): Promise<void> {
    // Stopping: parts not yet started stay for the next run; those in flight finish and are recorded.
    if (this.#ctx.signal?.aborted) return;
    this.#partsStarted++;
    const lease = await this.#pool.acquire(range.length);
    let kept = false;
    try {
      const bytes = await this.#read(range, lease.buffer);
      const partMd5 = md5(bytes);
      this.#partMd5s[index] = partMd5;
      this.#completed[index] = await this.#land(range, bytes, partMd5);
      this.#ctx.progress.advance({ bytes: range.length });
      await this.#ordered.feed(index, bytes);
      // Uploaded (or found already there) and hashed: nothing reads these bytes any more.
      kept =
        !this.#ctx.signal?.aborted && this.#pool.keep(bytes, lease.release, this.#ranges[this.#partsStarted]?.length);
    } finally {
      if (!kept) lease.release();
    }
  }

  /** The part's bytes, read into `into` when given. */
  #read(range: PartRange, into: Buffer | undefined): Promise<Buffer> {
    const ctx = this.#ctx;
    const { key } = this.#record;
    return withRetry(
      async () => {
        const opened = await this.#dataset.source.read(key, {
          range: { offset: range.offset, length: range.length },
          ifMatch: this.#info.etag,
        });
        return readExactly(opened.body, range.length, ctx.bandwidth, { op: 'read', key }, into);
      },
      retryOptions(ctx, `read part ${range.partNumber} of ${key}`),
    );
  }

  /** The part on the target: found there from an earlier run, or uploaded and recorded now. */
  async #land(range: PartRange, bytes: Buffer, partMd5: Buffer): Promise<CompletedPart> {
    const { partNumber } = range;
    const prior = this.#recorded.get(partNumber);
    if (prior && prior.md5 === partMd5.toString('hex') && prior.size === range.length) {
      this.#partsResumed++;
      return { partNumber, etag: prior.etag };
    }
    const { targetKey } = this.#record;
    const { uploadId } = this.#upload;
    const etag = await withRetry(
      () => this.#dataset.target.uploadPart(targetKey, uploadId, partNumber, bytes, partMd5),
      retryOptions(this.#ctx, `upload part ${partNumber} of ${targetKey}`),
    );
    await this.#ctx.state.recordPart(this.#dataset.name, this.#record.key, uploadId, {
      partNumber,
      etag,
      md5: partMd5.toString('hex'),
      size: range.length,
    });
    this.#partsUploaded++;
    return { partNumber, etag };
  }
}
