/**
 * The object ledger: one record per object of an object dataset, from inventory to
 * verification. The engine's inventory, copy and verify read and write it; the cutover's
 * gates and `status` only count.
 *
 * Every implementation passes `test/state/conformance/objects.ts`. DESIGN.md plans leases
 * (claims with a heartbeat and a fencing token, for many workers) as part of this contract;
 * they are not here yet.
 */

/**
 * Lifecycle of one object:
 * `pending` (seen at the source, not yet on the target) → `copied` (on the target,
 * hashes recorded) → `verified` (a verify pass confirmed it); `failed` after the last
 * retry; `deleted-at-source` when a later inventory no longer finds it.
 */
export type ObjectStatus = 'pending' | 'copied' | 'verified' | 'failed' | 'deleted-at-source';

export const OBJECT_STATUSES: readonly ObjectStatus[] = [
  'pending',
  'copied',
  'verified',
  'failed',
  'deleted-at-source',
];

export interface ObjectRecord {
  dataset: string;
  /** Key at the source. Never empty (object stores refuse empty names). */
  key: string;
  /** Key at the target. */
  targetKey: string;
  /** Bytes; a whole number from 0 to 2^53 − 1. */
  size: number;
  sourceEtag: string;
  /** Hex MD5 the source declared (Azure Content-MD5), if any. */
  sourceMd5: string | undefined;
  /** ISO 8601. */
  sourceLastModified: string;
  status: ObjectStatus;
  /** Id of the last inventory that saw this object at the source. */
  inventoryId: string;
  /** Hex SHA-256 of the bytes read from the source during the copy. */
  sha256: string | undefined;
  /** Hex MD5 of the bytes read from the source during the copy. */
  md5: string | undefined;
  /** ETag the target reported when the copy completed. */
  targetEtag: string | undefined;
  /** ETag the target should report, computed locally from part MD5s (undefined for opaque ETags). */
  expectedEtag: string | undefined;
  /**
   * The headers and user metadata written with the object, as canonical JSON (names in the
   * spelling cloudexit wrote): what quick verify compares the target's with.
   */
  targetMeta: string | undefined;
  /** Where the target holds the object's SHA-256: its metadata, a tag, or nowhere (the state and the manifest only). */
  sha256Carrier: 'metadata' | 'tag' | 'none' | undefined;
  /** Number of copy attempts. */
  attempts: number;
  /** Last failure message (already free of secrets). */
  lastError: string | undefined;
  /** Run that last copied the object. */
  copiedRunId: string | undefined;
  /** ISO 8601. */
  copiedAt: string | undefined;
  /** ISO 8601. */
  verifiedAt: string | undefined;
  /** How it was last verified. */
  verifiedMode: 'quick' | 'full' | undefined;
}

export type ObjectPatch = Partial<Omit<ObjectRecord, 'dataset' | 'key'>>;

export type StatusCounts = Record<ObjectStatus, { objects: number; bytes: number }>;

/**
 * Records are read back with exactly the interface's fields (unset ones present as
 * `undefined`), so callers may compare them whole. Every method is safe to call from many
 * processes on one storage at once; a promise that resolved means the change is durable
 * (it survives a crash of the process, SIGKILL included).
 */
export interface ObjectLedger {
  /**
   * The records of these keys of a dataset that exist; missing keys are absent from the
   * map. One consistent read, whatever the number of keys.
   */
  getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>>;
  /**
   * Inserts or replaces whole records, all or nothing: when one record is refused (a
   * fractional size, an unknown status), the promise rejects and none is stored. Other
   * writers never see part of the batch.
   */
  putObjects(records: readonly ObjectRecord[]): Promise<void>;
  /**
   * Changes the fields named in `patch` of one record, atomically. A field given as
   * `undefined` clears an optional field (e.g. `lastError` after a successful retry) and
   * leaves a required one as it is. Rejects, changing nothing, when the record does not
   * exist (the message names dataset and key) or the patch names a field that is not an
   * `ObjectRecord` field, `dataset` and `key` included.
   */
  updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void>;
  /**
   * A dataset's records in byte order of the UTF-8 key (not UTF-16, not locale order),
   * optionally only those in `statuses` (an empty list gives nothing). Streams in pages,
   * each its own short read: memory stays bounded whatever the dataset size, no lock or
   * snapshot is held between pages, and the caller (or another process) may write while
   * iterating. A record written meanwhile is seen as it is when its page is read.
   */
  iterateObjects(dataset: string, statuses?: readonly ObjectStatus[]): AsyncIterable<ObjectRecord>;
  /**
   * Number of objects and bytes per status for a dataset; every status is present, zero
   * when none. One consistent read: the totals never mix two moments of a concurrent write.
   */
  countObjects(dataset: string): Promise<StatusCounts>;
  /**
   * Number of objects of a dataset that are `verified` and whose last verification re-read
   * them in full (a gate of the cutover); an object copied again no longer counts.
   */
  countVerifiedFull(dataset: string): Promise<number>;
  /**
   * Marks every record of `dataset` not seen by inventory `inventoryId` (and not already
   * so marked) as `deleted-at-source`, and returns their keys in byte order: exactly the
   * records changed, in one atomic step. Calling it again returns nothing.
   */
  markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]>;
}
