/** Conformance: multipart uploads, resuming from recorded parts, expected ETags. */
import { describe, expect, test } from 'vitest';
import type { MultipartEtagRule } from '../../src/stores/capabilities.ts';
import { etagMatches, s3Etag } from '../../src/stores/etag.ts';
import type { CompletedPart, WriteMeta } from '../../src/stores/object-store.ts';
import { MiB, md5, md5Hex, randomBody, readAll, sha256Hex } from '../support/bytes.ts';
import type { ConformanceTarget } from './conformance.ts';

/** Three parts of at least 5 MiB (S3's minimum for all but the last part). */
function threeParts(): Buffer[] {
  return [randomBody(5 * MiB), randomBody(5 * MiB), randomBody(5 * MiB + 17)];
}

export function describeMultipartConformance({ makeStore, flags }: ConformanceTarget): void {
  describe('multipart', () => {
    test('limits are coherent', async () => {
      const { store } = await makeStore();
      const { maxParts, minPartSize, maxPartSize } = store.limits;
      expect(maxParts).toBeGreaterThanOrEqual(10_000);
      expect(minPartSize).toBeGreaterThanOrEqual(1);
      expect(maxPartSize).toBeGreaterThanOrEqual(minPartSize);
      // The engine sizes parts from these: the largest object must fit.
      expect(maxParts * maxPartSize).toBeGreaterThanOrEqual(5 * 1024 ** 4);
    });

    test('create, upload three parts (out of order), complete: bytes, headers and ETag are right', async () => {
      const { store } = await makeStore();
      const parts = threeParts();
      const whole = Buffer.concat(parts);
      const meta: WriteMeta = {
        contentType: 'application/octet-stream',
        metadata: { dataset: 'snds' },
        md5: md5(whole),
      };
      const key = 'big/données.bin';
      const uploadId = await store.createMultipart(key, meta);
      const done: CompletedPart[] = [];
      for (const n of [2, 1, 3]) {
        const body = parts[n - 1]!;
        done.push({ partNumber: n, etag: await store.uploadPart(key, uploadId, n, body, md5(body)) });
      }
      expect(done.every((p) => p.etag.length > 0 && !p.etag.includes('"'))).toBe(true);
      const { etag, etagSource } = await store.completeMultipart(key, uploadId, done, meta);
      // RGW 16.2 answers an empty ETag: the adapter asks HEAD, and says so.
      expect(etagSource).toBe(store.capabilities.etag.reportedAtComplete ? 'response' : 'head');

      const opened = await store.read(key);
      expect(sha256Hex(await readAll(opened.body))).toBe(sha256Hex(whole));
      expect(opened.info).toMatchObject({
        size: whole.length,
        etag,
        contentType: meta.contentType,
        metadata: meta.metadata,
      });
      expect((await store.head(key))?.etag).toBe(etag);
      expectEtagProvesContent(
        store.capabilities.etag.multipart,
        etag,
        parts,
        whole,
        store.expectedEtag(parts.map(md5), true),
      );
      if (flags.reportsMd5) expect((await store.head(key))?.md5).toBe(md5Hex(whole));
    });

    test('a later session completes an upload from the recorded upload id and part ETags alone', async () => {
      const first = await makeStore();
      const parts = threeParts();
      const whole = Buffer.concat(parts);
      const meta: WriteMeta = { metadata: { run: 'resumed' }, md5: md5(whole) };
      const key = 'resume/object.bin';

      // Session 1 records what a state store would, then dies after two parts.
      const uploadId = await first.store.createMultipart(key, meta);
      const recorded: CompletedPart[] = [];
      for (const n of [1, 2]) {
        recorded.push({
          partNumber: n,
          etag: await first.store.uploadPart(key, uploadId, n, parts[n - 1]!, md5(parts[n - 1]!)),
        });
      }
      const saved = JSON.parse(JSON.stringify({ uploadId, recorded })) as {
        uploadId: string;
        recorded: CompletedPart[];
      };

      // Session 2: a new adapter instance, nothing but the saved record.
      const second = first.reopen();
      expect(await second.head(key)).toBeUndefined();
      const last = parts[2]!;
      const etag3 = await second.uploadPart(key, saved.uploadId, 3, last, md5(last));
      const { etag } = await second.completeMultipart(
        key,
        saved.uploadId,
        [...saved.recorded, { partNumber: 3, etag: etag3 }],
        meta,
      );

      const opened = await second.read(key);
      expect(sha256Hex(await readAll(opened.body))).toBe(sha256Hex(whole));
      expect(opened.info.metadata).toEqual(meta.metadata);
      expectEtagProvesContent(
        second.capabilities.etag.multipart,
        etag,
        parts,
        whole,
        second.expectedEtag(parts.map(md5), true),
      );
    });

    test('abortMultipart is best effort: it resolves, and no object appears', async () => {
      const { store } = await makeStore();
      const body = randomBody(1024);
      const uploadId = await store.createMultipart('aborted', { metadata: {} });
      await store.uploadPart('aborted', uploadId, 1, body, md5(body));
      await expect(store.abortMultipart('aborted', uploadId)).resolves.toBeUndefined();
      expect(await store.head('aborted')).toBeUndefined();
    });
  });

  /** The quick-verify contract, per what the store's capabilities say its multipart ETag is. */
  function expectEtagProvesContent(
    rule: MultipartEtagRule,
    etag: string,
    parts: Buffer[],
    whole: Buffer,
    expected: string | undefined,
  ): void {
    const wholeMd5 = md5Hex(whole);
    const otherMd5 = md5Hex(Buffer.concat([whole, Buffer.from('x')]));
    const partMd5s = s3Etag(parts.map(md5), true);
    switch (rule) {
      case 'part-md5s':
        expect(expected).toBe(partMd5s);
        expect(etag).toBe(expected);
        expect(etag).toMatch(new RegExp(`-${parts.length}$`));
        expect(etagMatches(etag, expected, wholeMd5)).toBe(true);
        break;
      case 'whole-md5':
        // Measured on s3rver 3.7.1: the whole object's MD5, which part MD5s cannot predict.
        expect(expected).toBeUndefined();
        expect(etag).toBe(wholeMd5);
        expect(etagMatches(etag, expected, wholeMd5)).toBe(true);
        expect(etagMatches(etag, expected, otherMd5)).toBe(false);
        break;
      case 'opaque':
        expect(expected).toBeUndefined();
        expect([partMd5s, wholeMd5]).not.toContain(etag);
        break;
    }
  }
}
