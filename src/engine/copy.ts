/**
 * A dataset's copy. By default the inventory lists the source into the state and hands
 * over each batch it has written; the copy starts on the first batch instead of after the
 * last, so listing a large dataset and copying it overlap (copy-records.ts copies each
 * object). With `inventory: false`, what the state holds as pending or failed is copied.
 */
import type { ObjectRecord } from '../state/contracts/objects.ts';
import type { EngineContext, EngineDataset } from './context.ts';
import { copyRecords, emptyCopySummary, type CopySummary } from './copy-records.ts';
import { inventoryDataset } from './inventory.ts';
import { RecordChannel } from './record-channel.ts';

export {
  copyRecords,
  emptyCopySummary,
  type CopyRecordsOptions,
  type CopySummary,
  type ObjectConflict,
} from './copy-records.ts';

export interface CopyOptions {
  /** List the source first, so new and changed objects are picked up. @default true */
  inventory?: boolean;
}

/**
 * Records listed but not yet taken by the copy, at most: the inventory waits beyond it, so
 * memory stays bounded however long the listing (the state holds the rest).
 */
const HANDOVER = 1_000;

/** Thrown into the inventory to end its listing early once the run is stopped. */
class ListingStopped extends Error {
  override name = 'ListingStopped';
}

export async function copyDataset(
  ctx: EngineContext,
  dataset: EngineDataset,
  options: CopyOptions = {},
): Promise<CopySummary> {
  const summary =
    options.inventory === false ? await copyFromState(ctx, dataset) : await copyWhileListing(ctx, dataset);
  summary.conflicts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return summary;
}

async function copyFromState(ctx: EngineContext, dataset: EngineDataset): Promise<CopySummary> {
  const counts = await ctx.state.countObjects(dataset.name);
  const summary = emptyCopySummary(dataset.name, undefined, counts.copied.objects + counts.verified.objects);
  ctx.progress.start(`copy ${dataset.name}`, {
    objects: counts.pending.objects + counts.failed.objects,
    bytes: counts.pending.bytes + counts.failed.bytes,
  });
  await copyRecords(ctx, dataset, ctx.state.iterateObjects(dataset.name, ['pending', 'failed']), summary);
  ctx.progress.stop();
  return summary;
}

/**
 * The inventory and the copy at once: each batch the inventory writes to the state goes
 * through a bounded channel to the copy, which takes what it must copy (pending, or failed
 * in an earlier run). Records still being copied are never written again by a listing
 * retried from its start: the retry waits until they are done (`beforeRelist`), so each
 * key is handed over once per pass. Progress is one stage whose totals grow as the listing
 * finds work.
 */
async function copyWhileListing(ctx: EngineContext, dataset: EngineDataset): Promise<CopySummary> {
  const summary = emptyCopySummary(dataset.name, undefined, 0);
  const channel = new RecordChannel<ObjectRecord>(HANDOVER);
  /** Keys handed over whose copy has not finished; emptied when the copy ends, however it ends. */
  const active = new Set<string>();
  let drained: (() => void) | undefined;
  const settled = (key: string) => {
    active.delete(key);
    if (active.size === 0) drained?.();
  };
  ctx.progress.start(`copy ${dataset.name}`, { objects: 0, bytes: 0 });
  const copying = copyRecords(ctx, dataset, channel, summary, { onSettled: settled }).finally(() => {
    // However the copy ends, the inventory's next hand-over returns at once, and a relist waits no more.
    active.clear();
    channel.abandon();
    drained?.();
  });
  copying.catch(() => {}); // observed below, once the listing is over
  let listed: Awaited<ReturnType<typeof inventoryDataset>>;
  try {
    listed = await inventoryDataset(ctx, dataset, {
      progressStage: false,
      onRecorded: async (records) => {
        // Stopped (Ctrl-C): the listing ends here, not after millions more keys.
        if (ctx.signal?.aborted) throw new ListingStopped();
        for (const record of records) {
          if (record.status !== 'pending' && record.status !== 'failed') continue;
          active.add(record.key);
          ctx.progress.grow?.({ objects: 1, bytes: record.size });
          if (!(await channel.push(record))) active.delete(record.key);
        }
      },
      beforeRelist: () => (active.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve))),
    });
  } catch (error) {
    // The copies in flight finish and are recorded. Stopped: an interrupted copy, reported as
    // such, and nothing is marked deleted at the source (the listing was not complete).
    // Otherwise the listing failed for good: its error.
    channel.abandon();
    await copying.catch(() => {});
    if (!(error instanceof ListingStopped)) throw error;
    ctx.progress.stop();
    return summary;
  }
  channel.close();
  await copying;
  ctx.progress.stop();
  summary.inventory = listed;
  const counts = await ctx.state.countObjects(dataset.name);
  summary.alreadyCopied = counts.copied.objects + counts.verified.objects - summary.copied;
  return summary;
}
