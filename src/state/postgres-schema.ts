/**
 * Opening a PostgreSQL state database: the pool, the type parsing every contract relies
 * on, the write transaction they share, and the schema as an ordered list of migrations
 * recorded in `schema_version`, so a later cloudexit can extend a database an earlier one
 * wrote, and many workers opening the same database at once migrate it once.
 */
import pg from 'pg';
import { GENESIS } from '../audit/chain.ts';

/** One step of the schema. Versions start at 1, increase by 1, and never change once released. */
export interface PostgresMigration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The schema, oldest first. Append; never edit a released entry (databases in the field
 * already ran it). It is the SQLite schema (`sqlite-schema.ts`) as it stands today, in
 * PostgreSQL terms, as one first step.
 *
 * Sizes are `bigint` (parsed back as JS numbers, exact up to 2^53: see `PARSE_TYPES`), so a
 * fractional size is refused instead of rounded. Dates are ISO 8601 text, as in SQLite,
 * which sorts chronologically. `key` is `COLLATE "C"`: PostgreSQL then compares UTF-8 text
 * byte by byte, so `ORDER BY key` (and the primary key's index) is byte order of the UTF-8
 * key whatever the database's locale. Records read and written whole (phases, PostgreSQL
 * datasets, probes) are `jsonb`; audit details are the canonical JSON text that was hashed,
 * so re-reading them gives the same hash (jsonb would reorder keys and respell numbers).
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'every contract of the state: binding, runs, objects, uploads, audit log, phases, datasets, probes',
    sql: `
      CREATE TABLE runs (
        seq bigserial PRIMARY KEY,           -- insertion order: breaks ties between runs started in the same millisecond
        id text NOT NULL UNIQUE,
        command text NOT NULL,
        scope text NOT NULL,
        started_at text NOT NULL,
        ended_at text,
        outcome text CHECK (outcome IN ('succeeded', 'failed', 'interrupted')),
        total_objects bigint,
        total_bytes bigint,
        total_failed bigint
      );
      CREATE INDEX runs_by_start ON runs (started_at, seq);

      CREATE TABLE objects (
        dataset text NOT NULL,
        key text COLLATE "C" NOT NULL CHECK (key <> ''),
        target_key text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        source_etag text NOT NULL,
        source_md5 text,
        source_last_modified text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'copied', 'verified', 'failed', 'deleted-at-source')),
        inventory_id text NOT NULL,
        sha256 text,
        md5 text,
        target_etag text,
        expected_etag text,
        target_meta text,
        sha256_carrier text CHECK (sha256_carrier IN ('metadata', 'tag', 'none')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        copied_run_id text,
        copied_at text,
        verified_at text,
        verified_mode text CHECK (verified_mode IN ('quick', 'full')),
        PRIMARY KEY (dataset, key)
      );
      -- key as the last column: one status comes out already in key order, no sort.
      CREATE INDEX objects_by_status ON objects (dataset, status, key);

      CREATE TABLE uploads (
        dataset text NOT NULL,
        key text COLLATE "C" NOT NULL,
        target_key text NOT NULL,
        upload_id text NOT NULL,
        part_size bigint NOT NULL CHECK (part_size > 0),
        source_etag text NOT NULL,
        started_at text NOT NULL,
        PRIMARY KEY (dataset, key)
      );
      CREATE TABLE upload_parts (
        dataset text NOT NULL,
        key text COLLATE "C" NOT NULL,
        part_number integer NOT NULL CHECK (part_number >= 1),
        etag text NOT NULL,
        md5 text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        PRIMARY KEY (dataset, key, part_number),
        FOREIGN KEY (dataset, key) REFERENCES uploads (dataset, key) ON DELETE CASCADE
      );

      -- The audit log. audit_head is its single-row head: every append locks it (FOR
      -- UPDATE), so appends from any number of processes are serialised and the chain stays
      -- linear. The insert trigger takes that lock itself and checks the new event follows
      -- the head, so even a writer that forgot the lock cannot fork the chain. UPDATE,
      -- DELETE and TRUNCATE raise: the log is append-only for everyone using SQL, cloudexit
      -- included. Someone able to drop triggers can still edit rows; the hash chain
      -- (src/audit/chain.ts) is what makes that visible.
      CREATE TABLE audit_events (
        seq bigint PRIMARY KEY CHECK (seq >= 1),   -- 1, 2, 3, … with no gap: the position in the chain
        time text NOT NULL,
        actor text NOT NULL,
        phase integer,
        step text NOT NULL,
        outcome text NOT NULL,
        details text NOT NULL CHECK (json_typeof(details::json) = 'object'),  -- canonical JSON, as hashed
        prev_hash text NOT NULL CHECK (length(prev_hash) = 64),
        hash text NOT NULL UNIQUE CHECK (length(hash) = 64)
      );
      CREATE TABLE audit_head (
        id integer PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS}');
      CREATE FUNCTION audit_events_append_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head audit_head%ROWTYPE;
      BEGIN
        SELECT * INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
        IF NEW.seq IS DISTINCT FROM head.seq + 1 OR NEW.prev_hash IS DISTINCT FROM head.hash THEN
          RAISE EXCEPTION 'audit_events: a new event must follow the last one (seq = last seq + 1, prev_hash = its hash)';
        END IF;
        UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_events_append_at_head BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_at_head();
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
      END $$;
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

      -- One JSON document per phase: read and written whole; the checks keep the id and the
      -- state inside it honest.
      CREATE TABLE phases (
        phase_id bigint PRIMARY KEY,
        record jsonb NOT NULL CHECK (
          record ->> 'phaseId' = phase_id::text
          AND record ->> 'state' IN ('planned', 'in-progress', 'committed', 'rolled-back')
        )
      );

      CREATE TABLE databases (
        dataset text PRIMARY KEY,
        record jsonb NOT NULL CHECK (
          record ->> 'dataset' = dataset
          AND record ->> 'status' IN ('pending', 'copied', 'verified', 'failed')
        )
      );

      -- One binding per state (id = 1). Kinds are checked by the contract's code. Rebinds
      -- are kept, like the audit log: append-only.
      CREATE TABLE binding (
        id integer PRIMARY KEY CHECK (id = 1),
        migration text NOT NULL CHECK (migration <> ''),
        bound_at text NOT NULL,
        updated_at text NOT NULL
      );
      CREATE TABLE binding_datasets (
        name text COLLATE "C" PRIMARY KEY CHECK (name <> ''),
        kind text NOT NULL CHECK (kind <> ''),
        source text NOT NULL CHECK (source <> ''),
        target text NOT NULL CHECK (target <> '')
      );
      CREATE TABLE binding_rebinds (
        seq bigserial PRIMARY KEY,
        at text NOT NULL,
        reason text NOT NULL CHECK (reason <> ''),
        conflicts jsonb NOT NULL CHECK (jsonb_typeof(conflicts) = 'array')
      );
      CREATE TRIGGER binding_rebinds_no_change BEFORE UPDATE OR DELETE ON binding_rebinds
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
      CREATE TRIGGER binding_rebinds_no_truncate BEFORE TRUNCATE ON binding_rebinds
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

      CREATE TABLE probes (
        target text COLLATE "C" PRIMARY KEY CHECK (target <> ''),
        record jsonb NOT NULL CHECK (record ->> 'target' = target)
      );
    `,
  },
  {
    version: 2,
    description: 'work queue: workers, object leases with fencing tokens, inventory shards, fenced writes, throughput',
    // Times are timestamptz from the database's clock (now()), never a worker's: whoever
    // holds what is decided by one clock. An object's holder and that lease's expiry are on
    // the object's own row: a claim that finds a row locked by another claimer re-checks
    // only that row once the lock is gone (READ COMMITTED), so whatever decides "held" must
    // be on it, or two claimers could take the same object.
    sql: `
      -- One sequence for object and shard leases: a later grant always carries a larger token.
      CREATE SEQUENCE fencing_tokens;

      CREATE TABLE workers (
        worker_id text PRIMARY KEY CHECK (worker_id <> ''),
        host text NOT NULL,
        pid integer NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE object_leases (
        fencing_token bigint PRIMARY KEY,
        lease_id text NOT NULL UNIQUE,
        worker_id text NOT NULL REFERENCES workers,
        dataset text NOT NULL,
        objects integer NOT NULL CHECK (objects > 0),   -- as granted
        granted_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        released_at timestamptz
      );
      -- Leases not released, for the fleet's live and stalled leases.
      CREATE INDEX object_leases_open ON object_leases (expires_at) WHERE released_at IS NULL;

      -- The token of the lease that holds the object (NULL: none, or released), and the
      -- lease's expiry (renewals move both copies). The token stays after the expiry: the
      -- object is claimable again, but until someone claims it, its holder may still write.
      ALTER TABLE objects ADD COLUMN lease_token bigint, ADD COLUMN lease_expires_at timestamptz;
      -- What a claim scans: only objects still to copy, in key order, however many are done.
      CREATE INDEX objects_claimable ON objects (dataset, key) WHERE status IN ('pending', 'failed');
      CREATE INDEX objects_by_lease ON objects (lease_token) WHERE lease_token IS NOT NULL;

      CREATE TABLE shard_plans (
        dataset text NOT NULL,
        inventory_id text NOT NULL,
        planned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dataset, inventory_id)
      );
      CREATE TABLE inventory_shards (
        dataset text NOT NULL,
        inventory_id text NOT NULL,
        prefix text COLLATE "C" NOT NULL,
        worker_id text REFERENCES workers,
        fencing_token bigint,
        expires_at timestamptz,
        completed_at timestamptz,
        PRIMARY KEY (dataset, inventory_id, prefix),
        FOREIGN KEY (dataset, inventory_id) REFERENCES shard_plans ON DELETE CASCADE
      );

      -- One row per write refused by its fencing token: the count, and who was late.
      CREATE TABLE fenced_writes (
        seq bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        worker_id text NOT NULL,
        fencing_token bigint NOT NULL,
        dataset text NOT NULL,
        key text COLLATE "C" NOT NULL
      );

      -- One row per object a worker recorded as copied under a lease: its throughput.
      CREATE TABLE worker_copies (
        seq bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        worker_id text NOT NULL,
        fencing_token bigint NOT NULL,
        bytes bigint NOT NULL
      );
      CREATE INDEX worker_copies_by_time ON worker_copies (at);
    `,
  },
  {
    version: 3,
    description: 'who holds the lock of each phase (the lock itself is a session advisory lock)',
    // Only for the message a refused process prints: the advisory lock decides, and
    // backend_pid lets a reader tell the current holder's row from a dead one's (postgres-leader.ts).
    sql: `
      CREATE TABLE phase_locks (
        phase_id bigint PRIMARY KEY,
        token text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        command text NOT NULL,
        since text NOT NULL,
        backend_pid integer NOT NULL
      );
    `,
  },
];

/** The newest schema version this build knows. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;

/**
 * The advisory lock (one 64-bit key, taken per transaction) under which a process
 * migrates: a second process opening the same database waits, then finds the schema
 * current and does nothing.
 */
export const SCHEMA_LOCK_KEY = 0x636c6f7564657869n; // "cloudexi"

/** OID of `bigint` (int8). */
const INT8_OID = 20;

/**
 * `bigint` read back as a JS number instead of pg's default string: the state's sizes,
 * counts and sequence numbers are whole numbers below 2^53 by contract, and the shared
 * row readers (`./records.ts`) expect numbers, as node:sqlite gives them.
 */
export const PARSE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Runs `fn` in one transaction on one connection of the pool and returns its result; a throw rolls back. */
export type PgTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

/** Transactions on `pool` (READ COMMITTED: every contract takes the row or table locks it needs). */
export function pgTransaction(pool: pg.Pool): PgTransaction {
  return async (fn) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: do not give it back to the pool.
        broken = rollbackError as Error;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  };
}

/**
 * Brings the database to the current schema, once across processes: in one transaction
 * holding the advisory lock `SCHEMA_LOCK_KEY`, it creates `schema_version` if missing,
 * applies the migrations newer than its highest version, in order, and records each.
 * Either every step applies or none does. A database whose schema is newer than this
 * cloudexit's is refused, changing nothing. Returns the versions this call applied (none
 * when another process had already migrated).
 */
export async function migratePostgres(pool: pg.Pool, location: string): Promise<number[]> {
  return pgTransaction(pool)(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
      version integer PRIMARY KEY,
      description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    const current = rows[0]?.v ?? 0;
    if (current > POSTGRES_SCHEMA_VERSION) {
      throw new Error(
        `the state database ${location} has schema version ${current}, newer than this cloudexit's ` +
          `(${POSTGRES_SCHEMA_VERSION}); upgrade cloudexit`,
      );
    }
    const applied: number[] = [];
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_version (version, description) VALUES ($1, $2)', [
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
