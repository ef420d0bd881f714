/**
 * Proves that the target holds what was copied.
 *
 * `quick` asks the target for each object's properties only: size, the ETag recorded at
 * copy time, the ETag computed locally from the MD5 of the bytes sent (where the target's
 * ETags are MD5s), and the SHA-256 stored in its metadata. No byte is downloaded.
 * `full` re-reads every target object and re-computes its SHA-256.
 *
 * A mismatch marks the object `failed`, so the next `copy` repairs it.
 */
import { createHash } from 'node:crypto';
import PQueue from 'p-queue';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import { META_SHA256, type EngineContext, type EngineDataset } from './context.ts';
import { retryOptions, withRetry } from './retry.ts';

export type VerifyMode = 'quick' | 'full';

interface Mismatch {
  key: string;
  targetKey: string;
  /** What disagrees: `missing`, `size`, `etag`, `sha256-metadata`, `sha256`. */
  problem: 'missing' | 'size' | 'etag' | 'sha256-metadata' | 'sha256';
  expected: string;
  actual: string;
}

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
}

export interface VerifyOptions {
  /** Only objects in these states. @default ['copied', 'verified'] */
  statuses?: readonly ('copied' | 'verified')[];
}

export async function verifyDataset(ctx: EngineContext, dataset: EngineDataset, mode: VerifyMode, options: VerifyOptions = {}): Promise<VerifySummary> {
  const statuses = options.statuses ?? ['copied', 'verified'];
  const counts = await ctx.state.countObjects(dataset.name);
  const summary: VerifySummary = {
    dataset: dataset.name, mode, checked: 0, verified: 0, bytesVerified: 0, mismatches: [],
    notCopied: counts.pending.objects + counts.failed.objects,
  };
  const total = {
    objects: statuses.reduce((n, status) => n + counts[status].objects, 0),
    bytes: statuses.reduce((n, status) => n + counts[status].bytes, 0),
  };
  ctx.progress.start(`verify ${mode} ${dataset.name}`, mode === 'full' ? total : { objects: total.objects, bytes: 0 });
  const queue = new PQueue({ concurrency: ctx.limits.concurrency });
  for await (const record of ctx.state.iterateObjects(dataset.name, statuses)) {
    if (ctx.signal?.aborted) break;
    await queue.onSizeLessThan(ctx.limits.concurrency);
    void queue.add(async () => {
      const mismatch = mode === 'quick' ? await checkQuick(ctx, dataset, record) : await checkFull(ctx, dataset, record);
      summary.checked++;
      if (mismatch) {
        summary.mismatches.push(mismatch);
        await ctx.state.updateObject(dataset.name, record.key, {
          status: 'failed', verifiedAt: undefined, verifiedMode: undefined,
          lastError: `verify ${mode}: ${mismatch.problem} differs (expected ${mismatch.expected}, found ${mismatch.actual})`,
        });
      } else {
        summary.verified++;
        summary.bytesVerified += record.size;
        // A quick pass never downgrades an object a full pass already proved.
        const verifiedMode = mode === 'quick' && record.verifiedMode === 'full' ? 'full' : mode;
        await ctx.state.updateObject(dataset.name, record.key, { status: 'verified', verifiedAt: new Date().toISOString(), verifiedMode });
      }
      ctx.progress.advance({ objects: 1 });
    });
  }
  await queue.onIdle();
  ctx.progress.stop();
  summary.mismatches.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return summary;
}

async function checkQuick(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<Mismatch | undefined> {
  const info = await withRetry(() => dataset.target.head(record.targetKey), retryOptions(ctx, `head ${record.targetKey}`));
  const base = { key: record.key, targetKey: record.targetKey };
  if (!info) return { ...base, problem: 'missing', expected: `${record.size} bytes`, actual: 'no object' };
  if (info.size !== record.size) return { ...base, problem: 'size', expected: String(record.size), actual: String(info.size) };
  if (record.targetEtag !== undefined && info.etag !== record.targetEtag) {
    return { ...base, problem: 'etag', expected: record.targetEtag, actual: info.etag };
  }
  if (record.expectedEtag !== undefined && info.etag !== record.expectedEtag) {
    return { ...base, problem: 'etag', expected: record.expectedEtag, actual: info.etag };
  }
  const stored = info.metadata?.[META_SHA256];
  if (stored !== record.sha256) return { ...base, problem: 'sha256-metadata', expected: record.sha256 ?? '(none)', actual: stored ?? '(none)' };
  return undefined;
}

async function checkFull(ctx: EngineContext, dataset: EngineDataset, record: ObjectRecord): Promise<Mismatch | undefined> {
  const base = { key: record.key, targetKey: record.targetKey };
  const measured = await withRetry(async () => {
    let opened;
    try {
      opened = await dataset.target.read(record.targetKey);
    } catch (err) {
      if ((err as { code?: string }).code === 'NotFound') return undefined;
      throw err;
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of opened.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.byteLength;
      ctx.progress.advance({ bytes: chunk.byteLength });
    }
    return { size, sha256: hash.digest('hex') };
  }, retryOptions(ctx, `read ${record.targetKey}`));
  if (!measured) return { ...base, problem: 'missing', expected: `${record.size} bytes`, actual: 'no object' };
  if (measured.size !== record.size) return { ...base, problem: 'size', expected: String(record.size), actual: String(measured.size) };
  if (measured.sha256 !== record.sha256) return { ...base, problem: 'sha256', expected: record.sha256 ?? '(none)', actual: measured.sha256 };
  return undefined;
}
