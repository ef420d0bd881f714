/** The Azure Blob adapter against Azurite (in-process, in-memory, started by the global setup). */
import {
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { inspect } from 'node:util';
import { describe, expect, inject, test } from 'vitest';
import { md5, readAll } from '../support/bytes.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
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

  test('the listing (scanned from its XML) says of each blob what HEAD (through the SDK) says', async () => {
    const { store } = await freshAzureStore();
    const keys = [`x/a & b <c> "d" 'e'.csv`, 'x/été/中文 ✅.csv', 'x/100%/q?r#s', 'x/plain'];
    for (const [i, key] of keys.entries()) {
      const body = Buffer.from(`${key} ${i}`);
      await store.put(key, body, md5(body), {
        metadata: i === 3 ? {} : { owner: 'CHU & co <ok>', note: 'séjour été', n: String(i) },
        md5: md5(body),
        ...(i === 0
          ? {
              contentType: 'text/csv; charset=utf-8',
              contentEncoding: 'gzip',
              contentLanguage: 'fr-FR',
              contentDisposition: 'attachment; filename="a&b.csv"',
              cacheControl: 'no-cache',
            }
          : {}),
      });
    }
    const listed = [];
    for await (const item of store.list('x/')) listed.push(item);
    expect(listed.map((i) => i.key)).toEqual(keys.toSorted());
    for (const item of listed) {
      const head = await store.head(item.key);
      expect({ ...item, lastModified: item.lastModified.getTime() }).toEqual({
        ...head,
        lastModified: head!.lastModified.getTime(),
      });
    }
    expect(listed.find((i) => i.key === keys[0])).toMatchObject({
      contentType: 'text/csv; charset=utf-8',
      contentDisposition: 'attachment; filename="a&b.csv"',
      metadata: { owner: 'CHU & co <ok>', note: 'séjour été', n: '0' },
    });
  });

  test('a listing page refused, cut short or not a listing is a StoreError naming the prefix, never the SAS', async () => {
    const azurite = inject('azurite');
    const proxy = await startFaultProxy(azuriteOrigin());
    try {
      const { store, reopen } = await freshAzureStore();
      const body = Buffer.from('listed');
      await store.put('y/1', body, md5(body), { metadata: {} });
      const viaProxy = reopen({ origin: proxy.origin });
      const listAll = async () => {
        const keys = [];
        for await (const item of viaProxy.list('y/')) keys.push(item.key);
        return keys;
      };
      const isList = (path: string) => path.includes('comp=list');
      const cases = [
        [{ kind: 'status', status: 503, headers: { 'x-ms-error-code': 'ServerBusy' } }, { code: 'Throttled' }],
        [
          { kind: 'status', status: 403, headers: { 'x-ms-error-code': 'AuthorizationPermissionMismatch' } },
          { code: 'AccessDenied', retriable: false },
        ],
        [{ kind: 'reset', afterBodyBytes: 40 }, { retriable: true }],
        [
          { kind: 'status', status: 200, body: '<html>a captive portal</html>' },
          { code: 'MalformedListing', retriable: true },
        ],
      ] as const;
      for (const [fault, expected] of cases) {
        proxy.inject({ method: 'GET', path: isList, fault });
        const err = await listAll().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, fault.kind).toMatchObject({ name: 'StoreError', op: 'list', key: 'y/', ...expected });
        const printed = `${(err as Error).message}\n${inspect(err, { showHidden: true })}`;
        expect(printed).not.toContain('sig=');
        expect(printed).not.toContain(azurite.accountKey);
      }
      expect(await listAll()).toEqual(['y/1']);
    } finally {
      await proxy.close();
    }
  });
});
