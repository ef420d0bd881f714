/** The Azure Blob adapter against Azurite (in-process, in-memory, started by the global setup). */
import {
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { inspect } from 'node:util';
import { describe, expect, inject, test } from 'vitest';
import { md5, readAll } from '../support/bytes.ts';
import { azuriteOrigin, freshAzureStore } from '../support/stores.ts';
import { describeObjectStoreConformance } from './conformance.ts';

describeObjectStoreConformance('azure-blob on Azurite', {
  serverOrigin: azuriteOrigin,
  // Pages of 1,000 (the service default is 5,000) so the listing test crosses pages as on S3.
  makeStore: (via) => freshAzureStore({ listPageSize: 1000, via }),
  protocol: 'azure',
  flags: {
    reportsMd5: true,
    honoursIfMatch: true,
    servesRangeEndingAtZero: true,
    listsAllKeysAcrossPages: true,
    listsMetadata: true,
    // Azure has no abort: staged blocks stay until the blob's next commit or 7 days.
    abortEndsUploads: false,
    honoursConditionalPut: true,
  },
});

describe('azure-blob specifics', () => {
  test('a SAS credential works and never appears in descriptions or errors', async () => {
    const azurite = inject('azurite');
    const key = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    let sasToken = '';
    const { store, container } = await freshAzureStore({
      credential: (containerName) => {
        sasToken = generateBlobSASQueryParameters(
          {
            containerName,
            permissions: ContainerSASPermissions.parse('racwdl'),
            expiresOn: new Date(Date.now() + 3_600_000),
          },
          key,
        ).toString();
        return { kind: 'sas', sasToken: `?${sasToken}` };
      },
    });
    const sig = new URLSearchParams(sasToken).get('sig')!;
    expect(sig.length).toBeGreaterThan(10);

    const body = Buffer.from('via SAS');
    await store.put('sas/ok.txt', body, md5(body), { metadata: {} });
    expect((await readAll((await store.read('sas/ok.txt')).body)).equals(body)).toBe(true);
    expect(store.description).toBe(`azure-blob ${azurite.endpoint}/${container}`);

    const err = await store.read('missing').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'StoreError', code: 'NotFound' });
    const printed = `${String(err)}\n${(err as Error).message}\n${(err as Error).stack}\n${inspect(err, { showHidden: true })}`;
    for (const secret of [sig, encodeURIComponent(sig), sasToken, azurite.accountKey])
      expect(printed).not.toContain(secret);
  });

  test('block ids only come from this adapter: a foreign upload id is refused before any request', async () => {
    const { store } = await freshAzureStore();
    await expect(store.uploadPart('k', 'not-an-upload-id', 1, Buffer.from('x'), md5(Buffer.from('x')))).rejects.toThrow(
      RangeError,
    );
  });
});
