/**
 * One PostgreSQL dataset's decommission in a session: the target verified against the
 * source (row counts, fingerprints, schema) now, after the commit; the source's tables listed
 * and that listing kept; the tables dropped; the certificate with the day the provider's
 * point-in-time-restore backups expire.
 */
import { listingPath, readOwnEvidence, writeEvidence } from '../cutover/decommission-evidence.ts';
import type { ListedItem } from '../cutover/decommission-objects.ts';
import type { DatabaseHandle } from '../databases/operations.ts';
import type { OpenedDatabases } from './databases.ts';
import type { DatasetOutcome, ListingDocument } from './decommission-types.ts';
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
  let listing = await readOwnEvidence<ListingDocument>(session.evidenceDir, listingPath(name), {
    document: 'cloudexit source listing before decommission',
    ...header,
  });
  // Verified only before the first drop: once tables are gone the source can no longer be compared.
  if (!listing) {
    const { record } = await opened.operations.verifyDatabaseDataset(handle, opened.ops);
    if (record.status !== 'verified') {
      return {
        dataset: name,
        outcome: 'refused',
        reason: `the target failed verification against the source: nothing of dataset ${name} was dropped`,
        keys: [...(record.verification?.mismatches ?? []), ...(record.verification?.schemaDifferences ?? [])].slice(
          0,
          50,
        ),
      };
    }
    const tables = await decommission.listSourceTables(handle.dataset, handle.source);
    const items: ListedItem[] = tables.map((t) => ({ key: t.name, kind: 'current', etag: '', size: t.bytes }));
    listing = {
      document: 'cloudexit source listing before decommission',
      ...header,
      source: handle.source.label,
      verifiedBeforeDeletion: {
        mode: 'full',
        runId: session.ctx.runId,
        at: now().toISOString(),
        verified: tables.length,
        bytes: tables.reduce((n, t) => n + t.bytes, 0),
      },
      listedAt: now().toISOString(),
      items,
    };
    const sha256 = await writeEvidence(session.evidenceDir, listingPath(name), listing);
    await session.audit('decommission-listed', 'succeeded', {
      dataset: name,
      listing: listingPath(name),
      listingSha256: sha256,
      items: items.length,
    });
  }
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
