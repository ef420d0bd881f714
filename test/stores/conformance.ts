/**
 * The one suite every ObjectStore adapter must pass, against a real server (the rclone
 * `fstests` idea). Where stores differ, the suite asks the adapter's own
 * `store.capabilities` (what the engine asks too) and asserts the behaviour both ways, so
 * a capability that says more or less than the server does fails a test. What only a test
 * server lacks (s3rver's gaps), and the engine never asks, is a named flag below, asserted
 * both ways too: if the server gains the behaviour, the test fails and the flag must flip.
 */
import { describe } from 'vitest';
import type { Fault } from '../support/fault-proxy.ts';
import type { StoreUnderTest, Via } from '../support/stores.ts';
import { describeErrorConformance } from './conformance-errors.ts';
import { describeMultipartConformance } from './conformance-multipart.ts';
import { describeObjectConformance } from './conformance-objects.ts';
import { describeCapabilityConformance } from './conformance-capabilities.ts';

/** What the server under test does where servers differ, beyond `store.capabilities`. */
export interface ServerFlags {
  /** Keeps a whole-object MD5 and reports it as `md5` (Azure Content-MD5). */
  reportsMd5: boolean;
  /** Honours If-Match on GET (Azure, real S3). s3rver ignores it and serves the object. */
  honoursIfMatch: boolean;
  /**
   * Serves `Range: bytes=0-0` as one byte. s3rver 3.7.1 serves the whole object (it reads
   * the range end 0 as "no end").
   */
  servesRangeEndingAtZero: boolean;
  /**
   * Lists in key order across pages. s3rver 3.7.1 walks directories (`many/` before
   * `many-not/`) but resumes a page after the last key in string order (`many-not/x` <
   * `many/…`), so a key like `many-not/x` after a page boundary is never listed.
   */
  listsAllKeysAcrossPages: boolean;
  /** User metadata comes back in listings (Azure with `include=metadata`; S3 listings have none). */
  listsMetadata: boolean;
  /**
   * An abort ends the upload: its parts can no longer be added or completed (RGW, real S3).
   * s3rver answers 405 to AbortMultipartUpload; Azure has no abort (staged blocks stay
   * until the blob's next commit or 7 days).
   */
  abortEndsUploads: boolean;
  /**
   * A one-shot PUT whose If-None-Match: * or If-Match fails is refused, the object kept (RGW
   * 16.2, Azurite). s3rver accepts the headers and writes anyway.
   */
  honoursConditionalPut: boolean;
}

/** The wire protocol of the server: how a fault proxy fakes one of its error answers. */
export type Protocol = 's3' | 'azure';

export interface ConformanceTarget {
  /** Origin (`http://127.0.0.1:PORT`) of the real server, for fault proxies to forward to. */
  serverOrigin: () => string;
  /** An adapter on a fresh, empty container or bucket. */
  makeStore: (via?: Via) => Promise<StoreUnderTest>;
  protocol: Protocol;
  flags: ServerFlags;
}

/** The request of an operation, as a fault proxy matches it. */
export function requestOf(protocol: Protocol, op: 'uploadPart' | 'complete'): { method: string; path: RegExp } {
  if (protocol === 's3')
    return op === 'uploadPart' ? { method: 'PUT', path: /[?&]partNumber=/ } : { method: 'POST', path: /[?&]uploadId=/ };
  return op === 'uploadPart'
    ? { method: 'PUT', path: /[?&]comp=block(&|$)/ }
    : { method: 'PUT', path: /[?&]comp=blocklist/ };
}

/** An error answer in the protocol's form: S3's XML `<Code>`, Azure's `x-ms-error-code`. */
export function errorAnswer(protocol: Protocol, status: number, code: string): Fault {
  if (protocol === 's3') {
    return {
      kind: 'status',
      status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`,
    };
  }
  return {
    kind: 'status',
    status,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`,
  };
}

export function describeObjectStoreConformance(name: string, target: ConformanceTarget): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    describeObjectConformance(target);
    describeMultipartConformance(target);
    describeCapabilityConformance(target);
    describeErrorConformance(target);
  });
}
