/**
 * One PostgreSQL dataset's decommission in a session: the target verified against the
 * source (row counts, fingerprints, schema) now, after the commit; the source's tables listed
 * and that listing kept; the tables dropped; the certificate with the day the provider's
 * point-in-time-restore backups expire.
 */
import type { DatabaseHandle } from '../databases/operations.ts';
import type { OpenedDatabases } from './databases.ts';
import { listingBeforeDeletion } from './decommission-listing.ts';
import type { DatasetOutcome } from './decommission-types.ts';
import type { Session } from './session.ts';

export async function decommissionDatabase(
  session: Session,
  opened: OpenedDatabases,
  handle: DatabaseHandle,
): Promise<DatasetOutcome> {
  const name = handle.dataset.name;
  const now = () => session.clock.now();
  const header = { migration: session.plan.migration, phase: session.phase!.id, dataset: name };
  const decommission = await import('../databases/decommission.ts');
  // Verified only before the first drop: once tables are gone the source can no longer be compared.
  const listing = await listingBeforeDeletion(session, name, handle.source.label, async () => {
    const { record } = await opened.operations.verifyDatabaseDataset(handle, opened.ops);
    if (record.status !== 'verified') {
      const differences = [
        ...(record.verification?.mismatches ?? []),
        ...(record.verification?.schemaDifferences ?? []),
      ];
      return {
        dataset: name,
        outcome: 'refused',
        reason: `the target failed verification against the source: nothing of dataset ${name} was dropped`,
        keys: differences.slice(0, 50),
      };
    }
    const tables = await decommission.listSourceTables(handle.dataset, handle.source);
    return {
      verified: { verified: tables.length, bytes: tables.reduce((n, t) => n + t.bytes, 0) },
      items: tables.map((t) => ({ key: t.name, kind: 'current', etag: '', size: t.bytes })),
    };
  });
  if ('outcome' in listing) return listing;
  let dropped: Awaited<ReturnType<typeof decommission.dropSourceTables>>;
  try {
    dropped = await decommission.dropSourceTables(handle.dataset, handle.source, now);
  } catch (err) {
    // One transaction: an object outside the dataset depending on a table (a view) stops it whole.
    return {
      dataset: name,
      outcome: 'refused',
      reason: `${err instanceof Error ? err.message : String(err)}: nothing of dataset ${name} was dropped`,
      keys: listing.items.map((i) => i.key).slice(0, 50),
    };
  }
  const goneAt = dropped.remaining.length === 0 ? now().toISOString() : undefined;
  const certificate = {
    document: 'cloudexit deletion certificate' as const,
    ...header,
    kind: 'postgres' as const,
    source: handle.source.label,
    verifiedBeforeDeletion: listing.verifiedBeforeDeletion,
    listedBefore: { listedAt: listing.listedAt, count: listing.items.length, tables: listing.items.map((i) => i.key) },
    deleted: {
      count: listing.items.filter((i) => !dropped.remaining.includes(i.key)).length,
      tables: listing.items.map((i) => i.key).filter((t) => !dropped.remaining.includes(t)),
    },
    remaining: {
      listedAt: now().toISOString(),
      objectsLeftAtSource: dropped.remaining.length,
      tables: dropped.remaining,
      pointInTimeRestoreBackups: {
        retentionDays: decommission.backupRetentionDays(handle.dataset),
        expireAt: dropped.backupsExpireAt,
      },
    },
    goneAt,
    residualUntil: dropped.backupsExpireAt,
  };
  return {
    dataset: name,
    outcome: goneAt ? 'decommissioned' : 'incomplete',
    kind: 'postgres',
    certificate,
    objectsLeftAtSource: dropped.remaining.length,
    residualUntil: dropped.backupsExpireAt,
    goneAt,
  };
}
