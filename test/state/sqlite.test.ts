/**
 * What only the SQLite store does: the file it opens and how, and the query plans of its
 * pages. What every store must do is in ./conformance/ (run by conformance.test.ts).
 */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OBJECT_PAGE_SQL, openSqliteStateStore } from '../../src/state/sqlite.ts';
import { SCHEMA_VERSION } from '../../src/state/sqlite-schema.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { UPLOAD, part } from './conformance/uploads.ts';
import { objectRecord, tempDir } from './helpers.ts';

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

describe('objects', () => {
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
});

describe('uploads', () => {
  it('leaves no part rows behind once the upload is cleared', async () => {
    await store.startUpload(UPLOAD);
    for (const n of [1, 2]) await store.recordPart('d', 'big.parquet', 'up-1', part(n));
    await store.startUpload({ ...UPLOAD, uploadId: 'up-2' }); // replacing drops the parts of up-1 (ON DELETE CASCADE)
    await store.recordPart('d', 'big.parquet', 'up-2', part(1));
    await store.clearUpload('d', 'big.parquet');
    const raw = new DatabaseSync(file);
    expect(raw.prepare('SELECT count(*) AS n FROM upload_parts').get()).toEqual({ n: 0 });
    raw.close();
  });
});
