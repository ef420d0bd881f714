/**
 * Copies every pending (or earlier failed) object of a dataset, `limits.concurrency` at
 * a time. Each object's outcome is written to the state store as soon as it is known,
 * so an interrupted run loses at most the objects in flight, and large ones keep their
 * recorded parts. An object whose target key holds something cloudexit did not write is
 * a conflict: not written, reported, and the rest goes on.
 */
import { redact } from '../secrets/redact.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import { retryOptions, withRetry } from './retry.ts';
import type { EngineContext, EngineDataset } from './context.ts';
import { IntegrityError, SourceChangedError } from './errors.ts';
import { inventoryDataset, type InventorySummary } from './inventory.ts';
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

export interface CopyOptions {
  /** List the source first, so new and changed objects are picked up. @default true */
  inventory?: boolean;
}

/** How many times an object changed at the source during one run before we give up on it for this run. */
const MAX_SOURCE_CHANGES = 3;

export async function copyDataset(
  ctx: EngineContext,
  dataset: EngineDataset,
  options: CopyOptions = {},
): Promise<CopySummary> {
  const inventory = options.inventory === false ? undefined : await inventoryDataset(ctx, dataset);
  const counts = await ctx.state.countObjects(dataset.name);
  const summary = emptyCopySummary(dataset.name, inventory, counts.copied.objects + counts.verified.objects);
  const todo = {
    objects: counts.pending.objects + counts.failed.objects,
    bytes: counts.pending.bytes + counts.failed.bytes,
  };
  ctx.progress.start(`copy ${dataset.name}`, todo);
  await copyRecords(ctx, dataset, ctx.state.iterateObjects(dataset.name, ['pending', 'failed']), summary);
  ctx.progress.stop();
  summary.conflicts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return summary;
}

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
  onUnrecorded?: (key: string, error: unknown) => void,
): Promise<void> {
  await forEachBounded(
    records,
    async (record) => {
      try {
        await copyOne(ctx, dataset, record, summary);
      } catch (error) {
        // Without onUnrecorded, the first such error stops the run (thrown once the rest is done).
        if (!onUnrecorded) throw error;
        onUnrecorded(record.key, error);
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
