/**
 * The one suite every ObjectStore adapter must pass, against a real server (the rclone
 * `fstests` idea). Where a test server really lacks a behaviour of the production store,
 * that is a named capability below, asserted both ways, never a silent skip: if the server
 * gains the behaviour, the test fails and the flag must be flipped.
 */
import { describe } from 'vitest';
import type { StoreUnderTest, Via } from '../support/stores.ts';
import { describeErrorConformance } from './conformance-errors.ts';
import { describeMultipartConformance } from './conformance-multipart.ts';
import { describeObjectConformance } from './conformance-objects.ts';

/** What the server under test does where servers differ. */
export interface Capabilities {
  /**
   * Refuses a body whose Content-MD5 does not match (Azure, real S3, OVHcloud). s3rver
   * does not: it stores the damaged bytes.
   */
  validatesContentMd5: boolean;
  /**
   * What a multipart object's ETag is: `part-md5s` (real S3, OVHcloud: MD5 of the part
   * MD5s + `-N`), `whole-md5` (s3rver: the whole object's MD5), `opaque` (Azure).
   */
  multipartEtag: 'part-md5s' | 'whole-md5' | 'opaque';
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
}

export interface ConformanceTarget {
  /** Origin (`http://127.0.0.1:PORT`) of the real server, for fault proxies to forward to. */
  serverOrigin: () => string;
  /** An adapter on a fresh, empty container or bucket. */
  makeStore: (via?: Via) => Promise<StoreUnderTest>;
  capabilities: Capabilities;
}

export function describeObjectStoreConformance(name: string, target: ConformanceTarget): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    describeObjectConformance(target);
    describeMultipartConformance(target);
    describeErrorConformance(target);
  });
}
