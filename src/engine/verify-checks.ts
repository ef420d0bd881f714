/**
 * What verify compares, object by object. Quick: size, ETag (the one recorded at copy time,
 * and the one the target's ETag rule predicts), every header and user-metadata entry written,
 * the side-car of metadata too large for the target, and the SHA-256 where the target holds
 * it (metadata or tag). Full: all of quick, then the bytes read again and hashed.
 * Metadata names are compared in the target's spelling (RGW turns `_` into `-`).
 */
import { createHash } from 'node:crypto';
import { inStoredSpelling, metadataValue, storedMetadataName } from '../stores/capabilities.ts';
import type { ObjectHeaders, ObjectInfo } from '../stores/object-store.ts';
import type { ObjectRecord } from '../state/contracts/objects.ts';
import { META_SHA256, META_SIDECAR, TAG_SHA256, type EngineContext, type EngineDataset } from './context.ts';
import { retryOptions, withRetry } from './retry.ts';
import { sidecarKey } from './target-meta.ts';

export type MismatchProblem =
  'missing' | 'size' | 'etag' | 'header' | 'metadata' | 'sidecar' | 'sha256-metadata' | 'sha256-tag' | 'sha256';

export interface Mismatch {
  key: string;
  targetKey: string;
  /** What disagrees; `header` and `metadata` name the field in `field`. */
  problem: MismatchProblem;
  /** The header or metadata name, for `header` and `metadata`. */
  field?: string;
  expected: string;
  actual: string;
}

/** The outcome of checking one object: a mismatch, or whether its SHA-256 could be checked on the target. */
export type CheckOutcome = { mismatch: Mismatch } | { mismatch: undefined; sha256Checked: boolean };

const NONE = '(none)';

/** Everything a quick verify checks, from one HEAD (plus the tags or side-car where they hold something). */
export async function checkQuick(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
): Promise<CheckOutcome> {
  const info = await withRetry(
    () => dataset.target.head(record.targetKey),
    retryOptions(ctx, `head ${record.targetKey}`),
  );
  const base = { key: record.key, targetKey: record.targetKey };
  const found = (problem: MismatchProblem, expected: string, actual: string, field?: string): CheckOutcome => ({
    mismatch: { ...base, problem, expected, actual, ...(field ? { field } : {}) },
  });
  if (!info) return found('missing', `${record.size} bytes`, 'no object');
  if (info.size !== record.size) return found('size', String(record.size), String(info.size));
  for (const etag of [record.targetEtag, record.expectedEtag])
    if (etag !== undefined && info.etag !== etag) return found('etag', etag, info.etag);
  const meta = compareMeta(dataset, record, info);
  if (meta) return found(meta.problem, meta.expected, meta.actual, meta.field);
  const sidecar = await checkSidecar(ctx, dataset, record, info);
  if (sidecar) return found('sidecar', sidecar.expected, sidecar.actual);
  return checkSha256(ctx, dataset, record, info, found);
}

/** The headers and metadata written (recorded as canonical JSON) against what the target returns. */
function compareMeta(
  dataset: EngineDataset,
  record: ObjectRecord,
  info: ObjectInfo,
): Omit<Mismatch, 'key' | 'targetKey'> | undefined {
  if (record.targetMeta === undefined) return undefined; // copied by a version that did not record it
  const written = JSON.parse(record.targetMeta) as {
    headers: Partial<Record<keyof ObjectHeaders, string>>;
    metadata: Record<string, string>;
  };
  for (const [name, expected] of Object.entries(written.headers)) {
    const actual = info[name as keyof ObjectHeaders];
    if (actual !== expected) return { problem: 'header', field: name, expected, actual: actual ?? NONE };
  }
  const spelling = dataset.target.capabilities.metadataNames;
  const expected = inStoredSpelling(written.metadata, spelling);
  const sha256Names = new Set([storedMetadataName(META_SHA256, spelling), 'cloudexit_sha256', 'cloudexit-sha256']);
  const actual = Object.fromEntries(Object.entries(info.metadata ?? {}).filter(([name]) => !sha256Names.has(name)));
  for (const name of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (expected[name] !== actual[name])
      return { problem: 'metadata', field: name, expected: expected[name] ?? NONE, actual: actual[name] ?? NONE };
  }
  return undefined;
}

/** The side-car the object references must hold exactly the bytes whose SHA-256 it names. */
async function checkSidecar(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
  info: ObjectInfo,
): Promise<{ expected: string; actual: string } | undefined> {
  const expected = metadataValue(info.metadata, META_SIDECAR);
  if (expected === undefined) return undefined;
  const key = sidecarKey(dataset, record.targetKey);
  const actual = await withRetry(
    async () => {
      const opened = await dataset.target.read(key).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'NotFound') return undefined;
        throw err;
      });
      if (!opened) return 'no side-car object';
      const hash = createHash('sha256');
      for await (const chunk of opened.body as AsyncIterable<Buffer>) hash.update(chunk);
      return hash.digest('hex');
    },
    retryOptions(ctx, `read ${key}`),
  );
  return actual === expected ? undefined : { expected, actual };
}

async function checkSha256(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
  info: ObjectInfo,
  found: (problem: MismatchProblem, expected: string, actual: string) => CheckOutcome,
): Promise<CheckOutcome> {
  const expected = record.sha256 ?? NONE;
  if (record.sha256Carrier === 'none') return { mismatch: undefined, sha256Checked: false };
  if (record.sha256Carrier === 'tag') {
    // Tagged by a run that saw tagging work; a later probe may say otherwise: then it cannot be read here.
    if (!dataset.target.capabilities.tagging) return { mismatch: undefined, sha256Checked: false };
    const tags = await withRetry(
      () => dataset.target.getTags(record.targetKey),
      retryOptions(ctx, `tags of ${record.targetKey}`),
    );
    const actual = tags?.[TAG_SHA256] ?? NONE;
    return actual === expected ? { mismatch: undefined, sha256Checked: true } : found('sha256-tag', expected, actual);
  }
  // In the metadata (also every object copied before the carrier was recorded).
  const actual = metadataValue(info.metadata, META_SHA256) ?? NONE;
  return actual === expected
    ? { mismatch: undefined, sha256Checked: true }
    : found('sha256-metadata', expected, actual);
}

/** Reads the target object again, through the bandwidth limiter, and compares its size and SHA-256 with the record. */
export async function checkBytes(
  ctx: EngineContext,
  dataset: EngineDataset,
  record: ObjectRecord,
): Promise<Mismatch | undefined> {
  const base = { key: record.key, targetKey: record.targetKey };
  const measured = await withRetry(
    async () => {
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
        // Full verify reads as much as the copy did: `--bandwidth` paces it the same way.
        await ctx.bandwidth.take(chunk.byteLength);
        hash.update(chunk);
        size += chunk.byteLength;
        ctx.progress.advance({ bytes: chunk.byteLength });
      }
      return { size, sha256: hash.digest('hex') };
    },
    retryOptions(ctx, `read ${record.targetKey}`),
  );
  if (!measured) return { ...base, problem: 'missing', expected: `${record.size} bytes`, actual: 'no object' };
  if (measured.size !== record.size)
    return { ...base, problem: 'size', expected: String(record.size), actual: String(measured.size) };
  if (measured.sha256 !== record.sha256)
    return { ...base, problem: 'sha256', expected: record.sha256 ?? NONE, actual: measured.sha256 };
  return undefined;
}
