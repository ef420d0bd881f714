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

const BATCH = 500;

export async function inventoryDataset(ctx: EngineContext, dataset: EngineDataset): Promise<InventorySummary> {
  const inventoryId = `inv-${ctx.runId}`;
  const summary = emptyInventorySummary(dataset.name);
  ctx.progress.start(`inventory ${dataset.name}`, { objects: 0, bytes: 0 });
  await listIntoState(ctx, dataset, dataset.sourcePrefix, inventoryId, summary);
  summary.deletedAtSource = await ctx.state.markUnseenDeleted(dataset.name, inventoryId);
  ctx.progress.stop();
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
): Promise<void> {
  let batch: ObjectInfo[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const known = await ctx.state.getObjects(
      dataset.name,
      batch.map((o) => o.key),
    );
    const records = batch.map((info) => reconcile(dataset, info, known.get(info.key), inventoryId, summary));
    await ctx.state.putObjects(records);
    ctx.progress.advance({ objects: batch.length, bytes: batch.reduce((n, o) => n + o.size, 0) });
    batch = [];
  };
  // A listing that fails half-way is retried whole: a partial listing would mark the rest as deleted.
  await withRetry(
    async () => {
      for await (const info of dataset.source.list(prefix)) {
        if (isIgnored(dataset, info) || !keep(info.key)) continue;
        summary.objects++;
        summary.bytes += info.size;
        batch.push(info);
        if (batch.length >= BATCH) await flush();
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
