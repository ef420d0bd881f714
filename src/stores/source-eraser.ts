/**
 * The contract of a source store's erasure, for the decommission: list everything the
 * provider still holds under a prefix (current objects, previous versions, snapshots,
 * soft-deleted items) and delete or purge one item at a time.
 *
 * Why a contract of its own and not more `ObjectStore` methods: the copy path never needs
 * versions, snapshots or soft-deleted items, and the decommission is the one irreversible
 * step; keeping its surface apart keeps the hot path's adapter small and makes every
 * deleting call easy to find. What differs between providers is data (`ErasureCapabilities`),
 * never a special case in the decommission.
 */

/** What one listed item is. */
export type SourceEntryKind =
  /** The live object, as `list` of the copy path sees it. */
  | 'current'
  /** A previous version kept by versioning. */
  | 'version'
  /** A read-only snapshot of the object. */
  | 'snapshot'
  /** A soft-deleted item (object, version or snapshot), kept by the provider until its retention ends. */
  | 'deleted';

export interface SourceEntry {
  key: string;
  kind: SourceEntryKind;
  /** The version that names the item (a previous or soft-deleted version); undefined otherwise. */
  versionId: string | undefined;
  /** The snapshot time that names the item (a snapshot, live or soft-deleted); undefined otherwise. */
  snapshot: string | undefined;
  etag: string;
  size: number;
  /** ISO 8601. */
  lastModified: string;
  /** For a soft-deleted item: whole days the provider keeps it (undefined when it does not say). */
  remainingRetentionDays: number | undefined;
}

/** What a provider can hold besides the current object, and what it lets a client remove. */
export interface ErasureCapabilities {
  /** Previous versions may exist (Azure blob versioning, S3 bucket versioning). */
  versions: boolean;
  /** Snapshots may exist (Azure blob snapshots). */
  snapshots: boolean;
  /** Deleted items may be kept for a retention period (Azure blob soft delete). */
  softDelete: boolean;
  /**
   * A soft-deleted version or snapshot can be purged at once (Azure "permanent delete",
   * which the account must allow: `purge` answers `not-allowed` otherwise). A soft-deleted
   * current object can never be purged: it stays until its retention ends.
   */
  purgeVersionsAndSnapshots: boolean;
}

/**
 * How one delete ended: `gone` when the item was no longer there (a resumed run), `changed`
 * when a current object no longer has the ETag it was listed with (rewritten meanwhile: not
 * deleted, so that bytes nobody copied are never lost).
 */
export type EraseOutcome = 'deleted' | 'gone' | 'changed';

/** How one purge ended: `not-allowed` when the account does not permit it (the item stays until its retention ends). */
export type PurgeOutcome = 'purged' | 'not-allowed' | 'gone';

export interface SourceEraser {
  /** Where the items live, without any secret (e.g. `azure-blob https://…/container`). */
  readonly description: string;
  readonly capabilities: ErasureCapabilities;
  /** Every item under `prefix`, whatever its kind, in the provider's order. */
  list(prefix: string): AsyncIterable<SourceEntry>;
  /**
   * Deletes one live item: a current object together with its snapshots (only while its ETag
   * is still `entry.etag`), a version, or a snapshot.
   */
  erase(entry: SourceEntry): Promise<EraseOutcome>;
  /** Permanently removes one soft-deleted version or snapshot, where the account allows it. */
  purge(entry: SourceEntry): Promise<PurgeOutcome>;
}

/** Live items: those a decommission must delete (soft-deleted ones are residues, reported with their end). */
export function isLive(entry: Pick<SourceEntry, 'kind'>): boolean {
  return entry.kind !== 'deleted';
}
