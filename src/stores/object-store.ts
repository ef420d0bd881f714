import type { Readable } from 'node:stream';
import type { CapabilityOverrides, StoreCapabilities } from './capabilities.ts';

/**
 * The one interface the engine uses to talk to any object storage. An instance is
 * bound to one container (Azure) or bucket (S3): keys are full keys inside it.
 *
 * Why multipart is exposed as primitives rather than hidden in `write()`: the engine
 * records every completed part in the state store so that a killed run resumes the same
 * upload from its recorded parts, without ListParts (which not every S3-compatible host
 * implements) and without re-sending a byte.
 */
export interface ObjectStore {
  /** Human label for messages and logs. Never carries a secret (no SAS, no key). */
  readonly description: string;
  /** Size limits of this store's uploads. */
  readonly limits: StoreLimits;
  /**
   * What this store does where stores differ: declared by the adapter, or measured by the
   * probe on the real target (see capabilities.ts). The engine relies on nothing else.
   */
  readonly capabilities: StoreCapabilities;
  /**
   * The same store (same connections) behaving per `capabilities` with `overrides`: how a
   * probe report is applied to an open store, and how the probe tries what the declared
   * capabilities do not grant (tagging, raw non-ASCII metadata). Optional: a wrapper that
   * cannot honour it leaves it out, and the probe then keeps the declared values.
   */
  withCapabilities?(overrides: CapabilityOverrides): ObjectStore;

  /** Every object whose key starts with `prefix`, in the store's listing order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** The object's properties, or `undefined` when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * Opens the object (or `options.range` of it) for reading: the body and the properties
   * from the same response, so copying a small object costs one GET and no HEAD.
   * With `options.ifMatch`, fails with `StoreError` code `PreconditionFailed` when the
   * object's ETag differs: the engine passes the ETag it started from, so an object
   * rewritten at the source during a copy can never produce a target mixing two versions.
   * Throws `StoreError` code `NotFound` for a missing key.
   */
  read(key: string, options?: ReadOptions): Promise<OpenedObject>;

  /**
   * One-shot upload. `md5` is the body's MD5, sent so the store rejects damaged bytes.
   * With `conditions`, sent as HTTP conditions; a store that refuses the write for them
   * throws `StoreError` code `PreconditionFailed`. Whether a store honours them at all is
   * `capabilities.conditionalWrites`: one that does not may write anyway.
   */
  put(
    key: string,
    body: Uint8Array,
    md5: Uint8Array,
    meta: WriteMeta,
    conditions?: WriteConditions,
  ): Promise<WriteResult>;
  /**
   * Starts a multipart upload and returns its id. Headers and metadata are fixed here on S3
   * (`capabilities.metadataAtComplete` false), at completion on Azure.
   */
  createMultipart(key: string, meta: WriteMeta): Promise<string>;
  /**
   * Uploads one part (numbered from 1) and returns its ETag. `md5` is the part's MD5.
   * Throws `StoreError` code `UploadGone` when the upload no longer exists.
   */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, md5: Uint8Array): Promise<string>;
  /**
   * Assembles the recorded parts into the object and returns its ETag (asked with HEAD when
   * the store's answer carries none). `meta` is passed again because some stores (Azure
   * block blobs) set headers and metadata at commit, not at creation. Throws `StoreError`
   * code `UploadGone` when the upload no longer exists.
   */
  completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly CompletedPart[],
    meta: WriteMeta,
  ): Promise<WriteResult>;
  /** Drops an unfinished upload and its parts. Best effort: stores that cannot abort let parts expire. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /**
   * Sets the object's tags (replacing any), without touching its bytes, metadata or ETag:
   * where a multipart object's SHA-256 goes on S3, whose metadata is fixed before the bytes
   * are known. Only where `capabilities.tagging`; elsewhere throws `StoreError` code
   * `NotSupported`.
   */
  putTags(key: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /**
   * The object's tags (empty when it has none), or `undefined` when the object does not
   * exist. Like `putTags`, only where `capabilities.tagging`.
   */
  getTags(key: string): Promise<Record<string, string> | undefined>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;

  /**
   * The ETag this store will report for an object written with these part MD5s (one
   * entry for a one-shot `put`), when that can be computed locally; `undefined` when the
   * store's ETags are opaque. Lets a quick verify prove content without re-downloading.
   */
  expectedEtag(partMd5s: readonly Uint8Array[], multipart: boolean): string | undefined;
}

/** What a listing or a head says about one object. */
export interface ObjectInfo extends ObjectHeaders {
  key: string;
  size: number;
  /** The ETag without surrounding quotes. */
  etag: string;
  /** Hex MD5 of the whole object, when the store holds one (Azure Content-MD5). */
  md5?: string;
  lastModified: Date;
  /** User metadata. Names are lower case. */
  metadata?: Record<string, string>;
}

/** Standard HTTP headers that travel with an object. */
export interface ObjectHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  cacheControl?: string;
}

/** What is written with an object. */
export interface WriteMeta extends ObjectHeaders {
  /**
   * User metadata; names are lower case letters, digits, `-` and `_`. A store may change
   * the spelling of names (`capabilities.metadataNames`), never their values.
   */
  metadata: Record<string, string>;
  /** MD5 of the whole object, when known, for stores that keep one (Azure Content-MD5). */
  md5?: Uint8Array;
}

/** Conditions of a write, each only where `capabilities.conditionalWrites` grants it. */
export interface WriteConditions {
  /** Only if no object exists under the key (`If-None-Match: *`). */
  ifNoneMatch?: '*';
  /** Only if the object under the key has this ETag (without quotes). */
  ifMatch?: string;
}

export interface WriteResult {
  /** The ETag without surrounding quotes. */
  etag: string;
  /**
   * Where `etag` came from: the store's answer to the write, or a HEAD after it because the
   * answer carried none (RGW 16.2's CompleteMultipartUpload). What the probe measures as
   * `capabilities.etag.reportedAtComplete`.
   */
  etagSource?: 'response' | 'head';
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export interface ReadOptions {
  /** Only these bytes. */
  range?: ByteRange;
  /** Only if the object still has this ETag (without quotes). */
  ifMatch?: string;
}

export interface OpenedObject {
  /** The bytes (of the range, when one was asked for). */
  body: Readable;
  /**
   * The object's properties as the same response reported them. `size` is the whole
   * object's size even for a range; `md5` only when the whole object was read.
   */
  info: ObjectInfo;
}

/** `length` bytes from `offset`. */
interface ByteRange {
  offset: number;
  length: number;
}

export interface StoreLimits {
  /** Most parts in one multipart upload. */
  maxParts: number;
  /** Smallest part except the last one. */
  minPartSize: number;
  /** Largest part. */
  maxPartSize: number;
}
