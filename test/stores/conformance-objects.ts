/** Conformance: one-shot objects, headers and metadata, keys, listing, delete. */
import { describe, expect, test } from 'vitest';
import { inStoredSpelling } from '../../src/stores/capabilities.ts';
import { etagMatches } from '../../src/stores/etag.ts';
import type { ObjectInfo, ObjectStore, WriteMeta } from '../../src/stores/object-store.ts';
import { eachLimit, md5, md5Hex, randomBody, readAll } from '../support/bytes.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { ConformanceTarget } from './conformance.ts';

const META: WriteMeta = {
  contentType: 'text/csv; charset=utf-8',
  contentEncoding: 'identity',
  contentLanguage: 'fr-FR',
  contentDisposition: 'attachment; filename="sejours.csv"',
  cacheControl: 'no-store',
  metadata: { dataset: 'emc2_sejours', source_etag: '0x8dc1', sha256: 'a'.repeat(64) },
};

/** The headers of META, and its metadata with names in the store's spelling (`source_etag` is `source-etag` on RGW). */
function expectHeadersAndMetadata(store: ObjectStore, info: ObjectInfo): void {
  expect(info).toMatchObject({
    contentType: META.contentType,
    contentEncoding: META.contentEncoding,
    contentLanguage: META.contentLanguage,
    contentDisposition: META.contentDisposition,
    cacheControl: META.cacheControl,
    metadata: inStoredSpelling(META.metadata, store.capabilities.metadataNames),
  });
}

export function describeObjectConformance({ makeStore, serverOrigin, flags }: ConformanceTarget): void {
  describe('one-shot objects', () => {
    test('put, head and read round-trip bytes, headers and user metadata', async () => {
      const { store } = await makeStore();
      const body = randomBody(64 * 1024 + 3);
      const written = await store.put('a/b.csv', body, md5(body), META);
      expect(written.etag).not.toMatch(/"/);

      const info = await store.head('a/b.csv');
      expect(info).toBeDefined();
      expect(info!).toMatchObject({ key: 'a/b.csv', size: body.length, etag: written.etag });
      expect(info!.lastModified).toBeInstanceOf(Date);
      expectHeadersAndMetadata(store, info!);
      if (flags.reportsMd5) expect(info!.md5).toBe(md5Hex(body));

      const opened = await store.read('a/b.csv');
      expect((await readAll(opened.body)).equals(body)).toBe(true);
      expect(opened.info).toMatchObject({ key: 'a/b.csv', size: body.length, etag: written.etag });
      expectHeadersAndMetadata(store, opened.info);
      if (flags.reportsMd5) expect(opened.info.md5).toBe(md5Hex(body));
    });

    test('a ranged read returns exactly those bytes and the whole size', async () => {
      const { store } = await makeStore();
      const body = randomBody(10_000);
      await store.put('ranged', body, md5(body), { metadata: {} });
      for (const range of [
        { offset: 1, length: 1 },
        { offset: 1234, length: 4321 },
        { offset: 9_990, length: 10 },
      ]) {
        const opened = await store.read('ranged', { range });
        expect((await readAll(opened.body)).equals(body.subarray(range.offset, range.offset + range.length))).toBe(
          true,
        );
        expect(opened.info.size).toBe(body.length);
        expect(opened.info.md5).toBeUndefined();
      }
      const first = await readAll((await store.read('ranged', { range: { offset: 0, length: 1 } })).body);
      expect(first.equals(flags.servesRangeEndingAtZero ? body.subarray(0, 1) : body)).toBe(true);
      const empty = await store.read('ranged', { range: { offset: 5, length: 0 } });
      expect((await readAll(empty.body)).length).toBe(0);
      expect(empty.info.size).toBe(body.length);
    });

    test('an empty object can be written, described and read', async () => {
      const { store } = await makeStore();
      const body = new Uint8Array(0);
      await store.put('empty', body, md5(body), { metadata: {} });
      expect((await store.head('empty'))?.size).toBe(0);
      const opened = await store.read('empty');
      expect((await readAll(opened.body)).length).toBe(0);
      expect(opened.info.size).toBe(0);
    });

    test('Unicode and deeply nested keys survive put, head, list, read and delete', async () => {
      const { store } = await makeStore();
      const key = 'données/patients/été/2024/01/15/service-α/lot 7/sous dossier/fichier-é-ü-中文.csv';
      const body = Buffer.from('id;séjour\n1;été\n');
      await store.put(key, body, md5(body), { metadata: {} });
      expect((await store.head(key))?.size).toBe(body.length);
      const listed = [];
      for await (const item of store.list('données/patients/été/')) listed.push(item.key);
      expect(listed).toEqual([key]);
      expect((await readAll((await store.read(key)).body)).equals(body)).toBe(true);
      await store.delete(key);
      expect(await store.head(key)).toBeUndefined();
    });

    test('expectedEtag of a one-shot put matches the ETag the store reports', async () => {
      const { store } = await makeStore();
      const body = randomBody(1000);
      const { etag } = await store.put('single', body, md5(body), { metadata: {}, md5: md5(body) });
      const expected = store.expectedEtag([md5(body)], false);
      if (store.capabilities.etag.single === 'opaque') {
        expect(expected).toBeUndefined();
        expect(etag).not.toBe(md5Hex(body));
        if (flags.reportsMd5) expect((await store.head('single'))?.md5).toBe(md5Hex(body));
      } else {
        expect(expected).toBe(md5Hex(body));
        expect(etag).toBe(expected);
        expect((await store.head('single'))?.etag).toBe(expected);
        expect(etagMatches(etag, expected)).toBe(true);
      }
    });

    test('read with ifMatch serves the current version; a stale ETag is refused when the server honours If-Match', async () => {
      const { store } = await makeStore();
      const body = Buffer.from('version 1');
      const { etag } = await store.put('guarded', body, md5(body), { metadata: {} });
      expect((await readAll((await store.read('guarded', { ifMatch: etag })).body)).equals(body)).toBe(true);
      const stale = store.read('guarded', { ifMatch: 'ffffffffffffffffffffffffffffffff' });
      if (flags.honoursIfMatch) {
        await expect(stale).rejects.toMatchObject({
          name: 'StoreError',
          code: 'PreconditionFailed',
          status: 412,
          retriable: false,
        });
      } else {
        await expect(stale).resolves.toBeDefined();
      }
    });

    test('delete removes an object; deleting a missing one succeeds', async () => {
      const { store } = await makeStore();
      const body = Buffer.from('x');
      await store.put('gone', body, md5(body), { metadata: {} });
      await store.delete('gone');
      expect(await store.head('gone')).toBeUndefined();
      await expect(store.delete('gone')).resolves.toBeUndefined();
      await expect(store.delete('never/existed')).resolves.toBeUndefined();
    });
  });

  describe('listing', () => {
    test('lists every key under a prefix across pages (1,100 objects), nothing outside it', async () => {
      const { store, reopen } = await makeStore();
      const keys = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(5, '0')}.txt`);
      await eachLimit(keys, 16, (key) => {
        const body = Buffer.from(key);
        return store.put(key, body, md5(body), { metadata: { n: key.slice(5, 10) } });
      });
      const outside = Buffer.from('outside');
      await store.put('many-not/x', outside, md5(outside), { metadata: {} });
      await store.put('other/x', outside, md5(outside), { metadata: {} });

      // Through a pass-through proxy, to prove the listing really took several requests.
      const proxy = await startFaultProxy(serverOrigin());
      try {
        const listed: ObjectInfo[] = [];
        for await (const item of reopen({ origin: proxy.origin }).list('many/')) listed.push(item);
        expect(listed.map((i) => i.key)).toEqual(keys);
        expect(listed.every((i) => i.size === i.key.length && i.etag.length > 0 && !i.etag.includes('"'))).toBe(true);
        expect(listed.every((i) => i.lastModified instanceof Date)).toBe(true);
        if (flags.listsMetadata) expect(listed[7]!.metadata).toEqual({ n: '00007' });
        if (flags.reportsMd5) expect(listed[7]!.md5).toBe(md5Hex(Buffer.from(keys[7]!)));
        expect(proxy.count({ method: 'GET' })).toBeGreaterThanOrEqual(2);
      } finally {
        await proxy.close();
      }

      const all: string[] = [];
      for await (const item of store.list('')) all.push(item.key);
      const everyKey = [...keys, 'many-not/x', 'other/x'];
      if (flags.listsAllKeysAcrossPages) expect(all.toSorted()).toEqual(everyKey.toSorted());
      else expect(all.toSorted()).toEqual(everyKey.filter((k) => k !== 'many-not/x').toSorted());
      const none = [];
      for await (const item of store.list('nothing-here/')) none.push(item);
      expect(none).toEqual([]);
    });
  });
}
