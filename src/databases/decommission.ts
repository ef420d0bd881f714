/**
 * Decommissioning a PostgreSQL dataset at the source: its migrated tables (those the plan's
 * scope selects: `schemas`, `tables`, `excludeTables`) are dropped in one read-write
 * transaction (the freeze left the source read-only by default), the catalog is read again to
 * prove none is left, and the date the provider's point-in-time-restore backups expire is
 * computed from the plan's `backupRetentionDays`: until then the data still exists in the
 * provider's backups, and the certificate says so.
 *
 * `DROP TABLE … RESTRICT`: an object outside the dataset that depends on a table (a view in
 * another schema) stops the drop, with PostgreSQL's message, rather than being dropped with
 * it; nothing is dropped then (one transaction).
 */
import type { PostgresDataset } from '../plan/schema.ts';
import { listTables } from './catalog.ts';
import type { PgConnection } from './connection.ts';
import { databaseError, withClient } from './sql.ts';

/** Azure Database for PostgreSQL's default backup retention, when the plan does not say. */
export const DEFAULT_BACKUP_RETENTION_DAYS = 7;

const DAY_MS = 86_400_000;

/** Days the source's provider keeps backups: the plan's `backupRetentionDays`, else Azure's default. */
export function backupRetentionDays(dataset: Pick<PostgresDataset, 'backupRetentionDays'>): number {
  return dataset.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS;
}

export interface DroppedTables {
  /** `schema.table` of each table found before the drop. */
  listedBefore: { name: string; bytes: number }[];
  /** Tables this run dropped. */
  dropped: string[];
  /** Tables of the scope still at the source after the drop (none when done). */
  remaining: string[];
  /** ISO 8601: when the provider's last backup holding the data expires. */
  backupsExpireAt: string;
}

/** Drops the dataset's tables at the source and lists the scope again. */
export async function dropSourceTables(
  dataset: PostgresDataset,
  source: PgConnection,
  now: () => Date,
): Promise<DroppedTables> {
  return withClient(source, 'dropping the migrated tables', async (client) => {
    const before = await listTables(client, dataset);
    try {
      if (before.length > 0) {
        await client.query('BEGIN READ WRITE');
        await client.query(`DROP TABLE ${before.map((t) => t.quoted).join(', ')} RESTRICT`);
        await client.query('COMMIT');
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw databaseError(source.label, `dropping ${before.length} table(s) of ${dataset.name}`, err);
    }
    const after = await listTables(client, dataset);
    const droppedAt = now();
    return {
      listedBefore: before.map((t) => ({ name: t.name, bytes: t.bytes })),
      dropped: before.filter((t) => !after.some((a) => a.name === t.name)).map((t) => t.name),
      remaining: after.map((t) => t.name),
      backupsExpireAt: new Date(droppedAt.getTime() + backupRetentionDays(dataset) * DAY_MS).toISOString(),
    };
  });
}

/** The tables of the dataset's scope at the source, for the listing taken before anything is dropped. */
export async function listSourceTables(
  dataset: PostgresDataset,
  source: PgConnection,
): Promise<{ name: string; bytes: number }[]> {
  return withClient(source, 'listing the migrated tables', async (client) =>
    (await listTables(client, dataset)).map((t) => ({ name: t.name, bytes: t.bytes })),
  );
}
