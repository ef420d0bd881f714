/**
 * Conformance of a `DatabaseStore` (src/state/contracts/databases.ts): every
 * implementation runs this suite unchanged, with a fresh storage per test.
 */
import { describe, expect, it } from 'vitest';
import type { DatabaseRecord, DatabaseStore } from '../../../src/state/contracts/databases.ts';
import { useStorage, type CreateStorage } from './storage.ts';

export const COPIED: DatabaseRecord = {
  dataset: 'catalog',
  method: 'dump-restore',
  status: 'copied',
  tables: 4,
  bytes: 123456,
  copiedAt: '2026-11-22T10:00:00.000Z',
  copySeconds: 12.5,
  verification: undefined,
  lag: undefined,
  lastError: undefined,
  updatedAt: '2026-11-22T10:00:00.000Z',
};

export function describeDatabaseStoreConformance(name: string, create: CreateStorage<DatabaseStore>): void {
  describe(`${name}: PostgreSQL dataset records`, () => {
    const fixture = useStorage(create);

    it('round-trips a record, replaces it, and keeps undefined fields undefined', async () => {
      const { store } = fixture;
      expect(await store.getDatabase('catalog')).toBeUndefined();
      await store.putDatabase(COPIED);
      expect(await store.getDatabase('catalog')).toEqual(COPIED);
      await store.putDatabase({
        ...COPIED,
        status: 'verified',
        verification: {
          at: 'x',
          ok: true,
          tablesVerified: 4,
          mismatches: [],
          schemaDifferences: [],
          evidenceFile: 'f.json',
          evidenceSha256: 'a'.repeat(64),
        },
      });
      expect((await store.getDatabase('catalog'))?.verification?.tablesVerified).toBe(4);
    });

    it('never keeps a secret a failure message quoted', async () => {
      const { store } = fixture;
      await store.putDatabase({
        ...COPIED,
        status: 'failed',
        lastError: 'pg_restore: connect postgres://emc2:Tr0ub4dor@pg/emc2 refused',
      });
      expect((await store.getDatabase('catalog'))?.lastError).toBe(
        'pg_restore: connect postgres://emc2:***@pg/emc2 refused',
      );
    });
  });
}
