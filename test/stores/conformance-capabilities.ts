/**
 * Conformance: each capability the adapter declares (or was given from a probe) is what the
 * server does — metadata-name spelling and size, non-ASCII values, tags, where multipart
 * metadata is fixed, and the answers that mean an upload is gone.
 */
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { metadataBytes, storedMetadataName } from '../../src/stores/capabilities.ts';
import type { WriteMeta } from '../../src/stores/object-store.ts';
import { StoreError } from '../../src/stores/store-error.ts';
import { MiB, md5, randomBody, readAll } from '../support/bytes.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { errorAnswer, requestOf, type ConformanceTarget } from './conformance.ts';

/** Values a header cannot carry as they are, and values that look like the encoding itself. */
const AWKWARD_VALUES = {
  latin1: 'séjour été',
  cjk: '患者 中文',
  emoji: 'ok ✅ 🩺',
  edges: '  spaces around  ',
  encodedword: '=?UTF-8?B?eA==?=',
  encodedwords: '=?utf-8?q?a_b?= =?UTF-8?B?Yg==?=',
  markerinside: 'a =? b ?= c',
  plain: 'plain ascii; 100%',
} as const;

/** The HTTP status a server gives with each "upload gone" code the suite injects. */
const STATUS_OF: Record<string, number> = { NoSuchUpload: 404, NoSuchKey: 404, InvalidBlockList: 400 };

function expectNoSecret(err: StoreError, secrets: readonly string[]): void {
  const printed = [err.message, String(err), err.stack ?? '', inspect(err, { depth: 5, showHidden: true })].join('\n');
  for (const secret of secrets.filter((s) => s.length > 0)) expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/sig=|Signature=|Authorization|injected/i);
}

export function describeCapabilityConformance({ makeStore, serverOrigin, protocol, flags }: ConformanceTarget): void {
  describe('capabilities', () => {
    test('metadata names come back in the spelling capabilities.metadataNames says', async () => {
      const { store } = await makeStore();
      const body = Buffer.from('names');
      const metadata = { with_underscore: '1', 'with-hyphen': '2', plain: '3', 'cloudexit-sha256': 'a'.repeat(64) };
      await store.put('names', body, md5(body), { metadata });
      const expected = Object.fromEntries(
        Object.entries(metadata).map(([n, v]) => [storedMetadataName(n, store.capabilities.metadataNames), v]),
      );
      expect((await store.head('names'))?.metadata).toEqual(expected);
      expect((await store.read('names')).info.metadata).toEqual(expected);
    });

    test('non-ASCII, edge-space and encoded-word-like metadata values round-trip on put, head, read and multipart', async () => {
      const { store } = await makeStore();
      const body = Buffer.from('values');
      const meta: WriteMeta = { metadata: { ...AWKWARD_VALUES } };
      await store.put('values', body, md5(body), meta);
      expect((await store.head('values'))?.metadata).toEqual(AWKWARD_VALUES);
      const opened = await store.read('values');
      await readAll(opened.body);
      expect(opened.info.metadata).toEqual(AWKWARD_VALUES);

      const uploadId = await store.createMultipart('values-mp', meta);
      const etag = await store.uploadPart('values-mp', uploadId, 1, body, md5(body));
      await store.completeMultipart('values-mp', uploadId, [{ partNumber: 1, etag }], meta);
      expect((await store.head('values-mp'))?.metadata).toEqual(AWKWARD_VALUES);
      if (flags.listsMetadata) {
        for await (const item of store.list('values')) expect(item.metadata).toEqual(AWKWARD_VALUES);
      }
    });

    test('metadata of exactly capabilities.metadataLimitBytes (names and values) is accepted and returned intact', async () => {
      const { store } = await makeStore();
      const limit = store.capabilities.metadataLimitBytes;
      const metadata: Record<string, string> = { 'cloudexit-sha256': 'b'.repeat(64), source_etag: '0x8DC0123456789AB' };
      const name = 'cloudexit-padding';
      metadata[name] = 'p'.repeat(limit - metadataBytes(metadata) - name.length);
      expect(metadataBytes(metadata)).toBe(limit);
      const body = Buffer.from('at the limit');
      await store.put('limit', body, md5(body), { metadata });
      const back = (await store.head('limit'))?.metadata ?? {};
      expect(metadataBytes(back)).toBe(limit);
      expect(back[storedMetadataName(name, store.capabilities.metadataNames)]).toBe(metadata[name]);
    });

    test('multipart metadata is the one given at creation, or at completion where capabilities.metadataAtComplete', async () => {
      const { store } = await makeStore();
      const body = Buffer.from('when');
      const uploadId = await store.createMultipart('when', {
        contentType: 'text/x-create',
        metadata: { at: 'create' },
      });
      const etag = await store.uploadPart('when', uploadId, 1, body, md5(body));
      await store.completeMultipart('when', uploadId, [{ partNumber: 1, etag }], {
        contentType: 'text/x-complete',
        metadata: { at: 'complete' },
      });
      const at = store.capabilities.metadataAtComplete ? 'complete' : 'create';
      expect(await store.head('when')).toMatchObject({ contentType: `text/x-${at}`, metadata: { at } });
    });

    test('tags are set and read without touching bytes, ETag or metadata, replace earlier tags, on Hive-style and Unicode keys', async () => {
      const { store } = await makeStore();
      const body = randomBody(2048);
      const missing = store.getTags('never/written');
      if (!store.capabilities.tagging) {
        await expect(store.putTags('k', { a: 'b' })).rejects.toMatchObject({
          name: 'StoreError',
          code: 'NotSupported',
          retriable: false,
        });
        await expect(missing).rejects.toMatchObject({ code: 'NotSupported' });
        return;
      }
      expect(await missing).toBeUndefined();
      for (const key of ['tags', 'dcir/année=2024/mois=07,08/prestations consolidées;v2@x$&+.parquet']) {
        await store.put(key, body, md5(body), { contentType: 'text/plain', metadata: { stage: 'copied' } });
        const before = await store.head(key);
        expect(await store.getTags(key)).toEqual({});
        await store.putTags(key, { 'cloudexit-sha256': 'c'.repeat(64), 'cloudexit-run': 'r1' });
        await store.putTags(key, { 'cloudexit-sha256': 'd'.repeat(64) });
        expect(await store.getTags(key)).toEqual({ 'cloudexit-sha256': 'd'.repeat(64) });
        const after = await store.head(key);
        expect(after).toMatchObject({
          etag: before!.etag,
          size: before!.size,
          contentType: 'text/plain',
          metadata: before!.metadata,
        });
        expect((await readAll((await store.read(key)).body)).equals(body)).toBe(true);
      }
    });

    test(`a one-shot PUT whose condition fails is ${flags.honoursConditionalPut ? 'refused (PreconditionFailed), the object kept' : 'still written: the server ignores conditions'}`, async () => {
      const { store } = await makeStore();
      const none: WriteMeta = { metadata: {} };
      const [first, second] = [randomBody(1000), randomBody(1000)];
      const written = await store.put('conditional', first, md5(first), none, { ifNoneMatch: '*' });
      const failing = [
        () => store.put('conditional', second, md5(second), none, { ifNoneMatch: '*' }),
        () => store.put('conditional', second, md5(second), none, { ifMatch: '0'.repeat(32) }),
        () => store.put('conditional-absent', second, md5(second), none, { ifMatch: written.etag }),
      ];
      for (const attempt of failing) {
        if (!flags.honoursConditionalPut) {
          await attempt();
          continue;
        }
        const err = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).code).toBe('PreconditionFailed');
        expect((err as StoreError).retriable).toBe(false);
      }
      if (flags.honoursConditionalPut) {
        expect((await store.head('conditional'))?.etag).toBe(written.etag);
        expect(await readAll((await store.read('conditional')).body)).toEqual(first);
        expect(await store.head('conditional-absent')).toBeUndefined();
      }
      // The condition that holds is applied.
      const current = (await store.head('conditional'))!.etag;
      const again = await store.put('conditional', second, md5(second), none, { ifMatch: current });
      expect((await store.head('conditional'))?.etag).toBe(again.etag);
      expect(await readAll((await store.read('conditional')).body)).toEqual(second);
    });

    test('where capabilities.tagging is false, putTags and getTags throw NotSupported (withCapabilities)', async () => {
      const { store } = await makeStore();
      const without = store.withCapabilities!({ tagging: false });
      expect(without.capabilities).toEqual({ ...store.capabilities, tagging: false });
      expect(without.description).toBe(store.description);
      const err = await without.putTags('k', { a: 'b' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({
        name: 'StoreError',
        code: 'NotSupported',
        op: 'putTags',
        key: 'k',
        retriable: false,
      });
      expect((err as Error).message).toContain(store.description);
      await expect(without.getTags('k')).rejects.toMatchObject({ code: 'NotSupported' });
    });

    test(`after an abort, uploadPart and complete ${flags.abortEndsUploads ? 'throw UploadGone' : 'still work (the server does not end uploads)'}`, async () => {
      const { store, secrets } = await makeStore();
      const part = randomBody(1024);
      const uploadId = await store.createMultipart('gone', { metadata: {} });
      const first = await store.uploadPart('gone', uploadId, 1, part, md5(part));
      await store.abortMultipart('gone', uploadId);
      const onPart = store.uploadPart('gone', uploadId, 2, part, md5(part));
      const onComplete = store.completeMultipart('gone', uploadId, [{ partNumber: 1, etag: first }], { metadata: {} });
      if (!flags.abortEndsUploads) {
        await expect(onPart).resolves.toBeTypeOf('string');
        await expect(onComplete).resolves.toMatchObject({ etag: expect.any(String) });
        return;
      }
      for (const [op, pending] of [
        ['uploadPart', onPart],
        ['completeMultipart', onComplete],
      ] as const) {
        const err = await pending.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StoreError);
        expect(err).toMatchObject({ code: 'UploadGone', retriable: false, op, key: 'gone' });
        expect((err as StoreError).message).toContain(store.description);
        expectNoSecret(err as StoreError, secrets);
      }
      expect(await store.head('gone')).toBeUndefined();
    });

    test('each "upload gone" code capabilities.uploadGone lists becomes UploadGone (injected by a fault proxy)', async () => {
      const { store, reopen } = await makeStore();
      const proxy = await startFaultProxy(serverOrigin());
      try {
        const via = reopen({ origin: proxy.origin });
        const part = randomBody(1024);
        const codes = (op: 'uploadPart' | 'complete') =>
          store.capabilities.uploadGone[op].filter((a) => !a.startsWith('status:'));
        for (const code of codes('uploadPart')) {
          const uploadId = await via.createMultipart('injected', { metadata: {} });
          proxy.inject({
            ...requestOf(protocol, 'uploadPart'),
            fault: errorAnswer(protocol, STATUS_OF[code] ?? 404, code),
          });
          await expect(via.uploadPart('injected', uploadId, 1, part, md5(part))).rejects.toMatchObject({
            code: 'UploadGone',
            storeCode: code,
            retriable: false,
          });
          await via.abortMultipart('injected', uploadId);
        }
        for (const code of codes('complete')) {
          const uploadId = await via.createMultipart('injected', { metadata: {} });
          const etag = await via.uploadPart('injected', uploadId, 1, part, md5(part));
          proxy.inject({
            ...requestOf(protocol, 'complete'),
            fault: errorAnswer(protocol, STATUS_OF[code] ?? 404, code),
          });
          await expect(
            via.completeMultipart('injected', uploadId, [{ partNumber: 1, etag }], { metadata: {} }),
          ).rejects.toMatchObject({ code: 'UploadGone', storeCode: code, retriable: false });
          await via.abortMultipart('injected', uploadId);
        }
      } finally {
        await proxy.close();
      }
    });

    test('a 500 on complete of an upload that still exists stays a retriable error, and completing again succeeds', async () => {
      const { reopen } = await makeStore();
      const proxy = await startFaultProxy(serverOrigin());
      try {
        const via = reopen({ origin: proxy.origin });
        const parts = [randomBody(5 * MiB), randomBody(10)];
        const uploadId = await via.createMultipart('flaky', { metadata: {} });
        const done = [];
        for (const [i, part] of parts.entries())
          done.push({ partNumber: i + 1, etag: await via.uploadPart('flaky', uploadId, i + 1, part, md5(part)) });
        proxy.inject({ ...requestOf(protocol, 'complete'), fault: errorAnswer(protocol, 500, 'InternalError') });
        const err = await via.completeMultipart('flaky', uploadId, done, { metadata: {} }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ name: 'StoreError', code: 'Unavailable', status: 500, retriable: true });
        const { etag } = await via.completeMultipart('flaky', uploadId, done, { metadata: {} });
        expect((await via.head('flaky'))?.etag).toBe(etag);
      } finally {
        await proxy.close();
      }
    });
  });
}
