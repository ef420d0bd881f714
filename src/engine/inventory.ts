/**
 * Lists a dataset at the source and brings the state store up to date: new objects and
 * objects whose ETag, size or last-modified time changed become `pending`; objects that
 * vanished are marked `deleted-at-source` and reported (never deleted at the target:
 * that is a decision for people, not for a copier).
 */
import type { ObjectInfo } from '../stores/object-store.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import { RESERVED_PREFIX, targetKeyOf, type EngineContext, type EngineDataset } from './context.ts';
import { withRetry } from './retry.ts';

export interface InventorySummary {
  dataset: string;
  /** Objects at the source now. */
  objects: number;
  bytes: number;
  added: number;
  changed: number;
  unchanged: number;
  /** Keys recorded earlier that the source no longer has. */
  deletedAtSource: string[];
}

/** Objects written to the state at once; the first batch is smaller, so a copy fed by the inventory starts sooner. */
const BATCH = 500;
const FIRST_BATCH = 100;

export interface InventoryOptions {
  /**
   * Called with each batch of records once it is in the state (new, changed and unchanged
   * alike, as the state now holds them), in listing order, and awaited: how a copy starts on
   * the first records listed instead of after the last (copy.ts). @default none
   */
  onRecorded?: (records: readonly ObjectRecord[]) => Promise<void>;
  /**
   * Awaited before a listing that failed half-way is listed again from its start, so the
   * caller can let work on records already handed over finish first. @default none
   */
  beforeRelist?: () => Promise<void>;
  /** Report the listing as its own progress stage; `false` when the caller's stage covers it. @default true */
  progressStage?: boolean;
}

export async function inventoryDataset(
  ctx: EngineContext,
  dataset: EngineDataset,
  options: InventoryOptions = {},
): Promise<InventorySummary> {
  const inventoryId = `inv-${ctx.runId}`;
  const summary = emptyInventorySummary(dataset.name);
  const stage = options.progressStage !== false;
  if (stage) ctx.progress.start(`inventory ${dataset.name}`, { objects: 0, bytes: 0 });
  await listIntoState(ctx, dataset, dataset.sourcePrefix, inventoryId, summary, () => true, options);
  summary.deletedAtSource = await ctx.state.markUnseenDeleted(dataset.name, inventoryId);
  if (stage) ctx.progress.stop();
  return summary;
}

/** A summary with nothing listed yet. */
export function emptyInventorySummary(dataset: string): InventorySummary {
  return { dataset, objects: 0, bytes: 0, added: 0, changed: 0, unchanged: 0, deletedAtSource: [] };
}

/**
 * Lists the source keys under `prefix` (the dataset's prefix, or a shard of it) into the
 * state as seen by `inventoryId`, adding what it found to `summary`. Marking what was not
 * seen is the caller's, once every part of the dataset was listed.
 */
export async function listIntoState(
  ctx: EngineContext,
  dataset: EngineDataset,
  prefix: string,
  inventoryId: string,
  summary: InventorySummary,
  keep: (key: string) => boolean = () => true,
  options: Pick<InventoryOptions, 'onRecorded' | 'beforeRelist' | 'progressStage'> = {},
): Promise<void> {
  let batch: ObjectInfo[] = [];
  let flushes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const known = await ctx.state.getObjects(
      dataset.name,
      batch.map((o) => o.key),
    );
    const records = batch.map((info) => reconcile(dataset, info, known.get(info.key), inventoryId, summary));
    await ctx.state.putObjects(records);
    if (options.progressStage !== false)
      ctx.progress.advance({ objects: batch.length, bytes: batch.reduce((n, o) => n + o.size, 0) });
    batch = [];
    flushes++;
    await options.onRecorded?.(records);
  };
  // A listing that fails half-way is retried whole: a partial listing would mark the rest as deleted.
  const counted = { objects: summary.objects, bytes: summary.bytes };
  await withRetry(
    async (attempt) => {
      if (attempt > 1) {
        // Listed again from the start: counted once. (Objects the failed pass recorded come
        // back as unchanged, not added: the state already holds them.)
        Object.assign(summary, counted);
        batch = [];
        await options.beforeRelist?.();
      }
      for await (const info of dataset.source.list(prefix)) {
        if (isIgnored(dataset, info) || !keep(info.key)) continue;
        summary.objects++;
        summary.bytes += info.size;
        batch.push(info);
        if (batch.length >= (flushes === 0 ? FIRST_BATCH : BATCH)) await flush();
      }
      await flush();
    },
    { maxAttempts: ctx.limits.maxAttempts, baseDelayMs: ctx.retryBaseDelayMs ?? 200 },
  );
}

/**
 * Directory entries of hierarchical-namespace accounts (`hdi_isfolder`) are structure,
 * not data; cloudexit's own reserved folder is never copied.
 */
function isIgnored(dataset: EngineDataset, info: ObjectInfo): boolean {
  if (info.metadata?.['hdi_isfolder'] === 'true') return true;
  return info.key.slice(dataset.sourcePrefix.length).startsWith(RESERVED_PREFIX);
}

function reconcile(
  dataset: EngineDataset,
  info: ObjectInfo,
  known: ObjectRecord | undefined,
  inventoryId: string,
  summary: InventorySummary,
): ObjectRecord {
  const lastModified = info.lastModified.toISOString();
  const same =
    known !== undefined &&
    known.status !== 'deleted-at-source' &&
    known.sourceEtag === info.etag &&
    known.size === info.size &&
    known.sourceLastModified === lastModified;
  if (same) {
    summary.unchanged++;
    return { ...known, inventoryId };
  }
  if (known) summary.changed++;
  else summary.added++;
  return {
    dataset: dataset.name,
    key: info.key,
    targetKey: targetKeyOf(dataset, info.key),
    size: info.size,
    sourceEtag: info.etag,
    sourceMd5: info.md5,
    sourceLastModified: lastModified,
    status: 'pending',
    inventoryId,
    sha256: undefined,
    md5: undefined,
    // Kept: the ETag of what cloudexit last wrote under the key is what allows overwriting it
    // with the new version (overwrite-guard.ts); anything else there is a conflict.
    targetEtag: known?.targetEtag,
    expectedEtag: undefined,
    targetMeta: undefined,
    sha256Carrier: undefined,
    attempts: known?.attempts ?? 0,
    lastError: undefined,
    copiedRunId: undefined,
    copiedAt: undefined,
    verifiedAt: undefined,
    verifiedMode: undefined,
  };
}
