/**
 * The listing a dataset's decommission keeps before it deletes anything, the same for object
 * and PostgreSQL datasets: the one an earlier, interrupted run kept (so the certificate tells
 * what was there at the start, and a source already half deleted is never verified against
 * the target again), or else the target verified now, after the commit, and the source listed,
 * written to the evidence folder and its SHA-256 appended to the audit log.
 */
import { listingPath, readOwnEvidence, writeEvidence } from '../cutover/decommission-evidence.ts';
import type { ListedItem } from '../cutover/decommission-objects.ts';
import type { DatasetOutcome, ListingDocument, VerifiedBefore } from './decommission-types.ts';
import type { Session } from './session.ts';

export type Refusal = Extract<DatasetOutcome, { outcome: 'refused' }>;

/** What a fresh listing is made of: the target's verify, then the source's items; or why not. */
export type VerifyAndList = () => Promise<
  Refusal | { verified: Omit<VerifiedBefore, 'mode' | 'runId' | 'at'>; items: ListedItem[] }
>;

export async function listingBeforeDeletion(
  session: Session,
  dataset: string,
  source: string,
  verifyAndList: VerifyAndList,
): Promise<ListingDocument | Refusal> {
  const document = 'cloudexit source listing before decommission' as const;
  const header = { migration: session.plan.migration, phase: session.phase!.id, dataset };
  const note = (text: string) => session.ctx.progress.note(`decommission ${dataset}: ${text}`);
  const kept = await readOwnEvidence<ListingDocument>(session.evidenceDir, listingPath(dataset), {
    document,
    ...header,
  });
  if (kept) {
    note(`resuming from the listing kept at ${kept.listedAt}`);
    return kept;
  }
  const verifiedAt = session.clock.now().toISOString();
  const fresh = await verifyAndList();
  if ('outcome' in fresh) return fresh;
  note(`target verified in full (${fresh.verified.verified}); ${fresh.items.length} item(s) listed at the source`);
  const listing: ListingDocument = {
    document,
    ...header,
    source,
    verifiedBeforeDeletion: { mode: 'full', runId: session.ctx.runId, at: verifiedAt, ...fresh.verified },
    listedAt: session.clock.now().toISOString(),
    items: fresh.items,
  };
  const sha256 = await writeEvidence(session.evidenceDir, listingPath(dataset), listing);
  await session.audit('decommission-listed', 'succeeded', {
    dataset,
    listing: listingPath(dataset),
    listingSha256: sha256,
    items: fresh.items.length,
  });
  return listing;
}
