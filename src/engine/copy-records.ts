/**
 * The copy of each object handed over, `limits.concurrency` at a time: one GET and one PUT
 * (or a resumable multipart upload), its outcome written to the state as soon as it is
 * known, so an interrupted run loses at most the objects in flight. An object whose target
 * key holds something cloudexit did not write is a conflict: not written, reported, and
 * the rest goes on. Where the records come from is the caller's: the state (copy.ts), a
 * listing as it goes (copy.ts), or a worker's lease (app/worker-batches.ts).
 */
import { redact } from '../secrets/redact.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import { retryOptions, withRetry } from './retry.ts';
import type { EngineContext, EngineDataset } from './context.ts';
import { IntegrityError, SourceChangedError } from './errors.ts';
import type { InventorySummary } from './inventory.ts';
import { OverwriteConflictError } from './overwrite-guard.ts';
import { transferObject } from './transfer.ts';
import { forEachBounded } from './bounded.ts';

export interface CopySummary {
  dataset: string;
  inventory: InventorySummary | undefined;
  /** Objects copied in this run. */
  copied: number;
  bytesCopied: number;
  /** Objects already on the target from an earlier run. */
  alreadyCopied: number;
  /** Parts of interrupted uploads found on the target and not sent again. */
  partsResumed: number;
  /** Objects not copied in this run (conflicts included), retried by the next one. */
  failed: { key: string; error: string }[];
  /**
   * Objects not written because the target holds, under their key, an object cloudexit did
   * not write or that changed since it wrote it (overwrite-guard.ts). Each is also in
   * `failed`, its error starting with `conflict:`; it stays a conflict until someone moves
   * the target object aside.
   */
  conflicts: ObjectConflict[];
  /** Objects that vanished from the source while this run copied them. */
  vanished: string[];
}

export interface ObjectConflict {
  key: string;
  targetKey: string;
  /** ETag of the object the target holds. */
  targetEtag: string;
  /** ETag cloudexit recorded when it last wrote the key; undefined when it never did. */
  recordedEtag: string | undefined;
}

/** How many times an object changed at the source during one run before we give up on it for this run. */
const MAX_SOURCE_CHANGES = 3;

/** A summary with nothing copied yet. */
export function emptyCopySummary(
  dataset: string,
  inventory: InventorySummary | undefined,
  alreadyCopied: number,
): CopySummary {
  return {
    dataset,
    inventory,
    copied: 0,
    bytesCopied: 0,
    partsResumed: 0,
    failed: [],
    conflicts: [],
    vanished: [],
    alreadyCopied,
  };
}

export interface CopyRecordsOptions {
  /**
   * Where an outcome that could not be recorded goes (the state refused or failed the
   * write); the object is then left for another run. @default none: the first such error
   * is thrown once the objects in flight are done
   */
  onUnrecorded?: ((key: string, error: unknown) => void) | undefined;
  /** Told when the work on a record is over, whatever its outcome. @default none */
  onSettled?: ((key: string) => void) | undefined;
}

/**
 * Copies each of `records`, `limits.concurrency` at a time, adding the outcomes to
 * `summary`: the seam a worker uses to copy the batch it leased, with the same per-object
 * logic as a whole dataset. An outcome that could not be recorded (the state refused or
 * failed the write) goes to `onUnrecorded`, after which the object is left for another run;
 * without it, the first such error is thrown once the objects in flight are done.
 */
export async function copyRecords(
  ctx: EngineContext,
  dataset: EngineDataset,
  records: Iterable<ObjectRecord> | AsyncIterable<ObjectRecord>,
  summary: CopySummary,
  options: CopyRecordsOptions = {},
): Promise<void> {
  const { onUnrecorded, onSettled } = options;
  await forEachBounded(
    records,
    async (record) => {
      try {
        await copyOne(ctx, dataset, record, summary);
      } catch (error) {
        // Without onUnrecorded, the first such error stops the run (thrown once the rest is done).
        if (!onUnrecorded) throw error;
        onUnrecorded(record.key, error);
      } finally {
        onSettled?.(record.key);
      }
    },
    { concurrency: ctx.limits.concurrency, stop: () => ctx.signal?.aborted === true },
  );
}

async function copyOne(
  ctx: EngineContext,
  dataset: EngineDataset,
  listed: ObjectRecord,
  summary: CopySummary,
): Promise<void> {
  let record = listed;
  for (let change = 0; ; change++) {
    if (ctx.signal?.aborted) return;
    const attempts = record.attempts + 1;
    try {
      const result = await transferObject(ctx, dataset, record);
      await ctx.state.updateObject(dataset.name, record.key, {
        status: 'copied',
        attempts,
        lastError: undefined,
        sha256: result.sha256,
        md5: result.md5,
        targetEtag: result.targetEtag,
        expectedEtag: result.expectedEtag,
        targetMeta: result.targetMeta,
        sha256Carrier: result.sha256Carrier,
        copiedRunId: ctx.runId,
        copiedAt: new Date().toISOString(),
        verifiedAt: undefined,
        verifiedMode: undefined,
      });
      summary.copied++;
      summary.bytesCopied += record.size;
      summary.partsResumed += result.partsResumed;
      ctx.progress.advance({ objects: 1 });
      return;
    } catch (err) {
      if (ctx.signal?.aborted) return; // interrupted, not failed: the next run takes it up
      if (err instanceof SourceChangedError && change < MAX_SOURCE_CHANGES) {
        const fresh = await withRetry(() => dataset.source.head(record.key), retryOptions(ctx, `head ${record.key}`));
        if (!fresh) {
          await ctx.state.updateObject(dataset.name, record.key, {
            status: 'deleted-at-source',
            attempts,
            lastError: undefined,
          });
          summary.vanished.push(record.key);
          ctx.progress.advance({ objects: 1 });
          return;
        }
        ctx.progress.note(
          `${dataset.name}: ${record.key} changed at the source during the copy; copying the new version`,
        );
        const patch = {
          size: fresh.size,
          sourceEtag: fresh.etag,
          sourceMd5: fresh.md5,
          sourceLastModified: fresh.lastModified.toISOString(),
          attempts,
        };
        await ctx.state.updateObject(dataset.name, record.key, patch);
        record = { ...record, ...patch };
        continue;
      }
      const error = redact(err instanceof Error ? err.message : String(err));
      await ctx.state.updateObject(dataset.name, record.key, {
        status: 'failed',
        attempts,
        lastError: error,
        // cloudexit's own write, even if it failed a check: the next copy may replace it.
        ...(err instanceof IntegrityError && err.writtenEtag !== undefined ? { targetEtag: err.writtenEtag } : {}),
      });
      summary.failed.push({ key: record.key, error });
      if (err instanceof OverwriteConflictError)
        summary.conflicts.push({
          key: record.key,
          targetKey: err.targetKey,
          targetEtag: err.targetEtag,
          recordedEtag: err.recordedEtag,
        });
      ctx.progress.note(`failed: ${error}`);
      ctx.progress.advance({ objects: 1 });
      return;
    }
  }
}
