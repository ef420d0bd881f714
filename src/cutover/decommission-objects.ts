/**
 * Erasing one object dataset at the source, after its target passed a full verify.
 *
 * Safety first, because nothing brings these bytes back: every live item listed at the
 * source is checked against the ledger before anything is deleted. A current object must
 * be `verified` by a full verify with the ETag the source shows now (a blob rewritten since
 * the copy has another ETag); a version, snapshot or soft-deleted item must belong to a key
 * the ledger knows (history of an object cloudexit copied). One item that fails refuses the
 * whole dataset, naming the keys, and nothing of it is deleted.
 *
 * Then every live item is deleted (a blob with its snapshots, each version, each snapshot),
 * and the source is listed again, a few times if needed: with versioning on, deleting a blob
 * turns it into a previous version, which the next pass deletes. Soft-deleted versions and
 * snapshots are purged where the account allows it; what stays (soft-deleted items) is
 * reported with the day its retention ends. Deleting an item already gone counts as done,
 * so a run resumed after a crash finishes the job.
 */
import type { ObjectLedger, ObjectRecord } from '../state/contracts/objects.ts';
import { isLive, type SourceEntry, type SourceEraser } from '../stores/source-eraser.ts';

/** Keys named in a refusal: enough to act on, bounded for a dataset of millions. */
const MAX_NAMED_KEYS = 50;

/** Passes of delete-then-list (versioning turns a deleted blob into a version once). */
const MAX_PASSES = 4;

const DAY_MS = 86_400_000;

/** One listed item as the certificate records it. */
export interface ListedItem {
  key: string;
  kind: SourceEntry['kind'];
  versionId?: string;
  snapshot?: string;
  etag: string;
  size: number;
  /** Soft-deleted items: when the provider's retention ends (ISO 8601). */
  retainedUntil?: string;
}

export interface ObjectsRefusal {
  outcome: 'refused';
  reason: string;
  /** Keys that stopped the dataset (at most {@link MAX_NAMED_KEYS}). */
  keys: string[];
}

export interface ObjectsErasure {
  outcome: 'erased';
  deleted: ListedItem[];
  purged: ListedItem[];
  /** What the last listing still showed: live items (0 when done) and soft-deleted residues. */
  remaining: ListedItem[];
  objectsLeftAtSource: number;
  /** When the last residue's retention ends; undefined when none is left (or the provider gave no date). */
  residualUntil: string | undefined;
}

export interface EraseDatasetInput {
  dataset: string;
  prefix: string;
  eraser: SourceEraser;
  ledger: Pick<ObjectLedger, 'getObjects'>;
  now: () => Date;
  signal?: AbortSignal | undefined;
}

/** Lists everything under the dataset's prefix, as the certificate records it. */
export async function listSource(input: Pick<EraseDatasetInput, 'eraser' | 'prefix' | 'now'>): Promise<ListedItem[]> {
  const items: ListedItem[] = [];
  for await (const entry of input.eraser.list(input.prefix)) items.push(listedItem(entry, input.now()));
  return items;
}

/** Why the dataset may not be erased, or undefined when every live item is something cloudexit copied and verified. */
export async function safetyRefusal(
  input: Pick<EraseDatasetInput, 'dataset' | 'ledger'>,
  items: readonly ListedItem[],
  deletedSoFar = 0,
): Promise<ObjectsRefusal | undefined> {
  const keys = [...new Set(items.map((i) => i.key))];
  const ledger = new Map<string, ObjectRecord>();
  for (let i = 0; i < keys.length; i += 500) {
    for (const [k, r] of await input.ledger.getObjects(input.dataset, keys.slice(i, i + 500))) ledger.set(k, r);
  }
  const unverified: string[] = [];
  const unknown: string[] = [];
  for (const item of items) {
    const record = ledger.get(item.key);
    if (item.kind === 'current') {
      const ok = record?.status === 'verified' && record.verifiedMode === 'full' && record.sourceEtag === item.etag;
      if (!ok) unverified.push(item.key);
    } else if (!record) unknown.push(item.key);
  }
  if (unverified.length === 0 && unknown.length === 0) return undefined;
  const parts = [
    unverified.length > 0 &&
      `${unverified.length} current object(s) at the source are not verified in full on the target with the same ETag`,
    unknown.length > 0 && `${unknown.length} version(s) or snapshot(s) belong to keys cloudexit never copied`,
  ].filter(Boolean);
  return {
    outcome: 'refused',
    reason:
      deletedSoFar === 0
        ? `${parts.join('; ')}: nothing of dataset ${input.dataset} was deleted`
        : `${parts.join('; ')} (written at the source during the decommission): deletion of dataset ${input.dataset} ` +
          `stopped after ${deletedSoFar} item(s), the rest is left as it is`,
    keys: [...new Set([...unverified, ...unknown])].slice(0, MAX_NAMED_KEYS),
  };
}

/**
 * Deletes every live item, purges what the account allows, lists again; refuses (deleting
 * nothing) when the safety check fails on the listing taken first.
 */
export async function eraseObjectDataset(input: EraseDatasetInput): Promise<ObjectsRefusal | ObjectsErasure> {
  let listing = await listSource(input);
  const refusal = await safetyRefusal(input, listing);
  if (refusal) return refusal;
  const deleted: ListedItem[] = [];
  const purged: ListedItem[] = [];
  for (let pass = 0; pass < MAX_PASSES && !input.signal?.aborted; pass++) {
    const live = listing.filter(isLive);
    const purgeable = input.eraser.capabilities.purgeVersionsAndSnapshots
      ? listing.filter((i) => i.kind === 'deleted' && (i.versionId !== undefined || i.snapshot !== undefined))
      : [];
    if (live.length === 0 && purgeable.length === 0) break;
    for (const item of live) {
      if (input.signal?.aborted) break;
      if ((await input.eraser.erase(entryOf(item))) === 'deleted') deleted.push(item);
    }
    for (const item of purgeable) {
      if (input.signal?.aborted) break;
      if ((await input.eraser.purge(entryOf(item))) === 'purged') purged.push(item);
    }
    listing = await listSource(input);
    // A pass that purged nothing it could see will not do better next time.
    if (listing.filter(isLive).length === 0 && purgeable.length > 0 && purged.length === 0) break;
    // Anything new that appeared meanwhile (a writer at the source) is checked again before the next pass.
    const again = await safetyRefusal(input, listing.filter(isLive), deleted.length);
    if (again) return again;
  }
  const residues = listing.filter((i) => i.kind === 'deleted');
  const until = residues.map((i) => i.retainedUntil).filter((d): d is string => d !== undefined);
  return {
    outcome: 'erased',
    deleted,
    purged,
    remaining: listing,
    objectsLeftAtSource: listing.filter(isLive).length,
    // The provider states every soft-deleted item's remaining days (Azure: RemainingRetentionDays).
    residualUntil: until.sort().at(-1),
  };
}

function listedItem(entry: SourceEntry, now: Date): ListedItem {
  return {
    key: entry.key,
    kind: entry.kind,
    ...(entry.versionId !== undefined && { versionId: entry.versionId }),
    ...(entry.snapshot !== undefined && { snapshot: entry.snapshot }),
    etag: entry.etag,
    size: entry.size,
    ...(entry.kind === 'deleted' &&
      entry.remainingRetentionDays !== undefined && {
        retainedUntil: new Date(now.getTime() + entry.remainingRetentionDays * DAY_MS).toISOString(),
      }),
  };
}

function entryOf(item: ListedItem): SourceEntry {
  return {
    key: item.key,
    kind: item.kind,
    versionId: item.versionId,
    snapshot: item.snapshot,
    etag: item.etag,
    size: item.size,
    lastModified: '',
    remainingRetentionDays: undefined,
  };
}
