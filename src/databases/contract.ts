/**
 * What the rest of cloudexit expects of a PostgreSQL dataset, whichever method moves it.
 * The copy command runs `bulkCopy`, the cutover runs `freeze` → `quiescence` →
 * `finalSync` → `verifyDatabase` → switch → `finish`, and status shows `lag`.
 */
import type { ProgressSink } from '../progress.ts';
import type { PostgresDataset } from '../plan/schema.ts';
import type { PgConnection } from './connection.ts';

export interface MethodContext {
  dataset: PostgresDataset;
  source: PgConnection;
  target: PgConnection;
  /** Folder of pg_dump / pg_restore (see `findPostgresBinaries`). */
  bindir: string;
  progress: ProgressSink;
  signal?: AbortSignal;
}

export interface Preflight {
  ok: boolean;
  /** Sentences naming what blocks the method and how to fix it. */
  problems: string[];
  /** schema.table of every table without a primary key (they block `logical`). */
  tablesWithoutPrimaryKey: string[];
}

export interface BulkCopyResult {
  tables: number;
  /** Size of the source database's moved tables, in bytes. */
  bytes: number;
  seconds: number;
  /** Free-text facts for the audit log (already free of secrets). */
  details: Record<string, unknown>;
}

export interface DatabaseMethod {
  readonly name: 'dump-restore' | 'logical';
  /** Checks prerequisites without changing anything. */
  preflight(): Promise<Preflight>;
  /** Brings the target to the source's content; safe to run again (re-runs converge). */
  bulkCopy(): Promise<BulkCopyResult>;
  /** Replication lag, for `logical`; undefined for methods without one. */
  lag(): Promise<{ bytes: number; caughtUp: boolean } | undefined>;
  /** During the freeze: makes the target equal to the frozen source (sequences included). */
  finalSync(): Promise<BulkCopyResult>;
  /** After the commit: removes what the method left on either side (subscription, publication, dumps). */
  finish(): Promise<void>;
}

/** What `freezeWrites` records, to be checked by `checkQuiescent` after the freeze. */
export interface FreezeMarker {
  /** ISO 8601. */
  frozenAt: string;
  /** Rows inserted + updated + deleted per schema.table, as PostgreSQL counted them at the freeze. */
  writes: Record<string, number>;
}

export interface TableVerification {
  schema: string;
  table: string;
  rows: { source: number; target: number };
  /** `pk-range`: fingerprinted by primary-key chunks; `whole-table`: one fingerprint (no primary key). */
  method: 'pk-range' | 'whole-table';
  chunks: number;
  /** Order-independent fingerprint of the source table's content (hex). */
  fingerprint: string;
  /** Key ranges whose content differs, as readable ranges (e.g. `id from 200001 to 400000`). */
  mismatches: string[];
}

export interface DatabaseVerification {
  dataset: string;
  ok: boolean;
  tables: TableVerification[];
  /** Differences of columns, types, constraints, indexes and sequence values, one sentence each. */
  schemaDifferences: string[];
}
