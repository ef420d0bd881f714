/**
 * The replication objects of method `logical`: a publication and its slot on the source,
 * a subscription on the target, all named `cloudexit_<dataset>`. Each operation is
 * idempotent (create or adjust what exists, drop what is there), so an interrupted run
 * is simply run again.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { PostgresDataset } from '../plan/schema.ts';
import { redact } from '../secrets/redact.ts';
import type { PgConnection } from './connection.ts';
import { subscriptionConnInfo } from './connection.ts';
import type { TableInfo } from './catalog.ts';
import { quoteIdent, withClient } from './sql.ts';

/**
 * Name of the publication, the subscription and its slot. Slot names allow only lower-case
 * letters, digits and `_`, at most 63 bytes: dashes become `_`, and a long name is cut and
 * made unique again with a short hash.
 */
export function replicationName(dataset: PostgresDataset): string {
  const name = `cloudexit_${dataset.name.replace(/-/g, '_')}`;
  if (name.length <= 63) return name;
  return `${name.slice(0, 54)}_${createHash('sha256').update(dataset.name).digest('hex').slice(0, 8)}`;
}

/** Tables of the publication as `schema.table`, or undefined when there is no such publication. */
export async function publicationTables(client: pg.Client, name: string): Promise<string[] | undefined> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name]);
  if (!rowCount) return undefined;
  const { rows } = await client.query<{ name: string }>(
    `SELECT schemaname || '.' || tablename AS name FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1`,
    [name],
  );
  return rows.map((r) => r.name);
}

/**
 * Creates the publication of exactly `tables`, or sets an existing one to them. Changes of
 * partitions are published as their parent's, which is what the target's schema has.
 */
export async function ensurePublication(client: pg.Client, name: string, tables: readonly TableInfo[]): Promise<void> {
  const list = tables.map((t) => t.quoted).join(', ');
  if (await publicationTables(client, name)) {
    await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
    await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET (publish_via_partition_root = true)`);
  } else {
    await client.query(
      `CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list} WITH (publish_via_partition_root = true)`,
    );
  }
}

/** Drops a replication slot of the source if it exists, ending the walsender that holds it first. */
export async function dropSlot(client: pg.Client, slot: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { rows } = await client.query<{ active_pid: number | null }>(
      'SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1',
      [slot],
    );
    if (rows.length === 0) return;
    if (rows[0]!.active_pid === null) {
      try {
        await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
        return;
      } catch {
        // taken again in between, or already gone: look again
      }
    } else {
      await client.query('SELECT pg_terminate_backend($1, 5000)', [rows[0]!.active_pid]);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `the replication slot ${slot} on the source is still in use and cannot be dropped; end the session that holds it (see pg_replication_slots.active_pid)`,
  );
}

export interface SubscriptionInfo {
  oid: number;
  enabled: boolean;
  publications: string[];
  /** `schema.table` → state (`i` init, `d` copying, `f` copied, `s` synced, `r` ready). */
  relations: Map<string, string>;
}

/** The subscription of the target's current database, or undefined. */
export async function subscriptionInfo(client: pg.Client, name: string): Promise<SubscriptionInfo | undefined> {
  // Not subconninfo: it holds the source's password and is hidden from non-superusers anyway.
  const { rows } = await client.query<{ oid: number; subenabled: boolean; subpublications: string[] }>(
    `SELECT oid, subenabled, subpublications FROM pg_subscription
      WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [name],
  );
  const sub = rows[0];
  if (!sub) return undefined;
  const rels = await client.query<{ name: string; state: string }>(
    `SELECT n.nspname || '.' || c.relname AS name, r.srsubstate AS state
       FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE r.srsubid = $1`,
    [sub.oid],
  );
  return {
    oid: sub.oid,
    enabled: sub.subenabled,
    publications: sub.subpublications,
    relations: new Map(rels.rows.map((r) => [r.name, r.state])),
  };
}

/**
 * Creates the subscription (which copies every table, then streams changes). The connection
 * string, password included, is stored in the target's catalog: that is how PostgreSQL's
 * logical replication works, and why `dropSubscription` runs as soon as the cutover commits.
 */
export async function createSubscription(client: pg.Client, name: string, source: PgConnection): Promise<void> {
  // A failing statement is written to the server log with its text, password included; a
  // superuser (which CREATE SUBSCRIPTION needs before PostgreSQL 16) can turn that off here.
  for (const setting of ['log_min_error_statement = panic', 'log_statement = none']) {
    await client.query(`SET ${setting}`).catch(() => {});
  }
  try {
    await client.query(
      `CREATE SUBSCRIPTION ${quoteIdent(name)} CONNECTION ${client.escapeLiteral(subscriptionConnInfo(source))} PUBLICATION ${quoteIdent(name)} WITH (copy_data = true)`,
    );
  } catch (err) {
    throw new Error(
      redact(
        `creating the subscription ${name} on the target failed: ${err instanceof Error ? err.message : String(err)}`,
      ),
    );
  } finally {
    for (const setting of ['log_min_error_statement', 'log_statement'])
      await client.query(`RESET ${setting}`).catch(() => {});
  }
}

/**
 * Drops the subscription on the target (which drops its slots on the source). When the
 * source cannot be reached or the slot is already gone, the subscription is detached from
 * its slot and dropped anyway, and the source's slots are dropped directly.
 */
export async function dropSubscription(target: PgConnection, source: PgConnection, name: string): Promise<void> {
  const oid = await withClient(target, 'dropping the subscription', async (client) => {
    const info = await subscriptionInfo(client, name);
    if (!info) return undefined;
    try {
      await client.query(`DROP SUBSCRIPTION ${quoteIdent(name)}`);
      return undefined;
    } catch {
      await client.query(`ALTER SUBSCRIPTION ${quoteIdent(name)} DISABLE`);
      await client.query(`ALTER SUBSCRIPTION ${quoteIdent(name)} SET (slot_name = NONE)`);
      await client.query(`DROP SUBSCRIPTION ${quoteIdent(name)}`);
      return info.oid;
    }
  });
  await withClient(source, 'dropping replication slots', async (client) => {
    await dropSlot(client, name);
    if (oid !== undefined) {
      // Table-synchronisation slots of an interrupted initial copy: pg_<subscription oid>_sync_<table oid>_<system id>.
      const { rows } = await client.query<{ slot_name: string }>(
        'SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE $1',
        [`pg\\_${oid}\\_sync\\_%`],
      );
      for (const { slot_name } of rows) await dropSlot(client, slot_name);
    }
  });
}

/** Replication lag of the slot: WAL bytes between the source's current position and what the target confirmed. */
export async function slotLag(client: pg.Client, slot: string): Promise<number | undefined> {
  const { rows } = await client.query<{ lag: string | null }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) AS lag FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  const lag = rows[0]?.lag;
  return lag === undefined || lag === null ? undefined : Math.max(0, Number(lag));
}
