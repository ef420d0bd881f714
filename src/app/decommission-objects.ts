/**
 * One object dataset's decommission in a session: full verify of the target, the source
 * listed (and that listing kept as evidence before anything is deleted), the erasure, and the
 * deletion certificate. The adapter (`stores/azure-erase.ts`) is wired here, the one layer
 * that may name it.
 */
import { eraseObjectDataset, listSource, type ListedItem } from '../cutover/decommission-objects.ts';
import type { EngineDataset } from '../engine/context.ts';
import { verifyDataset } from '../engine/verify.ts';
import type { ObjectDataset } from '../plan/schema.ts';
import type { SourceEraser } from '../stores/source-eraser.ts';
import { connectionsFromPlan } from './connections.ts';
import { listingBeforeDeletion, type VerifyAndList } from './decommission-listing.ts';
import type { DatasetOutcome } from './decommission-types.ts';
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
  const listing = await listingBeforeDeletion(
    session,
    dataset.name,
    eraser.description,
    verifyAndList(session, dataset, eraser),
  );
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

/** The target's full verify (a refusal naming the wrong objects), then the source's items. */
function verifyAndList(session: Session, dataset: EngineDataset, eraser: SourceEraser): VerifyAndList {
  return async () => {
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
    const items = await listSource({ eraser, prefix: dataset.sourcePrefix, now: () => session.clock.now() });
    return { verified: { verified: summary.verified, bytes: summary.bytesVerified }, items };
  };
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
