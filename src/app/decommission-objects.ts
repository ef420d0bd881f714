/**
 * One object dataset's decommission in a session: full verify of the target, the source
 * listed (and that listing kept as evidence before anything is deleted), the erasure, and the
 * deletion certificate. The adapter (`stores/azure-erase.ts`) is wired here, the one layer
 * that may name it.
 */
import { listingPath, readOwnEvidence, writeEvidence } from '../cutover/decommission-evidence.ts';
import { eraseObjectDataset, listSource, type ListedItem } from '../cutover/decommission-objects.ts';
import type { EngineDataset } from '../engine/context.ts';
import { verifyDataset } from '../engine/verify.ts';
import type { ObjectDataset } from '../plan/schema.ts';
import type { SourceEraser } from '../stores/source-eraser.ts';
import { connectionsFromPlan } from './connections.ts';
import type { DatasetOutcome, ListingDocument, VerifiedBefore } from './decommission-types.ts';
import type { Session } from './session.ts';

/** The eraser of a dataset's source container, from the plan and the session's secrets. */
export async function eraserOf(session: Session, dataset: ObjectDataset): Promise<SourceEraser> {
  const { createAzureEraser } = await import('../stores/azure-erase.ts');
  const { source } = connectionsFromPlan(session.plan.source, session.plan.target, session.env);
  return createAzureEraser({ ...source, container: dataset.source.container });
}

export async function decommissionObjects(
  session: Session,
  dataset: EngineDataset,
  eraser: SourceEraser,
): Promise<DatasetOutcome> {
  const listing = await listingBeforeDeletion(session, dataset, eraser);
  if ('outcome' in listing) return listing;
  const now = () => session.clock.now();
  const erased = await eraseObjectDataset({
    dataset: dataset.name,
    prefix: dataset.sourcePrefix,
    eraser,
    ledger: session.state,
    now,
    signal: session.ctx.signal,
  });
  if (erased.outcome === 'refused') return { dataset: dataset.name, ...erased };
  const goneAt = erased.objectsLeftAtSource === 0 ? now().toISOString() : undefined;
  const stillLive = new Set(erased.remaining.filter((i) => i.kind !== 'deleted').map(identity));
  const certificate = {
    document: 'cloudexit deletion certificate' as const,
    ...headerOf(session, dataset),
    kind: 'objects' as const,
    source: eraser.description,
    // What the provider can keep besides current objects: what this listing had to look for.
    sourceCapabilities: eraser.capabilities,
    verifiedBeforeDeletion: listing.verifiedBeforeDeletion,
    listedBefore: summary(listing.items, listing.listedAt),
    // Items listed before that are no longer there, whichever run (a killed one included) deleted them.
    deleted: summary(listing.items.filter((i) => i.kind !== 'deleted' && !stillLive.has(identity(i)))),
    purged: summary(erased.purged),
    remaining: { ...summary(erased.remaining, now().toISOString()), objectsLeftAtSource: erased.objectsLeftAtSource },
    goneAt,
    residualUntil: erased.residualUntil,
  };
  return {
    dataset: dataset.name,
    outcome: goneAt ? 'decommissioned' : 'incomplete',
    kind: 'objects',
    certificate,
    objectsLeftAtSource: erased.objectsLeftAtSource,
    residualUntil: erased.residualUntil,
    goneAt,
  };
}

function headerOf(session: Session, dataset: EngineDataset) {
  return { migration: session.plan.migration, phase: session.phase!.id, dataset: dataset.name };
}

/**
 * The listing kept from an earlier, interrupted run; otherwise the target verified in full
 * now (a stale verify never opens the way) and the source listed and kept, before anything
 * is deleted. A refusal when the target fails its verify.
 */
async function listingBeforeDeletion(
  session: Session,
  dataset: EngineDataset,
  eraser: SourceEraser,
): Promise<ListingDocument | Extract<DatasetOutcome, { outcome: 'refused' }>> {
  const header = headerOf(session, dataset);
  const document = 'cloudexit source listing before decommission' as const;
  const note = (text: string) => session.ctx.progress.note(`decommission ${dataset.name}: ${text}`);
  const kept = await readOwnEvidence<ListingDocument>(session.evidenceDir, listingPath(dataset.name), {
    document,
    ...header,
  });
  if (kept) {
    note(`resuming from the listing kept at ${kept.listedAt}`);
    return kept;
  }
  const summary = await verifyDataset(session.ctx, dataset, 'full');
  const problems = [...summary.mismatches.map((m) => m.key), ...summary.failed.map((f) => f.key)];
  if (problems.length > 0 || summary.notCopied > 0) {
    return {
      dataset: dataset.name,
      outcome: 'refused',
      reason:
        `the target failed its full verify (${summary.mismatches.length + summary.failed.length} object(s) wrong, ` +
        `${summary.notCopied} not copied): nothing of dataset ${dataset.name} was deleted`,
      keys: problems.slice(0, 50),
    };
  }
  const now = () => session.clock.now().toISOString();
  const verified: VerifiedBefore = {
    mode: 'full',
    runId: session.ctx.runId,
    at: now(),
    verified: summary.verified,
    bytes: summary.bytesVerified,
  };
  const items = await listSource({ eraser, prefix: dataset.sourcePrefix, now: () => session.clock.now() });
  note(`target verified in full (${summary.verified} objects); ${items.length} item(s) listed at the source`);
  const listing: ListingDocument = {
    document,
    ...header,
    source: eraser.description,
    verifiedBeforeDeletion: verified,
    listedAt: now(),
    items,
  };
  const sha256 = await writeEvidence(session.evidenceDir, listingPath(dataset.name), listing);
  await session.audit('decommission-listed', 'succeeded', {
    dataset: dataset.name,
    listing: listingPath(dataset.name),
    listingSha256: sha256,
    items: items.length,
  });
  return listing;
}

function identity(i: ListedItem): string {
  return `${i.kind === 'current' ? 'current' : i.kind}\u0000${i.key}\u0000${i.versionId ?? ''}\u0000${i.snapshot ?? ''}`;
}

function summary(items: readonly ListedItem[], listedAt?: string) {
  return {
    ...(listedAt !== undefined && { listedAt }),
    count: items.length,
    bytes: items.reduce((n, i) => n + i.size, 0),
    items,
  };
}
