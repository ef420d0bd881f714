/**
 * Conformance of an `ObjectLedger` (src/state/contracts/objects.ts): every implementation
 * runs this suite unchanged, with a fresh storage per test.
 */
import { describe, expect, it } from 'vitest';
import type { ObjectLedger, ObjectStatus } from '../../../src/state/contracts/objects.ts';
import { collect, numberedKeys, objectRecord } from '../helpers.ts';
import { useStorage, type CreateStorage } from './storage.ts';

export interface ObjectLedgerOptions {
  /** Records the implementation reads per page, so the paging tests cross page boundaries. @default 1000 */
  pageSize?: number;
}

export function describeObjectLedgerConformance(
  name: string,
  create: CreateStorage<ObjectLedger>,
  options: ObjectLedgerOptions = {},
): void {
  const pageSize = options.pageSize ?? 1000;

  describe(`${name}: object ledger`, () => {
    const fixture = useStorage(create);

    it('round-trips full and sparse records, sizes beyond 2^31, and replaces whole records', async () => {
      const { store } = fixture;
      const full = objectRecord('d', 'full', {
        size: 2 ** 53 - 1,
        sourceMd5: 'md5src',
        status: 'verified',
        sha256: 'a'.repeat(64),
        md5: 'b'.repeat(32),
        targetEtag: '"t"',
        expectedEtag: '"t"',
        attempts: 2,
        lastError: 'timeout',
        copiedRunId: 'run-1',
        copiedAt: '2026-03-01T00:00:00.000Z',
        verifiedAt: '2026-03-02T00:00:00.000Z',
        verifiedMode: 'full',
      });
      const sparse = objectRecord('d', 'sparse', { size: 5 * 2 ** 30 });
      await store.putObjects([full, sparse]);
      const got = await store.getObjects('d', ['full', 'sparse', 'missing']);
      expect([...got.keys()].sort()).toEqual(['full', 'sparse']);
      expect(got.get('full')).toStrictEqual(full);
      expect(got.get('sparse')).toStrictEqual(sparse);
      expect(Object.keys(got.get('sparse')!)).toEqual(Object.keys(sparse));

      await store.putObjects([objectRecord('d', 'full')]);
      expect((await store.getObjects('d', ['full'])).get('full')).toStrictEqual(objectRecord('d', 'full'));
      expect((await store.getObjects('other', ['full'])).size).toBe(0);
      expect((await store.getObjects('d', [])).size).toBe(0);
    });

    it('rolls back a batch that fails part-way', async () => {
      const { store } = fixture;
      await expect(
        store.putObjects([objectRecord('d', 'ok'), objectRecord('d', 'bad', { size: 1.5 })]),
      ).rejects.toThrow();
      expect((await store.getObjects('d', ['ok'])).size).toBe(0);
    });

    it('updates some fields, clears nullable ones, refuses unknown fields and records', async () => {
      const { store } = fixture;
      await store.putObjects([objectRecord('d', 'a', { lastError: 'boom', attempts: 1 })]);
      await store.updateObject('d', 'a', {
        status: 'copied',
        sha256: 'c'.repeat(64),
        lastError: undefined,
        attempts: 2,
      });
      await store.updateObject('d', 'a', { size: undefined }); // undefined on a required field: left alone
      expect((await store.getObjects('d', ['a'])).get('a')).toStrictEqual(
        objectRecord('d', 'a', { status: 'copied', sha256: 'c'.repeat(64), attempts: 2 }),
      );
      await expect(store.updateObject('d', 'missing', { attempts: 1 })).rejects.toThrow(/d\/missing.*no such record/);
      await expect(store.updateObject('d', 'missing', {})).rejects.toThrow(/no such record/);
      await expect(store.updateObject('d', 'a', { dataset: 'x' } as never)).rejects.toThrow(
        /cannot update field "dataset"/,
      );
      await expect(store.updateObject('d', 'a', { 'size = 0; --': 1 } as never)).rejects.toThrow(/cannot update field/);
    });

    it('iterates in byte order of the UTF-8 key, not UTF-16 or locale order', async () => {
      const { store } = fixture;
      // 😀 (F0 9F 98 80) sorts after � (EF BF BD) in UTF-8 but before it in UTF-16;
      // locale order would put é next to e and a before Z.
      const keys = ['é', '中', 'Z', 'a', 'e', 'f', '😀', '\uFFFD', 'A/b', 'A-b', 'A b'];
      await store.putObjects(keys.map((k) => objectRecord('d', k)));
      const byteOrder = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(byteOrder).toEqual(['A b', 'A-b', 'A/b', 'Z', 'a', 'e', 'f', 'é', '中', '\uFFFD', '😀']);
      expect((await collect(store.iterateObjects('d'))).map((r) => r.key)).toEqual(byteOrder);
    });

    it('pages through two and a half pages of records, with and without status filters', async () => {
      const { store } = fixture;
      const keys = numberedKeys(Math.floor(2.5 * pageSize));
      const statusOf = (i: number): ObjectStatus => (i % 3 === 0 ? 'copied' : i % 3 === 1 ? 'pending' : 'failed');
      await store.putObjects(keys.map((k, i) => objectRecord('d', k, { status: statusOf(i), size: i })));
      await store.putObjects([objectRecord('other', 'k000001')]);

      expect((await collect(store.iterateObjects('d'))).map((r) => r.key)).toEqual(keys);
      const copied = await collect(store.iterateObjects('d', ['copied']));
      expect(copied.map((r) => r.key)).toEqual(keys.filter((_, i) => statusOf(i) === 'copied'));
      const two = await collect(store.iterateObjects('d', ['failed', 'pending', 'failed']));
      expect(two.map((r) => r.key)).toEqual(keys.filter((_, i) => statusOf(i) !== 'copied'));
      expect(await collect(store.iterateObjects('d', []))).toEqual([]);
      expect(await collect(store.iterateObjects('none'))).toEqual([]);
      expect(await collect(store.iterateObjects('d', ['verified']))).toEqual([]);

      // A whole number of pages: the last, empty page ends the iteration.
      await store.putObjects(numberedKeys(2 * pageSize).map((k) => objectRecord('exact', k)));
      expect(await collect(store.iterateObjects('exact'))).toHaveLength(2 * pageSize);
    });

    it('lets the caller write while iterating', async () => {
      const { store } = fixture;
      const count = Math.floor(1.5 * pageSize);
      await store.putObjects(numberedKeys(count).map((k) => objectRecord('d', k)));
      let seen = 0;
      for await (const record of store.iterateObjects('d', ['pending'])) {
        await store.updateObject('d', record.key, { status: 'copied' });
        seen++;
      }
      expect(seen).toBe(count);
      expect((await store.countObjects('d')).copied.objects).toBe(count);
    });

    it('counts objects and bytes for every status, zero-filled', async () => {
      const { store } = fixture;
      await store.putObjects([
        objectRecord('d', 'a', { status: 'copied', size: 5 * 2 ** 30 }),
        objectRecord('d', 'b', { status: 'copied', size: 7 }),
        objectRecord('d', 'c', { status: 'failed', size: 3 }),
        objectRecord('other', 'x', { status: 'verified', size: 100 }),
      ]);
      expect(await store.countObjects('d')).toEqual({
        pending: { objects: 0, bytes: 0 },
        copied: { objects: 2, bytes: 5 * 2 ** 30 + 7 },
        verified: { objects: 0, bytes: 0 },
        failed: { objects: 1, bytes: 3 },
        'deleted-at-source': { objects: 0, bytes: 0 },
      });
    });

    it('counts only the objects whose last verification was a full one', async () => {
      const { store } = fixture;
      expect(await store.countVerifiedFull('d')).toBe(0);
      await store.putObjects([
        objectRecord('d', 'full', { status: 'verified', verifiedMode: 'full' }),
        objectRecord('d', 'quick', { status: 'verified', verifiedMode: 'quick' }),
        // Copied again after a full verification: no longer counts until verified again.
        objectRecord('d', 'recopied', { status: 'copied', verifiedMode: 'full' }),
        objectRecord('other', 'full', { status: 'verified', verifiedMode: 'full' }),
      ]);
      expect(await store.countVerifiedFull('d')).toBe(1);
    });

    it('marks records unseen by an inventory as deleted at source, once', async () => {
      const { store } = fixture;
      await store.putObjects([
        objectRecord('d', 'kept', { inventoryId: 'inv-2' }),
        objectRecord('d', 'z-gone', { inventoryId: 'inv-1', status: 'copied' }),
        objectRecord('d', 'é-gone', { inventoryId: 'inv-1', status: 'verified' }),
        objectRecord('d', 'a-gone', { inventoryId: 'inv-1' }),
        objectRecord('other', 'x', { inventoryId: 'inv-1' }),
      ]);
      expect(await store.markUnseenDeleted('d', 'inv-2')).toEqual(['a-gone', 'z-gone', 'é-gone']);
      expect(await store.markUnseenDeleted('d', 'inv-2')).toEqual([]);
      const counts = await store.countObjects('d');
      expect(counts['deleted-at-source'].objects).toBe(3);
      expect(counts.pending.objects).toBe(1);
      expect((await store.getObjects('other', ['x'])).get('x')?.status).toBe('pending');
    });

    it('inserts 10,000 records in one call quickly', async () => {
      const { store } = fixture;
      const records = numberedKeys(10_000).map((k) =>
        objectRecord('bulk', k, { size: 3 * 2 ** 31, sourceMd5: 'd41d8cd98f00b204e9800998ecf8427e' }),
      );
      const started = performance.now();
      await store.putObjects(records);
      const ms = performance.now() - started;
      console.info(`${name} putObjects: 10,000 records in ${ms.toFixed(0)} ms`);
      expect(ms).toBeLessThan(2000);
      expect((await store.countObjects('bulk')).pending).toEqual({ objects: 10_000, bytes: 10_000 * 3 * 2 ** 31 });
    });
  });
}
