import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OBJECT_PAGE_SIZE, OBJECT_PAGE_SQL, openSqliteStateStore } from '../../src/state/sqlite.ts';
import { SCHEMA_VERSION } from '../../src/state/sqlite-schema.ts';
import type { ObjectStatus, StateStore } from '../../src/state/state-store.ts';
import { collect, numberedKeys, objectRecord, tempDir } from './helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let file: string;
let store: StateStore;

beforeEach(async () => {
  dir = await tempDir();
  file = join(dir.path, 'nested', 'folders', 'state.db');
  store = await openSqliteStateStore(file);
});

afterEach(async () => {
  await store.close();
  await dir.remove();
});

describe('opening', () => {
  it('creates parent folders, uses WAL, records the schema version', async () => {
    expect(store.location).toBe(file);
    const raw = new DatabaseSync(file);
    try {
      expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(raw.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    } finally {
      raw.close();
    }
  });

  it('works in memory', async () => {
    const mem = await openSqliteStateStore(':memory:');
    await mem.putObjects([objectRecord('d', 'a')]);
    expect((await mem.getObjects('d', ['a'])).get('a')).toEqual(objectRecord('d', 'a'));
    await mem.close();
    await mem.close(); // idempotent
  });

  it('refuses a SQLite file that is not a state file, and a newer schema', async () => {
    const foreign = join(dir.path, 'foreign.db');
    const raw = new DatabaseSync(foreign);
    raw.exec('CREATE TABLE patients (id INTEGER)');
    raw.close();
    await expect(openSqliteStateStore(foreign)).rejects.toThrow(/not a cloudexit state file/);

    await store.close();
    const db = new DatabaseSync(file);
    db.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', '2030-01-01T00:00:00Z');
    db.close();
    await expect(openSqliteStateStore(file)).rejects.toThrow(/newer than this cloudexit knows.*upgrade/);
    store = await openSqliteStateStore(':memory:'); // for afterEach
  });
});

describe('runs', () => {
  it('starts, finishes and lists runs newest first', async () => {
    const first = await store.startRun({ command: 'inventory', scope: 'emc2-hcl' });
    const second = await store.startRun({ command: 'copy', scope: 'emc2-hcl' });
    expect(first).toMatch(/^run-\d{8}T\d{9}Z-[0-9a-f]{8}$/);
    expect(second > first || second.slice(0, 24) === first.slice(0, 24)).toBe(true);

    await store.finishRun(first, 'succeeded', { objects: 3, bytes: 5 * 2 ** 30, failed: 0 });
    const runs = await store.listRuns();
    expect(runs.map((r) => r.id)).toEqual([second, first]);
    expect(runs[0]).toEqual({
      id: second, command: 'copy', scope: 'emc2-hcl', startedAt: expect.any(String),
      endedAt: undefined, outcome: undefined, totals: undefined,
    });
    expect(runs[1]).toMatchObject({ outcome: 'succeeded', totals: { objects: 3, bytes: 5 * 2 ** 30, failed: 0 } });
    expect(Date.parse(runs[1]!.endedAt!)).not.toBeNaN();
    expect(await store.listRuns(1)).toHaveLength(1);
    await expect(store.finishRun('run-nope', 'failed', { objects: 0, bytes: 0, failed: 0 })).rejects.toThrow(/no such run/);
  });
});

describe('objects', () => {
  it('round-trips full and sparse records, sizes beyond 2^31, and replaces whole records', async () => {
    const full = objectRecord('d', 'full', {
      size: 2 ** 53 - 1, sourceMd5: 'md5src', status: 'verified', sha256: 'a'.repeat(64), md5: 'b'.repeat(32),
      targetEtag: '"t"', expectedEtag: '"t"', attempts: 2, lastError: 'timeout', copiedRunId: 'run-1',
      copiedAt: '2026-03-01T00:00:00.000Z', verifiedAt: '2026-03-02T00:00:00.000Z', verifiedMode: 'full',
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
    await expect(store.putObjects([objectRecord('d', 'ok'), objectRecord('d', 'bad', { size: 1.5 })])).rejects.toThrow();
    expect((await store.getObjects('d', ['ok'])).size).toBe(0);
  });

  it('updates some fields, clears nullable ones, refuses unknown fields and records', async () => {
    await store.putObjects([objectRecord('d', 'a', { lastError: 'boom', attempts: 1 })]);
    await store.updateObject('d', 'a', { status: 'copied', sha256: 'c'.repeat(64), lastError: undefined, attempts: 2 });
    await store.updateObject('d', 'a', { size: undefined }); // undefined on a required field: left alone
    expect((await store.getObjects('d', ['a'])).get('a')).toStrictEqual(
      objectRecord('d', 'a', { status: 'copied', sha256: 'c'.repeat(64), attempts: 2 }),
    );
    await expect(store.updateObject('d', 'missing', { attempts: 1 })).rejects.toThrow(/d\/missing.*no such record/);
    await expect(store.updateObject('d', 'missing', {})).rejects.toThrow(/no such record/);
    await expect(store.updateObject('d', 'a', { dataset: 'x' } as never)).rejects.toThrow(/cannot update field "dataset"/);
    await expect(store.updateObject('d', 'a', { 'size = 0; --': 1 } as never)).rejects.toThrow(/cannot update field/);
  });

  it('iterates in byte order of the UTF-8 key, not UTF-16 or locale order', async () => {
    // 😀 (F0 9F 98 80) sorts after � (EF BF BD) in UTF-8 but before it in UTF-16;
    // locale order would put é next to e and a before Z.
    const keys = ['é', '中', 'Z', 'a', 'e', 'f', '😀', '\uFFFD', 'A/b', 'A-b', 'A b'];
    await store.putObjects(keys.map((k) => objectRecord('d', k)));
    const byteOrder = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(byteOrder).toEqual(['A b', 'A-b', 'A/b', 'Z', 'a', 'e', 'f', 'é', '中', '\uFFFD', '😀']);
    expect((await collect(store.iterateObjects('d'))).map((r) => r.key)).toEqual(byteOrder);
  });

  it('pages through 2,500 records across page boundaries, with and without status filters', async () => {
    expect(OBJECT_PAGE_SIZE).toBe(1000);
    const keys = numberedKeys(2500);
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
    await store.putObjects(numberedKeys(2 * OBJECT_PAGE_SIZE).map((k) => objectRecord('exact', k)));
    expect(await collect(store.iterateObjects('exact'))).toHaveLength(2 * OBJECT_PAGE_SIZE);
  });

  it('lets the caller write while iterating', async () => {
    await store.putObjects(numberedKeys(1500).map((k) => objectRecord('d', k)));
    let seen = 0;
    for await (const record of store.iterateObjects('d', ['pending'])) {
      await store.updateObject('d', record.key, { status: 'copied' });
      seen++;
    }
    expect(seen).toBe(1500);
    expect((await store.countObjects('d')).copied.objects).toBe(1500);
  });

  it('pages with index seeks and no sort', () => {
    const raw = new DatabaseSync(file);
    try {
      for (const [name, sql] of Object.entries(OBJECT_PAGE_SQL)) {
        const plan = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(sql.split('?').length - 1).fill('x'));
        const detail = plan.map((row) => String(row['detail'])).join('\n');
        expect(detail, name).not.toMatch(/TEMP B-TREE|SCAN objects\b/);
      }
    } finally {
      raw.close();
    }
  });

  it('counts objects and bytes for every status, zero-filled', async () => {
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

  it('marks records unseen by an inventory as deleted at source, once', async () => {
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
    const records = numberedKeys(10_000).map((k) =>
      objectRecord('bulk', k, { size: 3 * 2 ** 31, sourceMd5: 'd41d8cd98f00b204e9800998ecf8427e' }),
    );
    const started = performance.now();
    await store.putObjects(records);
    const ms = performance.now() - started;
    console.info(`putObjects: 10,000 records in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(2000);
    expect((await store.countObjects('bulk')).pending).toEqual({ objects: 10_000, bytes: 10_000 * 3 * 2 ** 31 });
  });
});

describe('uploads', () => {
  const upload = {
    dataset: 'd', key: 'big.parquet', targetKey: 't/big.parquet', uploadId: 'up-1', partSize: 64 * 2 ** 20,
    sourceEtag: '"e1"', startedAt: '2026-04-01T00:00:00.000Z',
  };
  const part = (n: number) => ({ partNumber: n, etag: `"p${n}"`, md5: `m${n}`, size: 64 * 2 ** 20 });

  it('goes through start, parts, replacement and clear', async () => {
    expect(await store.getUpload('d', 'big.parquet')).toBeUndefined();
    await store.startUpload(upload);
    expect(await store.getUpload('d', 'big.parquet')).toStrictEqual({ ...upload, parts: [] });

    for (const n of [3, 1, 2]) await store.recordPart('d', 'big.parquet', 'up-1', part(n));
    await store.recordPart('d', 'big.parquet', 'up-1', { ...part(2), etag: '"p2-retry"' });
    expect((await store.getUpload('d', 'big.parquet'))?.parts).toStrictEqual([part(1), { ...part(2), etag: '"p2-retry"' }, part(3)]);

    await store.startUpload({ ...upload, uploadId: 'up-2', sourceEtag: '"e2"' });
    expect(await store.getUpload('d', 'big.parquet')).toStrictEqual({ ...upload, uploadId: 'up-2', sourceEtag: '"e2"', parts: [] });
    await expect(store.recordPart('d', 'big.parquet', 'up-1', part(4))).rejects.toThrow(/up-1 is not the upload in progress/);
    await store.recordPart('d', 'big.parquet', 'up-2', part(1));

    await store.clearUpload('d', 'big.parquet');
    expect(await store.getUpload('d', 'big.parquet')).toBeUndefined();
    await expect(store.recordPart('d', 'big.parquet', 'up-2', part(2))).rejects.toThrow(/not the upload in progress/);
    const raw = new DatabaseSync(file);
    expect(raw.prepare('SELECT count(*) AS n FROM upload_parts').get()).toEqual({ n: 0 });
    raw.close();
    await store.clearUpload('d', 'big.parquet'); // nothing to clear: no error
  });
});

describe('PostgreSQL dataset records', () => {
  it('round-trips a record, replaces it, and keeps undefined fields undefined', async () => {
    const { openSqliteStateStore } = await import('../../src/state/sqlite.ts');
    const store = await openSqliteStateStore(':memory:');
    try {
      expect(await store.getDatabase('catalog')).toBeUndefined();
      const record = {
        dataset: 'catalog', method: 'dump-restore' as const, status: 'copied' as const, tables: 4, bytes: 123456,
        copiedAt: '2026-11-22T10:00:00.000Z', copySeconds: 12.5, verification: undefined, lag: undefined, lastError: undefined,
        updatedAt: '2026-11-22T10:00:00.000Z',
      };
      await store.putDatabase(record);
      expect(await store.getDatabase('catalog')).toEqual(record);
      await store.putDatabase({ ...record, status: 'verified', verification: { at: 'x', ok: true, tablesVerified: 4, mismatches: [], schemaDifferences: [], evidenceFile: 'f.json', evidenceSha256: 'a'.repeat(64) } });
      expect((await store.getDatabase('catalog'))?.verification?.tablesVerified).toBe(4);
    } finally {
      await store.close();
    }
  });
});
