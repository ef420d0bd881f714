/**
 * Proves that the target holds what was copied (verify-checks.ts says what each mode
 * compares). `quick` downloads no object's bytes; `full` checks everything quick does, then
 * re-reads every object and re-computes its SHA-256, so it is a superset of quick.
 *
 * A mismatch marks the object `failed`, so the next `copy` repairs it: bytes, headers and
 * metadata are written again.
 */
import type { ObjectRecord } from '../state/contracts/objects.ts';
import type { EngineContext, EngineDataset } from './context.ts';
import { checkBytes, checkQuick, type Mismatch } from './verify-checks.ts';
import { forEachBounded } from './bounded.ts';

export type VerifyMode = 'quick' | 'full';

/** Failed objects named by one verify: enough to act on, bounded for a dataset of millions. */
export const MAX_NAMED_FAILURES = 1000;
export type { Mismatch } from './verify-checks.ts';

export interface VerifySummary {
  dataset: string;
  mode: VerifyMode;
  /** Objects checked on the target. */
  checked: number;
  verified: number;
  bytesVerified: number;
  mismatches: Mismatch[];
  /** Objects known at the source but not (successfully) copied yet: nothing to verify. */
  notCopied: number;
  /**
   * The objects that could not be verified because they stand failed (a copy that failed, or
   * a mismatch found by an earlier verify and not repaired yet), by key with the reason: every
   * verify names them until a copy repairs them. At most {@link MAX_NAMED_FAILURES}.
   */
  failed: { key: string; error: string }[];
  /**
   * Objects whose SHA-256 the target cannot hold (no tagging, metadata fixed before the
   * bytes): quick verify could not check it there; the state and the manifest carry it, and
   * a full verify re-hashes the bytes.
   */
  sha256NotOnTarget: string[];
}

export interface VerifyOptions {
  /** Only objects in these states. @default ['copied', 'verified'] */
  statuses?: readonly ('copied' | 'verified')[];
}

export async function verifyDataset(
  ctx: EngineContext,
  dataset: EngineDataset,
  mode: VerifyMode,
  options: VerifyOptions = {},
): Promise<VerifySummary> {
  const statuses = options.statuses ?? ['copied', 'verified'];
  const counts = await ctx.state.countObjects(dataset.name);
  const summary: VerifySummary = {
    dataset: dataset.name,
    mode,
    checked: 0,
    verified: 0,
    bytesVerified: 0,
    mismatches: [],
    sha256NotOnTarget: [],
    failed: [],
    notCopied: counts.pending.objects + counts.failed.objects,
  };
  const total = {
    objects: statuses.reduce((n, status) => n + counts[status].objects, 0),
    bytes: statuses.reduce((n, status) => n + counts[status].bytes, 0),
  };
  ctx.progress.start(`verify ${mode} ${dataset.name}`, mode === 'full' ? total : { objects: total.objects, bytes: 0 });
  await forEachBounded(
    ctx.state.iterateObjects(dataset.name, statuses),
    async (record) => {
      const mismatch = await checkObject(ctx, dataset, record, mode, summary);
      summary.checked++;
      if (mismatch) {
        summary.mismatches.push(mismatch);
        await ctx.state.updateObject(dataset.name, record.key, {
          status: 'failed',
          verifiedAt: undefined,
          verifiedMode: undefined,
          lastError: `verify ${mode}: ${describeProblem(mismatch)} differs (expected ${mismatch.expected}, found ${mismatch.actual})`,
        });
      } else {
        summary.verified++;
        summary.bytesVerified += record.size;
        // A quick pass never downgrades an object a full pass already proved.
        const verifiedMode = mode === 'quick' && record.verifiedMode === 'full' ? 'full' : mode;
        await ctx.state.updateObject(dataset.name, record.key, {
          status: 'verified',
          verifiedAt: new Date().toISOString(),
          verifiedMode,
        });
      }
      ctx.progress.advance({ objects: 1 });
    },
    { concurrency: ctx.limits.concurrency, stop: () => ctx.signal?.aborted === true },
  );
  ctx.progress.stop();
  for await (const record of ctx.state.iterateObjects(dataset.name, ['failed'])) {
    if (summary.failed.length >= MAX_NAMED_FAILURES) break;
    // Those this pass just found are already among the mismatches.
    if (!summary.mismatches.some((m) => m.key === record.key))
      summary.failed.push({ key: record.key, error: record.lastError ?? 'failed' });
  }
  summary.mismatches.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return summary;
}

/** Quick's checks, then (full) the bytes. */
async function checkObject(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
  mode: VerifyMode,
  summary: VerifySummary,
): Promise<Mismatch | undefined> {
  const quick = await checkQuick(ctx, dataset, record);
  if (quick.mismatch) return quick.mismatch;
  if (!quick.sha256Checked && mode === 'quick') summary.sha256NotOnTarget.push(record.targetKey);
  return mode === 'full' ? checkBytes(ctx, dataset, record) : undefined;
}

/** `metadata patient-id`, `header contentType`, `sha256-tag`, … */
export function describeProblem(mismatch: Mismatch): string {
  return mismatch.field ? `${mismatch.problem} ${mismatch.field}` : mismatch.problem;
}
