/**
 * Opening a SQLite state file: connection settings, and the schema as an ordered list of
 * migrations so a later cloudexit can extend a state file an earlier one wrote.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { GENESIS } from '../audit/chain.ts';
import { UserError } from '../errors.ts';
import {
  checkWritable,
  createParentFolders,
  inspectStateFile,
  NOT_A_STATE,
  notAStateFile,
  STATE_APPLICATION_ID,
  type StateFileKind,
} from './sqlite-file.ts';

export { STATE_APPLICATION_ID } from './sqlite-file.ts';

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
  {
    version: 5,
    description: "the migration the state is bound to, and each dataset's source and target",
    // One binding per state file (id = 1). Kinds are checked by the contract's code, not
    // here: a new kind of dataset then needs no table rebuild. Rebinds are kept, with the
    // conflicts each one overrode, like the audit log: append-only.
    sql: `
      CREATE TABLE binding (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        migration TEXT NOT NULL CHECK (migration <> ''),
        bound_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE binding_datasets (
        name TEXT PRIMARY KEY CHECK (name <> ''),
        kind TEXT NOT NULL CHECK (kind <> ''),
        source TEXT NOT NULL CHECK (source <> ''),
        target TEXT NOT NULL CHECK (target <> '')
      ) STRICT;

      CREATE TABLE binding_rebinds (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason <> ''),
        conflicts TEXT NOT NULL CHECK (json_valid(conflicts) AND json_type(conflicts) = 'array')
      ) STRICT;
      CREATE TRIGGER binding_rebinds_no_update BEFORE UPDATE ON binding_rebinds
      BEGIN
        SELECT RAISE(ABORT, 'binding_rebinds is append-only: a rebind cannot be changed');
      END;
      CREATE TRIGGER binding_rebinds_no_delete BEFORE DELETE ON binding_rebinds
      BEGIN
        SELECT RAISE(ABORT, 'binding_rebinds is append-only: a rebind cannot be deleted');
      END;
    `,
  },
  {
    version: 6,
    description: 'the capabilities probed on each target',
    sql: `
      CREATE TABLE probes (
        target TEXT PRIMARY KEY CHECK (target <> ''),
        record TEXT NOT NULL CHECK (json_valid(record) AND record ->> '$.target' = target)
      ) STRICT;
    `,
  },
  {
    version: 7,
    description: 'who holds the lock of each phase: its cutover, rollback and approvals are single-leader',
    // A row per held lock; the token lets a holder release only its own grant (see sqlite-leader.ts).
    sql: `
      CREATE TABLE phase_locks (
        phase_id INTEGER PRIMARY KEY,
        token TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        command TEXT NOT NULL,
        since TEXT NOT NULL
      ) STRICT;
    `,
  },
  // Version 8 goes here.
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** An open state database. */
export interface StateDatabase {
  db: DatabaseSync;
  /** The absolute path of the state file (`:memory:` for a private in-memory store). */
  location: string;
  /** Opened read-only: SQLite itself refuses every write. */
  readOnly: boolean;
  /**
   * False when there is no state at `location` yet (no file, an empty file, or an empty
   * SQLite database) and a read-only open returned an empty view in memory instead.
   */
  exists: boolean;
}

export interface OpenStateOptions {
  /**
   * Open without changing anything on disk: a missing state is not created (an empty
   * in-memory view stands in for it, `exists` false), no folder is created, the file is
   * never switched to WAL nor migrated, and every write is refused.
   * @default false
   */
  readOnly?: boolean;
}

/**
 * Opens a state database. `:memory:` gives a private in-memory store. Anything else is a
 * file path: what is there is looked at first with plain reads (`inspectStateFile`), so a
 * folder, a path through a file, or a file that is not a cloudexit state is refused with a
 * `UserError` before SQLite opens it, and left as it was.
 *
 * For writing (the default), a missing file is created with its parent folders, switched to
 * WAL and brought to the current schema. WAL lets readers in other processes work while one
 * process writes. `synchronous=NORMAL` in WAL mode writes every commit to the WAL file
 * before returning, so a committed row survives the process being killed (SIGKILL); only a
 * power loss or OS crash can drop the last commits, which the next run redoes (a part
 * re-uploaded, an object re-copied).
 *
 * Read-only, see `OpenStateOptions.readOnly`. A state file whose schema is older than this
 * cloudexit's is refused (a `UserError` saying to run a writing command once): reading it
 * would need the upgrade that a read-only open must not do. SQLite may create the usual
 * `-wal` and `-shm` companions of the WAL state file if they are absent (any reader of a
 * WAL database does); the state file itself is not written.
 */
export async function openStateDatabase(path: string, options: OpenStateOptions = {}): Promise<StateDatabase> {
  const readOnly = options.readOnly ?? false;
  if (path === ':memory:') return inMemory(path, readOnly);
  const location = resolve(path);
  const kind = await inspectStateFile(location);
  return readOnly ? openReadOnly(location, kind) : openForWriting(location, kind);
}

/** A fresh database in memory with the current schema; read-only, it stands for a state not started. */
function inMemory(location: string, readOnly: boolean): StateDatabase {
  const db = new DatabaseSync(':memory:', { enableForeignKeyConstraints: true });
  migrate(db, location);
  if (readOnly) db.exec('PRAGMA query_only = ON');
  return { db, location, readOnly, exists: !readOnly };
}

async function openForWriting(location: string, kind: StateFileKind): Promise<StateDatabase> {
  if (kind !== 'missing') await checkWritable(location);
  const removeFolders = kind === 'missing' ? await createParentFolders(location) : async () => {};
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(location, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  } catch (err) {
    await removeFolders();
    throw userErrorOf(location, err, 'write');
  }
  try {
    // Reads only until the file is known to be a state (or an empty database): the WAL
    // switch below rewrites the file header, which another application's database must
    // never get.
    identify(db, location);
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode'];
    // Without WAL, readers block the writer and the durability argument above fails.
    if (mode !== 'wal') {
      throw new UserError(`the state file cannot use WAL journaling (got "${String(mode)}")`, {
        where: location,
        fix: 'put the state file on a local file system (WAL needs shared memory, which network file systems lack)',
      });
    }
    // busy_timeout and foreign_keys are set by the constructor options above.
    db.exec('PRAGMA synchronous = NORMAL');
    migrate(db, location);
  } catch (err) {
    db.close();
    throw userErrorOf(location, err, 'write');
  }
  return { db, location, readOnly: false, exists: true };
}

/**
 * What a read-only open hands SQLite. A reader of a WAL database creates the `-wal` and
 * `-shm` side files when they are missing, and a command that only reads must create
 * nothing. No `-wal` file means no writer is connected (cloudexit's writers hold theirs
 * open for the whole command, and the last one removes it on close) and the whole database
 * is in the main file: it is then opened `immutable`, which takes no lock and creates no
 * file. A writer starting during those few reads could make one of them fail, never
 * change the file. With a `-wal` file present, SQLite reads it as usual.
 */
function readOnlyTarget(location: string): string | URL {
  if (existsSync(`${location}-wal`)) return location;
  const url = pathToFileURL(location);
  url.searchParams.set('immutable', '1');
  return url;
}

async function openReadOnly(location: string, kind: StateFileKind): Promise<StateDatabase> {
  if (kind === 'missing' || kind === 'empty') return inMemory(location, true);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(readOnlyTarget(location), { readOnly: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw userErrorOf(location, err, 'read');
  }
  try {
    if (identify(db, location) === 'empty') {
      db.close();
      return inMemory(location, true);
    }
    const version = schemaVersion(db);
    checkNotNewer(version, location);
    if (version < SCHEMA_VERSION) {
      throw new UserError(
        `the state file has schema version ${version}, older than this cloudexit's (${SCHEMA_VERSION}), and a command that only reads cannot upgrade it`,
        {
          where: location,
          fix: 'run a command that writes the state (inventory, copy or verify) once with this cloudexit, which upgrades it; then run this one again',
        },
      );
    }
  } catch (err) {
    if (db.isOpen) db.close();
    throw userErrorOf(location, err, 'read');
  }
  return { db, location, readOnly: true, exists: true };
}

/**
 * Whether the open database is a state or an empty database (which may become one), read
 * through SQLite (the write-ahead log included) without writing; throws for anything else.
 */
function identify(db: DatabaseSync, location: string): 'state' | 'empty' {
  const appId = Number(db.prepare('PRAGMA application_id').get()?.['application_id'] ?? 0);
  // Read even for a state: parsing the schema finds a damaged file before anything writes.
  const tableCount = Number(
    db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get()?.['n'] ?? 0,
  );
  if (appId === STATE_APPLICATION_ID) return 'state';
  if (appId === 0 && tableCount === 0) return 'empty';
  throw notAStateFile(location, appId === 0 ? NOT_A_STATE.foreignTables : NOT_A_STATE.foreignApplication(appId));
}

function schemaVersion(db: DatabaseSync): number {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'").get();
  return hasTable
    ? Number(db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_version').get()?.['v'] ?? 0)
    : 0;
}

function checkNotNewer(version: number, location: string): void {
  if (version > SCHEMA_VERSION) {
    throw new UserError(
      `the state file has schema version ${version}, newer than this cloudexit knows (${SCHEMA_VERSION}); upgrade cloudexit`,
      {
        where: location,
        fix: 'use the cloudexit version that last wrote this state file, or a later one',
      },
    );
  }
}

/**
 * Applies missing migrations. IMMEDIATE takes the write lock first, so two processes
 * opening a new file at once do not both create the tables; the file is identified again
 * under the lock.
 */
function migrate(db: DatabaseSync, location: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    if (identify(db, location) === 'empty') db.exec(`PRAGMA application_id = ${STATE_APPLICATION_ID}`);

    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY,
      description TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const current = schemaVersion(db);
    checkNotNewer(current, location);
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

/**
 * The `UserError` for what SQLite says about a file the user pointed at (it cannot be
 * opened, is read-only, is not a database, is damaged); other errors are returned as they are.
 */
function userErrorOf(location: string, err: unknown, mode: 'read' | 'write'): unknown {
  if (err instanceof UserError) return err;
  const errcode = typeof err === 'object' && err !== null && 'errcode' in err ? Number(err.errcode) : NaN;
  const user = (message: string, fix: string): UserError => {
    const error = new UserError(`${message} (${(err as Error).message})`, { where: location, fix });
    error.cause = err;
    return error;
  };
  // Result codes, https://www.sqlite.org/rescode.html
  if (errcode === 1544) {
    // SQLITE_READONLY_DIRECTORY: a WAL file needs its -shm companion, which SQLite creates next to it.
    return user(
      `SQLite needs to create ${basename(location)}-shm next to this WAL state file, and this user cannot write its folder`,
      'run the command as a user who can write the folder, or copy the state file (and its -wal file, if any) to a folder you can write and point --state at the copy',
    );
  }
  switch (errcode & 0xff) {
    case 3: // SQLITE_PERM
    case 14: // SQLITE_CANTOPEN
    case 23: // SQLITE_AUTH
      return mode === 'write'
        ? user(
            'cannot create or open the state file for writing',
            'point --state at a place this user can write, or give this user write permission on the file and its folder',
          )
        : user(
            'cannot open the state file for reading',
            'check the path given to --state and that this user can read the file and its folder',
          );
    case 8: // SQLITE_READONLY
      if (mode === 'read')
        return user('cannot open the state file for reading', 'check that this user can read the file and its folder');
      return user(
        'the state file cannot be written by this user (or sits on a read-only file system)',
        'run the command as a user who can write the file and its folder, or use a command that only reads the state (status, runbook, audit verify)',
      );
    case 11: // SQLITE_CORRUPT
      return user('the state file is damaged', 'restore the state file from a backup');
    case 26: // SQLITE_NOTADB
      return notAStateFile(location, NOT_A_STATE.notSqlite);
    default:
      return err;
  }
}
