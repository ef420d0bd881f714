/**
 * Opening a SQLite state file: connection settings, and the schema as an ordered list of
 * migrations so a later cloudexit can extend a state file an earlier one wrote.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { GENESIS } from '../audit/chain.ts';

/**
 * Marks a SQLite file as a cloudexit state file (`PRAGMA application_id`, ASCII "CXST"), so
 * `--state` pointed at some other database fails instead of gaining our tables.
 */
export const STATE_APPLICATION_ID = 0x43585354;

/** How long a writer waits for another process's lock before failing, in milliseconds. */
export const BUSY_TIMEOUT_MS = 30_000;

/** One step of the schema. Versions start at 1, increase by 1, and never change once released. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The schema, oldest first. Append; never edit a released entry (state files in the field
 * already ran it).
 *
 * Tables are STRICT so a fractional size or a number in a text column is refused instead of
 * silently stored. Sizes are INTEGER: node:sqlite returns them as JS numbers, exact up to
 * 2^53. Dates are ISO 8601 text, which sorts chronologically. `key` keeps the default
 * BINARY collation: SQLite compares UTF-8 text with memcmp, so `ORDER BY key` is byte
 * order of the UTF-8 key whatever the locale. Keys are never empty (object stores refuse
 * empty names), which lets key-ordered pagination start after ''.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, objects, multipart uploads and their parts',
    sql: `
      CREATE TABLE runs (
        seq INTEGER PRIMARY KEY,            -- insertion order: breaks ties between runs started in the same millisecond
        id TEXT NOT NULL UNIQUE,
        command TEXT NOT NULL,
        scope TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT CHECK (outcome IN ('succeeded', 'failed', 'interrupted')),
        total_objects INTEGER,
        total_bytes INTEGER,
        total_failed INTEGER
      ) STRICT;
      CREATE INDEX runs_by_start ON runs (started_at, seq);

      CREATE TABLE objects (
        dataset TEXT NOT NULL,
        key TEXT NOT NULL CHECK (key <> ''),
        target_key TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        source_etag TEXT NOT NULL,
        source_md5 TEXT,
        source_last_modified TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'copied', 'verified', 'failed', 'deleted-at-source')),
        inventory_id TEXT NOT NULL,
        sha256 TEXT,
        md5 TEXT,
        target_etag TEXT,
        expected_etag TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        copied_run_id TEXT,
        copied_at TEXT,
        verified_at TEXT,
        verified_mode TEXT CHECK (verified_mode IN ('quick', 'full')),
        PRIMARY KEY (dataset, key)
      ) STRICT;
      -- key as the last column: one status comes out already in key order, no sort.
      CREATE INDEX objects_by_status ON objects (dataset, status, key);

      CREATE TABLE uploads (
        dataset TEXT NOT NULL,
        key TEXT NOT NULL,
        target_key TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        part_size INTEGER NOT NULL CHECK (part_size > 0),
        source_etag TEXT NOT NULL,
        started_at TEXT NOT NULL,
        PRIMARY KEY (dataset, key)
      ) STRICT;

      CREATE TABLE upload_parts (
        dataset TEXT NOT NULL,
        key TEXT NOT NULL,
        part_number INTEGER NOT NULL CHECK (part_number >= 1),
        etag TEXT NOT NULL,
        md5 TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        PRIMARY KEY (dataset, key, part_number),
        FOREIGN KEY (dataset, key) REFERENCES uploads (dataset, key) ON DELETE CASCADE
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'hash-chained audit log (append-only) and phase cutover records',
    // The triggers make the log append-only for everyone using SQL, cloudexit included: a
    // bug or a hand-typed UPDATE cannot rewrite history. Someone able to drop triggers can
    // still edit rows; the hash chain (src/audit/chain.ts) is what makes that visible.
    // The insert trigger keeps the chain linear even if a writer forgot to take the lock.
    sql: `
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),   -- 1, 2, 3, … with no gap: the position in the chain
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        phase INTEGER,
        step TEXT NOT NULL,
        outcome TEXT NOT NULL,
        details TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object'),  -- canonical JSON, as hashed
        prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
      ) STRICT;

      CREATE TRIGGER audit_events_append_at_head BEFORE INSERT ON audit_events
      WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_events)
        OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), '${GENESIS}')
      BEGIN
        SELECT RAISE(ABORT, 'audit_events: a new event must follow the last one (seq = last seq + 1, prev_hash = its hash)');
      END;
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only: an audit event cannot be changed');
      END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only: an audit event cannot be deleted');
      END;

      -- One JSON document per phase: the record is read and written whole, never queried
      -- by field, and its shape can grow without a migration. The checks keep the id and
      -- the state inside it honest.
      CREATE TABLE phases (
        phase_id INTEGER PRIMARY KEY,
        record TEXT NOT NULL CHECK (
          json_valid(record)
          AND record ->> '$.phaseId' = phase_id
          AND record ->> '$.state' IN ('planned', 'in-progress', 'committed', 'rolled-back')
        )
      ) STRICT;
    `,
  },
  {
    version: 3,
    description: 'PostgreSQL dataset records',
    // One JSON document per PostgreSQL dataset, read and written whole like a phase record.
    sql: `
      CREATE TABLE databases (
        dataset TEXT PRIMARY KEY,
        record TEXT NOT NULL CHECK (
          json_valid(record)
          AND record ->> '$.dataset' = dataset
          AND record ->> '$.status' IN ('pending', 'copied', 'verified', 'failed')
        )
      ) STRICT;
    `,
  },
  {
    version: 4,
    description: 'what each object carries on the target: headers and metadata written, where its SHA-256 is',
    sql: `
      ALTER TABLE objects ADD COLUMN target_meta TEXT;
      ALTER TABLE objects ADD COLUMN sha256_carrier TEXT CHECK (sha256_carrier IN ('metadata', 'tag', 'none'));
    `,
  },
  // Version 5 goes here.
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Opens (creating if needed) a state database and brings its schema up to date.
 *
 * WAL lets readers in other processes work while one process writes. `synchronous=NORMAL`
 * in WAL mode writes every commit to the WAL file before returning, so a committed row
 * survives the process being killed (SIGKILL); only a power loss or OS crash can drop the
 * last commits, which the next run redoes (a part re-uploaded, an object re-copied).
 */
export async function openStateDatabase(path: string): Promise<{ db: DatabaseSync; location: string }> {
  const inMemory = path === ':memory:';
  const location = inMemory ? path : resolve(path);
  if (!inMemory) await mkdir(dirname(location), { recursive: true });

  let db: DatabaseSync;
  try {
    db = new DatabaseSync(location, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  } catch (err) {
    throw new Error(`cannot open state file ${location}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // busy_timeout and foreign_keys are set by the constructor options above.
    if (!inMemory) {
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode'];
      // Without WAL, readers block the writer and the durability argument above fails.
      if (mode !== 'wal') {
        throw new Error(`state file ${location} cannot use WAL journaling (got "${String(mode)}"); put it on a local filesystem`);
      }
    }
    db.exec('PRAGMA synchronous = NORMAL');
    migrate(db, location);
  } catch (err) {
    db.close();
    throw err;
  }
  return { db, location };
}

/**
 * Applies missing migrations. IMMEDIATE takes the write lock first, so two processes
 * opening a new file at once do not both create the tables.
 */
function migrate(db: DatabaseSync, location: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const appId = Number(db.prepare('PRAGMA application_id').get()?.['application_id'] ?? 0);
    const tableCount = Number(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get()?.['n'] ?? 0);
    if (appId !== STATE_APPLICATION_ID && (appId !== 0 || tableCount > 0)) {
      throw new Error(
        `${location} is a SQLite database but not a cloudexit state file; point --state at a new file or an existing cloudexit state file`,
      );
    }
    if (appId === 0) db.exec(`PRAGMA application_id = ${STATE_APPLICATION_ID}`);

    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY,
      description TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const current = Number(db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_version').get()?.['v'] ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `state file ${location} has schema version ${current}, newer than this cloudexit knows (${SCHEMA_VERSION}); upgrade cloudexit`,
      );
    }
    const record = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, m.description, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
