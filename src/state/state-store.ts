/**
 * Durable memory of a migration: what the source holds, what was copied with which
 * hashes, which multipart parts are already on the target, and which runs did what.
 *
 * Every method is async although the default implementation (SQLite through
 * `node:sqlite`) is synchronous underneath: a PostgreSQL implementation, shared by many
 * workers, must be able to fit the same interface.
 *
 * Never store a secret here: records hold keys, sizes, hashes and ETags only.
 */
export interface StateStore {
  /** Where the state lives, for messages (a file path; a database URL without password). */
  readonly location: string;

  // ── runs ──────────────────────────────────────────────────────────────────────────
  /** Records the start of a command run and returns its id. */
  startRun(run: { command: string; scope: string }): Promise<string>;
  /** Records how a run ended. */
  finishRun(id: string, outcome: RunOutcome, totals: RunTotals): Promise<void>;
  /** Runs, newest first. */
  listRuns(limit?: number): Promise<RunRecord[]>;

  // ── objects ───────────────────────────────────────────────────────────────────────
  /** The records of these keys of a dataset that exist (missing keys are absent from the map). */
  getObjects(dataset: string, keys: readonly string[]): Promise<Map<string, ObjectRecord>>;
  /** Inserts or replaces whole records, in one transaction. */
  putObjects(records: readonly ObjectRecord[]): Promise<void>;
  /** Changes some fields of one record. */
  updateObject(dataset: string, key: string, patch: ObjectPatch): Promise<void>;
  /**
   * A dataset's records in key order (byte order of the UTF-8 key), optionally only those
   * in `statuses`. Streams, so a dataset of millions of objects never sits in memory.
   */
  iterateObjects(dataset: string, statuses?: readonly ObjectStatus[]): AsyncIterable<ObjectRecord>;
  /** Number of objects and bytes per status for a dataset. */
  countObjects(dataset: string): Promise<StatusCounts>;
  /** Number of objects of a dataset whose last verification re-read them in full (a gate of the cutover). */
  countVerifiedFull(dataset: string): Promise<number>;
  /**
   * Marks every record of `dataset` not seen by inventory `inventoryId` (and not already
   * so marked) as `deleted-at-source`, and returns their keys.
   */
  markUnseenDeleted(dataset: string, inventoryId: string): Promise<string[]>;

  // ── multipart uploads in progress ───────────────────────────────────────────────────
  /** The upload in progress for this object, with its recorded parts, if any. */
  getUpload(dataset: string, key: string): Promise<UploadRecord | undefined>;
  /** Records a new upload (replacing any earlier one for the same object). */
  startUpload(upload: Omit<UploadRecord, 'parts'>): Promise<void>;
  /** Records one part as completed on the target. Durable when the promise resolves. */
  recordPart(dataset: string, key: string, uploadId: string, part: PartRecord): Promise<void>;
  /** Forgets the upload of this object (after completion or abort). */
  clearUpload(dataset: string, key: string): Promise<void>;

  // ── audit log (append-only, hash-chained) ─────────────────────────────────────────
  /**
   * Appends one event, atomically with reading the current head: the new event carries
   * the head's hash as `prevHash` and its own `hash` (see `src/audit/chain.ts`).
   * Many processes may append concurrently; the chain stays linear.
   */
  appendAudit(event: AuditInput): Promise<AuditEvent>;
  /** Every event in order (`seq` ascending), streamed. */
  iterateAudit(): AsyncIterable<AuditEvent>;
  /** The last event, if any. */
  auditHead(): Promise<AuditEvent | undefined>;

  // ── phases and their cutover ───────────────────────────────────────────────────────
  /** The cutover record of a phase, if the phase was ever started or approved. */
  getPhase(phaseId: number): Promise<PhaseRecord | undefined>;
  /** Inserts or replaces the record of a phase. */
  putPhase(record: PhaseRecord): Promise<void>;

  // ── PostgreSQL datasets ────────────────────────────────────────────────────────────
  /** The record of a PostgreSQL dataset, once it was inventoried, copied or verified. */
  getDatabase(dataset: string): Promise<DatabaseRecord | undefined>;
  /** Inserts or replaces the record of a PostgreSQL dataset. */
  putDatabase(record: DatabaseRecord): Promise<void>;

  /** Releases the underlying connection or file handle. */
  close(): Promise<void>;
}

/**
 * What cloudexit knows of one PostgreSQL dataset: tables are moved by a method (dump and
 * restore, or logical replication) as a whole, so one record per dataset replaces the
 * per-object records of object datasets.
 */
export interface DatabaseRecord {
  dataset: string;
  method: 'dump-restore' | 'logical';
  /** `pending` (listed), `copied` (bulk copy done), `verified` (fingerprints matched), `failed`. */
  status: 'pending' | 'copied' | 'verified' | 'failed';
  /** Tables moved, and their total size at the source, from the last inventory or copy. */
  tables: number;
  bytes: number;
  /** ISO 8601. */
  copiedAt: string | undefined;
  /** Seconds the last bulk copy took (for projections). */
  copySeconds: number | undefined;
  /** The last verification. */
  verification: {
    at: string;
    ok: boolean;
    tablesVerified: number;
    mismatches: string[];
    schemaDifferences: string[];
    /** Evidence file of per-table fingerprints, and its SHA-256. */
    evidenceFile: string | undefined;
    evidenceSha256: string | undefined;
  } | undefined;
  /** Replication lag measured last (logical method). */
  lag: { bytes: number; caughtUp: boolean; at: string } | undefined;
  /** Last failure, free of secrets. */
  lastError: string | undefined;
  updatedAt: string;
}

/** What a caller gives to `appendAudit`; the store adds `seq`, `prevHash` and `hash`. */
export interface AuditInput {
  /** ISO 8601. */
  time: string;
  /** Who or what acted: a person approving, `cloudexit` for automatic steps, a hook's name. */
  actor: string;
  /** Phase id, when the event concerns a phase. */
  phase: number | undefined;
  /** Step or action, e.g. `approve`, `freeze`, `switch`, `copy`. */
  step: string;
  /** `succeeded`, `failed`, `started`, `refused`, … */
  outcome: string;
  /**
   * Anything else worth keeping, already free of secrets. Stored as plain JSON with every
   * string passed through `redact()` again; numbers other than whole numbers within
   * ±(2^53 − 1) come back as their decimal text (0.5 → "0.5"), so that auditors' `jq`
   * prints them identically whatever its version (see `src/audit/storable.ts`).
   */
  details: Record<string, unknown>;
}

export interface AuditEvent extends AuditInput {
  /** 1, 2, 3, … with no gap. */
  seq: number;
  /** Hash of the previous event (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 of this event's canonical form, `prevHash` included. */
  hash: string;
}

/** Steps of a phase cutover, in order. */
export const CUTOVER_STEPS = ['preflight', 'freeze', 'quiescence', 'final-sync', 'verify', 'switch', 'smoke-check', 'commit'] as const;
export type CutoverStep = (typeof CUTOVER_STEPS)[number];

/**
 * `planned` → `in-progress` (some step done) → `committed` (point of no return passed);
 * or `rolled-back` from `in-progress` before the commit.
 */
export type PhaseState = 'planned' | 'in-progress' | 'committed' | 'rolled-back';

export interface PhaseRecord {
  phaseId: number;
  state: PhaseState;
  /** Steps that succeeded, with when; a step listed here never runs again in this cutover. */
  done: { step: CutoverStep; at: string; details: Record<string, unknown> }[];
  /** The step that failed last, if the cutover is stopped on it. */
  failed: { step: CutoverStep; at: string; error: string } | undefined;
  /** Go decisions recorded with `cutover --approve`. */
  approvals: { role: string; name: string; at: string }[];
  /** ISO 8601: when the source was frozen (the freeze hook succeeded). */
  frozenAt: string | undefined;
  /** ISO 8601. */
  updatedAt: string;
}

/**
 * Lifecycle of one object:
 * `pending` (seen at the source, not yet on the target) → `copied` (on the target,
 * hashes recorded) → `verified` (a verify pass confirmed it); `failed` after the last
 * retry; `deleted-at-source` when a later inventory no longer finds it.
 */
export type ObjectStatus = 'pending' | 'copied' | 'verified' | 'failed' | 'deleted-at-source';

export const OBJECT_STATUSES: readonly ObjectStatus[] = ['pending', 'copied', 'verified', 'failed', 'deleted-at-source'];

export interface ObjectRecord {
  dataset: string;
  /** Key at the source. */
  key: string;
  /** Key at the target. */
  targetKey: string;
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

export interface UploadRecord {
  dataset: string;
  key: string;
  targetKey: string;
  uploadId: string;
  partSize: number;
  /** Source ETag when the upload started: a changed source invalidates the recorded parts. */
  sourceEtag: string;
  /** ISO 8601. */
  startedAt: string;
  /** Completed parts in part-number order. */
  parts: PartRecord[];
}

export interface PartRecord {
  partNumber: number;
  etag: string;
  /** Hex MD5 of the part's bytes. */
  md5: string;
  size: number;
}

export type RunOutcome = 'succeeded' | 'failed' | 'interrupted';

export interface RunTotals {
  objects: number;
  bytes: number;
  failed: number;
}

export interface RunRecord {
  id: string;
  command: string;
  scope: string;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; undefined while running or after a crash. */
  endedAt: string | undefined;
  outcome: RunOutcome | undefined;
  totals: RunTotals | undefined;
}

export type StatusCounts = Record<ObjectStatus, { objects: number; bytes: number }>;
