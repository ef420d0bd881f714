/**
 * The inventory of one dataset shared by every worker given the same inventory id: each
 * claims prefix shards and lists them until none is left, then waits for the shards others
 * hold (taking over those whose lease expired). Objects no shard saw are marked deleted at
 * the source only once every shard is complete — never from a partial listing.
 */
import type { EngineContext, EngineDataset } from '../engine/context.ts';
import { emptyInventorySummary, type InventorySummary } from '../engine/inventory.ts';
import { inventoryShard, shardPrefixes } from '../engine/inventory-shard.ts';
import type { WorkQueue } from '../state/contracts/work-queue.ts';

export interface ShardedInventory {
  /** What this worker listed (its shards only), and every object marked deleted at the source. */
  summary: InventorySummary;
  /** Shards this worker listed. */
  shards: number;
}

/** How one worker takes part in a sharded inventory. */
export interface ShardOptions {
  inventoryId: string;
  workerId: string;
  leaseMs: number;
  /** Wait between two looks at the shards others hold. */
  pollMs: number;
  /** The queue's calls, tried again through an outage of the state. */
  ask: <T>(what: string, call: () => Promise<T>) => Promise<T>;
}

/** Lists this worker's share of the dataset; returns when every shard is listed (or the worker is stopped). */
export async function inventoryInShards(
  ctx: EngineContext,
  queue: WorkQueue,
  dataset: EngineDataset,
  options: ShardOptions,
): Promise<ShardedInventory> {
  const { inventoryId, workerId, leaseMs, pollMs, ask } = options;
  const summary = emptyInventorySummary(dataset.name);
  let shards = 0;
  await ask('the shard plan', () => queue.planShards(dataset.name, inventoryId, shardPrefixes()));
  ctx.progress.start(`inventory ${dataset.name}`, { objects: 0, bytes: 0 });
  while (!ctx.signal?.aborted) {
    const shard = await ask('a shard claim', () => queue.claimShard(dataset.name, inventoryId, workerId, leaseMs));
    if (shard) {
      const listed = await inventoryShard(ctx, dataset, shard.prefix, inventoryId);
      if (await ask('a shard completion', () => queue.completeShard(shard))) {
        addListing(summary, listed);
        shards++;
      } else {
        ctx.progress.note(
          `${dataset.name}: the shard ${shard.prefix} was taken over while listed; its lister counts it`,
        );
      }
      continue;
    }
    if ((await ask('a shard count', () => queue.countOpenShards(dataset.name, inventoryId))) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  // Marking twice is harmless (the second marks nothing), so an answer lost in an outage is asked again.
  if (!ctx.signal?.aborted)
    summary.deletedAtSource = await ask('the marking of deleted objects', () =>
      ctx.state.markUnseenDeleted(dataset.name, inventoryId),
    );
  ctx.progress.stop();
  return { summary, shards };
}

function addListing(into: InventorySummary, listed: InventorySummary): void {
  into.objects += listed.objects;
  into.bytes += listed.bytes;
  into.added += listed.added;
  into.changed += listed.changed;
  into.unchanged += listed.unchanged;
}
