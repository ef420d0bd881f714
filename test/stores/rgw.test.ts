/** The S3 adapter against Ceph RGW 16.2 (started by the global setup): a real S3 implementation. */
import { describe, expect, test } from 'vitest';
import { md5, randomBody } from '../support/bytes.ts';
import { freshS3Store, rgwOrigin } from '../support/stores.ts';
import { describeObjectStoreConformance } from './conformance.ts';

describeObjectStoreConformance('s3 on Ceph RGW', {
  serverOrigin: rgwOrigin,
  makeStore: (via) => freshS3Store({ via, server: 'rgw' }),
  protocol: 's3',
  // Measured on RGW 16.2.15 (shared/LOCAL-SERVICES.md); its capabilities are in S3_SERVER_CAPABILITIES.
  flags: {
    reportsMd5: false,
    honoursIfMatch: true,
    servesRangeEndingAtZero: true,
    listsAllKeysAcrossPages: true,
    listsMetadata: false,
    abortEndsUploads: true,
    honoursConditionalPut: true,
  },
});

describe('s3 on Ceph RGW specifics', () => {
  test('Complete after an abort answers 500, which ListParts (NoSuchKey) confirms as UploadGone', async () => {
    const { store } = await freshS3Store({ server: 'rgw' });
    const part = randomBody(100);
    const uploadId = await store.createMultipart('k', { metadata: {} });
    const etag = await store.uploadPart('k', uploadId, 1, part, md5(part));
    await store.abortMultipart('k', uploadId);
    await expect(
      store.completeMultipart('k', uploadId, [{ partNumber: 1, etag }], { metadata: {} }),
    ).rejects.toMatchObject({ code: 'UploadGone', status: 500, storeCode: 'InternalError', retriable: false });
    // Without 500 among the "gone" answers of Complete, the same answer stays a retriable server error.
    const strict = store.withCapabilities!({ uploadGone: { complete: ['NoSuchUpload'] } });
    await expect(
      strict.completeMultipart('k', uploadId, [{ partNumber: 1, etag }], { metadata: {} }),
    ).rejects.toMatchObject({ code: 'Unavailable', status: 500, retriable: true });
  });
});
