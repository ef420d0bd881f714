/**
 * What method `logical` needs of both servers, checked without changing anything; each
 * problem is a sentence that says how to fix it, Azure's and OVHcloud's ways included.
 */
import type pg from 'pg';
import type { PostgresDataset } from '../plan/schema.ts';
import { listTables } from './catalog.ts';
import { serverMajor } from './moved-objects.ts';

/** Tables without a primary key: their UPDATEs and DELETEs cannot be replicated. */
export function withoutPrimaryKeyProblem(dataset: PostgresDataset, tables: readonly string[]): string {
  return (
    `${tables.length} table${tables.length > 1 ? 's have' : ' has'} no primary key, which method logical needs to replicate updates and deletes: ${tables.join(', ')}; ` +
    `fix: add a primary key to ${tables.length > 1 ? 'each' : 'it'}, or move dataset ${dataset.name} with method dump-restore ` +
    `(listing ${tables.length > 1 ? 'them' : 'it'} in excludeTables leaves ${tables.length > 1 ? 'them' : 'it'} behind)`
  );
}

const setting = async (client: pg.Client, name: string) =>
  (await client.query<{ v: string }>('SELECT current_setting($1) AS v', [name])).rows[0]!.v;

/**
 * Source: `wal_level = logical`, a user allowed to replicate and to publish the tables (it
 * must own them), and free replication slots and WAL senders: one for the subscription
 * plus one per table being copied at once (`max_sync_workers_per_subscription`, 2 by default).
 */
export async function logicalSourceProblems(
  client: pg.Client,
  dataset: PostgresDataset,
  slot: string,
): Promise<string[]> {
  const problems: string[] = [];
  const walLevel = await setting(client, 'wal_level');
  if (walLevel !== 'logical') {
    problems.push(
      `wal_level is ${walLevel} on the source; logical replication needs logical; fix: set the server parameter wal_level = logical and restart ` +
        `(Azure Database for PostgreSQL flexible server: server parameter wal_level, or azure.replication_support = logical on older servers, then restart)`,
    );
  }
  const {
    rows: [role],
  } = await client.query<{ name: string; rolsuper: boolean; rolreplication: boolean }>(
    'SELECT rolname AS name, rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user',
  );
  if (role && !role.rolsuper && !role.rolreplication) {
    problems.push(
      `the source user ${role.name} has neither the REPLICATION attribute nor superuser; fix: ALTER ROLE "${role.name}" WITH REPLICATION ` +
        `(Azure flexible server: run it as the administrator, a member of azure_pg_admin, once replication support is enabled)`,
    );
  }
  const tables = await listTables(client, dataset);
  if (role && !role.rolsuper) {
    const { rows } = await client.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = ANY($1::regclass[]) AND NOT pg_has_role(c.relowner, 'USAGE')`,
      [tables.map((t) => t.quoted)],
    );
    if (rows.length > 0) {
      problems.push(
        `the source user ${role.name} does not own ${rows.map((r) => r.name).join(', ')}, and CREATE PUBLICATION … FOR TABLE needs ownership; fix: GRANT the owning role to ${role.name}, or connect as the owner`,
      );
    }
  }
  const need = 1 + Math.min(2, Math.max(1, tables.length));
  const {
    rows: [used],
  } = await client.query<{ slots: string; senders: string }>(
    `SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name <> $1) AS slots,
            (SELECT count(*) FROM pg_stat_replication WHERE application_name <> $1) AS senders`,
    [slot],
  );
  const maxSlots = Number(await setting(client, 'max_replication_slots'));
  const maxSenders = Number(await setting(client, 'max_wal_senders'));
  if (maxSlots - Number(used!.slots) < need) {
    problems.push(
      `the source has ${maxSlots - Number(used!.slots)} free replication slots of ${maxSlots}; the subscription needs ${need} during its initial copy; fix: raise max_replication_slots (restart) or drop unused slots (pg_replication_slots)`,
    );
  }
  if (maxSenders - Number(used!.senders) < need) {
    problems.push(
      `the source has ${maxSenders - Number(used!.senders)} free WAL senders of ${maxSenders}; the subscription needs ${need} during its initial copy; fix: raise max_wal_senders (restart)`,
    );
  }
  return problems;
}

/** Target: a user allowed to CREATE SUBSCRIPTION (superuser, or pg_create_subscription from PostgreSQL 16). */
export async function logicalTargetProblems(client: pg.Client): Promise<string[]> {
  const major = await serverMajor(client);
  const {
    rows: [role],
  } = await client.query<{ name: string; rolsuper: boolean; can: boolean }>(
    `SELECT rolname AS name, rolsuper,
            CASE WHEN $1::int >= 16 AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_create_subscription')
                 THEN pg_has_role('pg_create_subscription', 'MEMBER') ELSE false END AS can
       FROM pg_roles WHERE rolname = current_user`,
    [major],
  );
  if (role && !role.rolsuper && !role.can) {
    return [
      `the target user ${role.name} may not CREATE SUBSCRIPTION (it needs superuser${major >= 16 ? ', or membership of pg_create_subscription' : ' before PostgreSQL 16'}); ` +
        `fix: use the managed service's way of creating subscriptions for that user, or method dump-restore`,
    ];
  }
  return [];
}
