/**
 * PostgreSQL dataset records: tables are moved by a method (dump and restore, or logical
 * replication) as a whole, so one record per dataset replaces the per-object records of
 * object datasets. Every implementation passes `test/state/conformance/databases.ts`.
 */

/** What cloudexit knows of one PostgreSQL dataset. */
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
  verification:
    | {
        at: string;
        ok: boolean;
        tablesVerified: number;
        mismatches: string[];
        schemaDifferences: string[];
        /** Evidence file of per-table fingerprints, and its SHA-256. */
        evidenceFile: string | undefined;
        evidenceSha256: string | undefined;
      }
    | undefined;
  /** Replication lag measured last (logical method). */
  lag: { bytes: number; caughtUp: boolean; at: string } | undefined;
  /** Last failure, free of secrets. */
  lastError: string | undefined;
  updatedAt: string;
}

export interface DatabaseStore {
  /**
   * The record of a PostgreSQL dataset as last put (secrets masked, unset fields as `undefined`),
   * once it was inventoried, copied or verified.
   */
  getDatabase(dataset: string): Promise<DatabaseRecord | undefined>;
  /**
   * Inserts or replaces the whole record of a PostgreSQL dataset, every string redacted (a
   * tool's error may quote a connection string). Durable when the promise resolves; the
   * last writer wins.
   */
  putDatabase(record: DatabaseRecord): Promise<void>;
}
