/**
 * What a store does where object stores differ, as data (rclone's `Features`): the engine
 * asks these instead of knowing S3, RGW, OVHcloud or Azure. Each adapter declares what its
 * protocol guarantees; `probeStore` (probe.ts) measures them on the real target, and what
 * was measured replaces what was declared. Nothing in the copy path may rely on a behaviour
 * a capability does not grant: an unknown answer is always the conservative one.
 */
import { encodeMetadata } from './metadata-encoding.ts';

/** How a store computes the ETag of an object. */
export type SingleEtagRule = 'md5' | 'opaque';
/**
 * `part-md5s`: MD5 of the concatenated binary part MD5s, then `-N` (AWS S3, Ceph RGW);
 * `whole-md5`: the whole object's MD5 (s3rver); `opaque`: anything else (Azure, SSE-KMS).
 */
export type MultipartEtagRule = 'part-md5s' | 'whole-md5' | 'opaque';

/**
 * How user-metadata names come back: `kept` as written (lower-cased), with every `_` turned
 * into `-` (Ceph RGW), or with every `-` turned into `_` (the Azure adapter: Azure names are
 * C# identifiers, so it writes hyphens as underscores). cloudexit writes its own names with
 * hyphens, which every S3 implementation keeps, and compares names in the target's spelling.
 */
export type MetadataNameSpelling = 'kept' | 'underscore-to-hyphen' | 'hyphen-to-underscore';

export interface StoreCapabilities {
  etag: {
    /** ETag of a one-shot PUT. */
    single: SingleEtagRule;
    /** ETag of a completed multipart upload. */
    multipart: MultipartEtagRule;
    /** CompleteMultipartUpload answers the object's ETag (RGW 16.2 answers an empty one: the adapter then asks HEAD). */
    reportedAtComplete: boolean;
  };
  /** A body whose Content-MD5 does not match is refused (BadDigest) rather than stored. */
  checksContentMd5: boolean;
  metadataNames: MetadataNameSpelling;
  /**
   * Bytes of user metadata (names and values, as sent: see `sentMetadataBytes`) one object
   * may carry. AWS S3: 2 KiB; Azure: 8 KiB; the probe tries up to 12 KiB.
   */
  metadataLimitBytes: number;
  /** Metadata values may hold non-ASCII characters as they are; otherwise they are encoded (RFC 2047). */
  metadataValuesUtf8: boolean;
  /** Object tags can be set and read after an object exists, whatever its size: where a multipart object's SHA-256 goes. */
  tagging: boolean;
  /** Headers and user metadata are set when a multipart upload completes (Azure block lists), not when it starts (S3). */
  metadataAtComplete: boolean;
  /** Whether `x-amz-checksum-sha256` on a PUT is verified by the store: `ignored` (RGW 16.2 accepts wrong values), `checked`, `unknown`. */
  checksumSha256: 'checked' | 'ignored' | 'unknown';
  /**
   * The answers, per operation, that mean a multipart upload no longer exists at the store
   * (aborted, or expired by a lifecycle rule): error codes (`NoSuchUpload`), or `status:NNN`
   * for an answer with no usable code. The adapter turns them into the neutral `StoreError`
   * code `UploadGone`. A server error (5xx) proves nothing by itself: on `uploadPart` and
   * `complete` such an answer is only reported gone when ListParts confirms it (RGW 16.2
   * answers 500 to Complete after an abort), and on `listParts` it never counts; where
   * ListParts cannot tell (s3rver answers 405), it stays a plain retriable error.
   */
  uploadGone: { listParts: readonly string[]; uploadPart: readonly string[]; complete: readonly string[] };
  /**
   * A one-shot PUT carrying a condition is refused (`StoreError` code `PreconditionFailed`)
   * instead of applied when the condition fails, and applied when it holds: `ifNoneMatch`,
   * `If-None-Match: *` on a key that exists; `ifMatch`, `If-Match: <ETag>` (the ETag as
   * `ObjectInfo.etag` gives it) on a key holding another ETag, or none. Where granted, the
   * overwrite guard lets the target refuse the write instead of asking HEAD first
   * (overwrite-guard.ts). Measured by the probe: s3rver ignores both; RGW 16.2 honours both
   * on PUT (If-Match only unquoted) and neither on CompleteMultipartUpload, which is why
   * multipart uploads keep their HEAD.
   */
  conditionalWrites: { ifNoneMatch: boolean; ifMatch: boolean };
}

/**
 * What an adapter option or a probe report changes in the declared capabilities: any field,
 * and inside `etag`, `uploadGone` and `conditionalWrites` any sub-field (a `Partial<StoreCapabilities>` fits).
 */
export type CapabilityOverrides = {
  [K in keyof StoreCapabilities]?: StoreCapabilities[K] extends readonly unknown[] | string | number | boolean
    ? StoreCapabilities[K]
    : Partial<StoreCapabilities[K]>;
};

/** `base` with `overrides` applied, one level deep for `etag`, `uploadGone` and `conditionalWrites`. */
export function mergeCapabilities(
  base: StoreCapabilities,
  overrides: CapabilityOverrides | undefined,
): StoreCapabilities {
  if (!overrides) return base;
  const { etag, uploadGone, conditionalWrites, ...flat } = overrides;
  const defined = Object.fromEntries(
    Object.entries(flat).filter(([, value]) => value !== undefined),
  ) as Partial<StoreCapabilities>;
  return {
    ...base,
    ...defined,
    etag: { ...base.etag, ...withoutUndefined(etag) },
    uploadGone: { ...base.uploadGone, ...withoutUndefined(uploadGone) },
    conditionalWrites: { ...base.conditionalWrites, ...withoutUndefined(conditionalWrites) },
  };
}

function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  return value ? (Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>) : {};
}

/** How an answer is written in `uploadGone`: the store's error code, else `status:NNN`. */
export function answerOf(failure: { storeCode?: string | undefined; status?: number | undefined }): string {
  return failure.storeCode ?? (failure.status !== undefined ? `status:${failure.status}` : 'no answer');
}

/** Whether an answer (the store's code and HTTP status) is one of `answers` (codes or `status:NNN`). */
export function isListedAnswer(
  answers: readonly string[],
  failure: { storeCode?: string | undefined; status?: number | undefined },
): boolean {
  return (
    (failure.storeCode !== undefined && answers.includes(failure.storeCode)) ||
    (failure.status !== undefined && answers.includes(`status:${failure.status}`))
  );
}

/** How a capability came to be known: declared by the adapter, or measured by the probe. */
export type CapabilitySource = 'declared' | 'probed';

/**
 * The user-metadata name `name` becomes on a store with this spelling: how the engine
 * compares what it wrote with what the store returns.
 */
export function storedMetadataName(name: string, spelling: MetadataNameSpelling): string {
  const lower = name.toLowerCase();
  if (spelling === 'underscore-to-hyphen') return lower.replace(/_/g, '-');
  if (spelling === 'hyphen-to-underscore') return lower.replace(/-/g, '_');
  return lower;
}

/** `metadata` with every name spelt as a store with `spelling` returns it. */
export function inStoredSpelling(
  metadata: Readonly<Record<string, string>>,
  spelling: MetadataNameSpelling,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).map(([name, value]) => [storedMetadataName(name, spelling), value]),
  );
}

/** The metadata value of `name` in either spelling: objects written by earlier versions used `_`. */
export function metadataValue(
  metadata: Readonly<Record<string, string>> | undefined,
  name: string,
): string | undefined {
  if (!metadata) return undefined;
  return metadata[name] ?? metadata[name.replace(/-/g, '_')] ?? metadata[name.replace(/_/g, '-')];
}

/**
 * Bytes that `metadata` occupies as the adapter sends it to a store with these capabilities:
 * values a header cannot carry (not ASCII, edge spaces, `=?`) are RFC 2047 encoded-words
 * first, which makes them longer (`é`: 2 bytes, sent as 16). What to compare with
 * `metadataLimitBytes`.
 */
export function sentMetadataBytes(
  metadata: Readonly<Record<string, string>>,
  capabilities: Pick<StoreCapabilities, 'metadataValuesUtf8'>,
): number {
  return metadataBytes(capabilities.metadataValuesUtf8 ? metadata : encodeMetadata(metadata));
}

/** Bytes that `metadata` occupies against a store's limit: names and values, UTF-8. */
export function metadataBytes(metadata: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}
