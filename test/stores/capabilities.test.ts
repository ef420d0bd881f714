/** Capabilities as data: merging, answers, spellings, and what each adapter declares (no server needed). */
import { describe, expect, test } from 'vitest';
import { AZURE_DECLARED_CAPABILITIES, createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import {
  answerOf,
  inStoredSpelling,
  isListedAnswer,
  mergeCapabilities,
  metadataBytes,
  metadataValue,
  sentMetadataBytes,
  storedMetadataName,
} from '../../src/stores/capabilities.ts';
import { s3Etag } from '../../src/stores/etag.ts';
import { S3_DECLARED_CAPABILITIES, createS3Store } from '../../src/stores/s3.ts';
import { md5 } from '../support/bytes.ts';

/** An adapter that is never asked to send a request. */
function s3(capabilities?: Parameters<typeof createS3Store>[0]['capabilities']) {
  return createS3Store({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    bucket: 'b',
    forcePathStyle: true,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    ...(capabilities ? { capabilities } : {}),
  });
}

describe('capabilities', () => {
  test('the S3 adapter declares only what the protocol guarantees', () => {
    const store = s3();
    expect(store.capabilities).toEqual(S3_DECLARED_CAPABILITIES);
    expect(store.capabilities).toMatchObject({
      etag: { single: 'opaque', multipart: 'opaque', reportedAtComplete: false },
      checksContentMd5: false,
      metadataNames: 'kept',
      metadataLimitBytes: 2048,
      metadataValuesUtf8: false,
      tagging: false,
      metadataAtComplete: false,
      checksumSha256: 'unknown',
      // s3rver accepts conditional PUTs and ignores them: only the probe may grant them.
      conditionalWrites: { ifNoneMatch: false, ifMatch: false },
    });
    // Nothing to compare an ETag with until a probe grants a rule.
    expect(store.expectedEtag([md5(Buffer.from('x'))], false)).toBeUndefined();
    expect(store.expectedEtag([md5(Buffer.from('x')), md5(Buffer.from('y'))], true)).toBeUndefined();
  });

  test('the Azure adapter declares opaque ETags, checked MD5s, underscores, 8 KiB, tags, metadata at commit', () => {
    const store = createAzureBlobStore({
      endpoint: 'http://127.0.0.1:9/acct',
      container: 'c',
      credential: { kind: 'key', accountName: 'acct', accountKey: Buffer.from('k').toString('base64') },
    });
    expect(store.capabilities).toEqual(AZURE_DECLARED_CAPABILITIES);
    expect(store.capabilities).toMatchObject({
      etag: { single: 'opaque', multipart: 'opaque', reportedAtComplete: true },
      checksContentMd5: true,
      metadataNames: 'hyphen-to-underscore',
      metadataLimitBytes: 8192,
      conditionalWrites: { ifNoneMatch: false, ifMatch: false },
      metadataValuesUtf8: false,
      tagging: true,
      metadataAtComplete: true,
      uploadGone: { complete: ['InvalidBlockList'] },
    });
    expect(store.expectedEtag([md5(Buffer.from('x'))], false)).toBeUndefined();
  });

  test('overrides (a probe report) replace fields, one level deep in etag and uploadGone', () => {
    const store = s3({ etag: { multipart: 'part-md5s' }, tagging: true, uploadGone: { complete: ['NoSuchUpload'] } });
    expect(store.capabilities.etag).toEqual({ single: 'opaque', multipart: 'part-md5s', reportedAtComplete: false });
    expect(store.capabilities.tagging).toBe(true);
    expect(store.capabilities.uploadGone).toEqual({
      ...S3_DECLARED_CAPABILITIES.uploadGone,
      complete: ['NoSuchUpload'],
    });
    const parts = [md5(Buffer.from('a')), md5(Buffer.from('b'))];
    expect(store.expectedEtag(parts, true)).toBe(s3Etag(parts, true));
    expect(store.expectedEtag([parts[0]!], false)).toBeUndefined();
    const again = store.withCapabilities!({ etag: { single: 'md5' } });
    expect(again.expectedEtag([parts[0]!], false)).toBe(Buffer.from(parts[0]!).toString('hex'));
    expect(again.capabilities.etag.multipart).toBe('part-md5s');
    // The declared record is never changed by an override.
    expect(S3_DECLARED_CAPABILITIES.tagging).toBe(false);
    expect(mergeCapabilities(S3_DECLARED_CAPABILITIES, { tagging: undefined }).tagging).toBe(false);
  });

  test('conditional writes merge one level deep, and a probe recorded before they existed grants none', () => {
    const granted = mergeCapabilities(S3_DECLARED_CAPABILITIES, { conditionalWrites: { ifNoneMatch: true } });
    expect(granted.conditionalWrites).toEqual({ ifNoneMatch: true, ifMatch: false });
    const { conditionalWrites: _dropped, ...older } = granted;
    expect(s3(older).capabilities.conditionalWrites).toEqual({ ifNoneMatch: false, ifMatch: false });
  });

  test('answers: a code, else status:NNN', () => {
    expect(answerOf({ storeCode: 'NoSuchUpload', status: 404 })).toBe('NoSuchUpload');
    expect(answerOf({ status: 500 })).toBe('status:500');
    expect(isListedAnswer(['NoSuchUpload', 'status:500'], { storeCode: 'InternalError', status: 500 })).toBe(true);
    expect(isListedAnswer(['NoSuchUpload', 'status:500'], { storeCode: 'NoSuchKey', status: 404 })).toBe(false);
    expect(isListedAnswer(['NoSuchKey'], { storeCode: 'NoSuchKey', status: 404 })).toBe(true);
  });

  test('metadata names in each spelling, values in either, bytes as names plus values', () => {
    expect(storedMetadataName('Cloudexit_SHA256', 'underscore-to-hyphen')).toBe('cloudexit-sha256');
    expect(storedMetadataName('cloudexit-sha256', 'hyphen-to-underscore')).toBe('cloudexit_sha256');
    expect(storedMetadataName('cloudexit-sha256', 'kept')).toBe('cloudexit-sha256');
    expect(inStoredSpelling({ a_b: '1', 'c-d': '2' }, 'underscore-to-hyphen')).toEqual({ 'a-b': '1', 'c-d': '2' });
    expect(metadataValue({ cloudexit_sha256: 'x' }, 'cloudexit-sha256')).toBe('x');
    expect(metadataBytes({ ab: 'é' })).toBe(4);
    // As sent where values are encoded: `=?UTF-8?B?w6k=?=`.
    expect(sentMetadataBytes({ ab: 'é', cd: 'plain' }, { metadataValuesUtf8: false })).toBe(2 + 16 + 2 + 5);
    expect(sentMetadataBytes({ ab: 'é', cd: 'plain' }, { metadataValuesUtf8: true })).toBe(2 + 2 + 2 + 5);
  });
});
