/**
 * Inventory of a large dataset split into prefix shards that many workers list at once
 * (DESIGN.md "Scale-out"). The store contract lists by prefix only (no delimiter), so the
 * shards are a fixed alphabet of first characters after the dataset's prefix, plus one
 * shard for every key that starts with anything else (or is the prefix itself): together
 * they cover every key exactly once, whatever the keys are.
 *
 * The `rest` shard lists the whole prefix and keeps only what no alphabet shard holds: on
 * warehouses whose keys start with letters and digits (folders, dates, ids) it lists the
 * keys once more without recording them, the price of covering every key without a
 * delimiter listing.
 */
import type { EngineContext, EngineDataset } from './context.ts';
import { emptyInventorySummary, listIntoState, type InventorySummary } from './inventory.ts';

/** First characters that get a shard of their own. */
export const SHARD_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The shard name of keys that start with no character of the alphabet. */
export const REST_SHARD = '*rest';

/** The shards of an inventory: one per character of the alphabet, then the rest. */
export function shardPrefixes(): string[] {
  return [...SHARD_ALPHABET, REST_SHARD];
}

/** Lists one shard into the state under `inventoryId`; marking unseen objects is for when every shard is done. */
export async function inventoryShard(
  ctx: EngineContext,
  dataset: EngineDataset,
  shard: string,
  inventoryId: string,
): Promise<InventorySummary> {
  const summary = emptyInventorySummary(dataset.name);
  if (shard === REST_SHARD) {
    const first = (key: string) => key.charAt(dataset.sourcePrefix.length);
    const rest = (key: string) => key.length === dataset.sourcePrefix.length || !SHARD_ALPHABET.includes(first(key));
    await listIntoState(ctx, dataset, dataset.sourcePrefix, inventoryId, summary, rest);
  } else {
    await listIntoState(ctx, dataset, dataset.sourcePrefix + shard, inventoryId, summary);
  }
  return summary;
}
