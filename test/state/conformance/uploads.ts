/**
 * Conformance of an `UploadLog` (src/state/contracts/uploads.ts): every implementation
 * runs this suite unchanged, with a fresh storage per test.
 */
import { describe, expect, it } from 'vitest';
import type { UploadLog } from '../../../src/state/contracts/uploads.ts';
import { useStorage, type CreateStorage } from './storage.ts';

/** A multipart upload of 64 MiB parts, as the engine starts one. */
export const UPLOAD = {
  dataset: 'd',
  key: 'big.parquet',
  targetKey: 't/big.parquet',
  uploadId: 'up-1',
  partSize: 64 * 2 ** 20,
  sourceEtag: '"e1"',
  startedAt: '2026-04-01T00:00:00.000Z',
};

export const part = (n: number) => ({ partNumber: n, etag: `"p${n}"`, md5: `m${n}`, size: 64 * 2 ** 20 });

export function describeUploadLogConformance(name: string, create: CreateStorage<UploadLog>): void {
  describe(`${name}: upload log`, () => {
    const fixture = useStorage(create);

    it('goes through start, parts, replacement and clear', async () => {
      const { store } = fixture;
      expect(await store.getUpload('d', 'big.parquet')).toBeUndefined();
      await store.startUpload(UPLOAD);
      expect(await store.getUpload('d', 'big.parquet')).toStrictEqual({ ...UPLOAD, parts: [] });

      for (const n of [3, 1, 2]) await store.recordPart('d', 'big.parquet', 'up-1', part(n));
      await store.recordPart('d', 'big.parquet', 'up-1', { ...part(2), etag: '"p2-retry"' });
      expect((await store.getUpload('d', 'big.parquet'))?.parts).toStrictEqual([
        part(1),
        { ...part(2), etag: '"p2-retry"' },
        part(3),
      ]);

      await store.startUpload({ ...UPLOAD, uploadId: 'up-2', sourceEtag: '"e2"' });
      expect(await store.getUpload('d', 'big.parquet')).toStrictEqual({
        ...UPLOAD,
        uploadId: 'up-2',
        sourceEtag: '"e2"',
        parts: [],
      });
      await expect(store.recordPart('d', 'big.parquet', 'up-1', part(4))).rejects.toThrow(
        /up-1 is not the upload in progress/,
      );
      await store.recordPart('d', 'big.parquet', 'up-2', part(1));

      await store.clearUpload('d', 'big.parquet');
      expect(await store.getUpload('d', 'big.parquet')).toBeUndefined();
      await expect(store.recordPart('d', 'big.parquet', 'up-2', part(2))).rejects.toThrow(/not the upload in progress/);
      await store.clearUpload('d', 'big.parquet'); // nothing to clear: no error
    });
  });
}
