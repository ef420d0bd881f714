/**
 * Verification of a PostgreSQL dataset on two real clusters: the fixture (1,000,500 stays)
 * seeded on the source and copied to the target with pg_dump | pg_restore, then altered
 * on the target one way at a time (and put back) to see each difference named.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCatalog, tablesWithoutPrimaryKey } from '../../src/databases/catalog.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { libpqEnvironment, type PgConnection } from '../../src/databases/connection.ts';
import type { DatabaseVerification } from '../../src/databases/contract.ts';
import {
  addFingerprints,
  EMPTY_FINGERPRINT,
  fingerprintChunk,
  planChunks,
  sameFingerprint,
} from '../../src/databases/fingerprint.ts';
import { verifyDatabase, writeFingerprintEvidence } from '../../src/databases/verify.ts';
import type { PostgresDataset } from '../../src/plan/schema.ts';
import { registerSecret } from '../../src/secrets/redact.ts';
import { adminClient, BIG_TABLE_ROWS, createDatabase, FIXTURE_DATABASE, seedCatalog } from './fixture.ts';

let source: EmbeddedCluster;
let target: EmbeddedCluster;
let targetSql: pg.Client;
let work: string;

function connectionOf(cluster: EmbeddedCluster, password = cluster.password): PgConnection {
  registerSecret(password);
  const endpoint = {
    host: cluster.host,
    port: cluster.port,
    database: FIXTURE_DATABASE,
    user: cluster.user,
    sslmode: 'disable' as const,
  };
  return { endpoint, password, label: `${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}` };
}

function dataset(overrides: Partial<PostgresDataset> = {}): PostgresDataset {
  return {
    name: 'emc2-catalog',
    title: 'EMC2 catalogue',
    kind: 'postgres',
    method: 'dump-restore',
    source: connectionOf(source).endpoint,
    target: connectionOf(target).endpoint,
    schemas: ['public'],
    excludeTables: [],
    grants: [],
    jobs: 2,
    workDir: work,
    chunkRows: 200_000,
    ...overrides,
  };
}

const verify = (overrides: Partial<PostgresDataset> = {}) =>
  verifyDatabase(connectionOf(source), connectionOf(target), dataset(overrides), { concurrency: 3 });

/** pg_dump -Fc | pg_restore, passwords only in the environment. */
async function copyDatabase(): Promise<void> {
  const dump = spawn(join(source.bindir, 'pg_dump'), ['-Fc', '--no-owner', '--no-privileges'], {
    env: { ...process.env, ...libpqEnvironment(connectionOf(source)) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const restore = spawn(
    join(target.bindir, 'pg_restore'),
    ['--no-owner', '--no-privileges', '--exit-on-error', '-d', FIXTURE_DATABASE],
    { env: { ...process.env, ...libpqEnvironment(connectionOf(target)) }, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  dump.stdout.pipe(restore.stdin);
  const finished = (child: ReturnType<typeof spawn>, name: string) =>
    new Promise<void>((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}: ${stderr}`)),
      );
    });
  await Promise.all([finished(dump, 'pg_dump'), finished(restore, 'pg_restore')]);
}

/**
 * A second schema with what the fixture lacks: a text key, a char(n) column in a composite
 * key, money (printed per lc_monetary), a partitioned table, a name needing quotes.
 */
async function seedExtra(): Promise<void> {
  const client = adminClient(source, FIXTURE_DATABASE);
  await client.connect();
  try {
    await client.query(`
      CREATE SCHEMA extra;
      CREATE TABLE extra.codes (code text PRIMARY KEY, label text NOT NULL, price money);
      INSERT INTO extra.codes SELECT 'C' || lpad(g::text, 5, '0') || CASE WHEN g % 7 = 0 THEN ', (odd)' ELSE '' END, 'label ' || g, g * 1.25
        FROM generate_series(1, 3000) AS g;
      CREATE TABLE extra."Events ""2024""" (site char(4), id integer, at date, payload text, PRIMARY KEY (site, id, at)) PARTITION BY RANGE (at);
      CREATE TABLE extra.events_h1 PARTITION OF extra."Events ""2024""" FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
      CREATE TABLE extra.events_h2 PARTITION OF extra."Events ""2024""" FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
      INSERT INTO extra."Events ""2024""" SELECT 'S' || (g % 3), g, date '2024-01-01' + (g % 366), repeat('x', g % 10)
        FROM generate_series(1, 4000) AS g;
      ANALYZE;
    `);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cloudexit-verify-'));
  [source, target] = await Promise.all([startEmbeddedCluster(), startEmbeddedCluster()]);
  await Promise.all([createDatabase(source), createDatabase(target)]);
  await seedCatalog(source);
  await seedExtra();
  await copyDatabase();
  targetSql = adminClient(target, FIXTURE_DATABASE);
  await targetSql.connect();
  await targetSql.query('ANALYZE');
}, 180_000);

afterAll(async () => {
  await targetSql?.end();
  await Promise.all([source?.stop(), target?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

const table = (v: DatabaseVerification, name: string) => v.tables.find((t) => t.table === name)!;
const mismatching = (v: DatabaseVerification) => v.tables.filter((t) => t.mismatches.length > 0).map((t) => t.table);

/** Changes the target, verifies, and puts the target back even if the check fails. */
async function withTargetChange(
  change: string,
  undo: string,
  check: (v: DatabaseVerification) => void | Promise<void>,
  overrides: Partial<PostgresDataset> = {},
): Promise<void> {
  await targetSql.query(change);
  try {
    await check(await verify(overrides));
  } finally {
    await targetSql.query(undo);
  }
}

describe('verifyDatabase', () => {
  it('lists the tables, with primary keys in key order and the one without', async () => {
    const tables = await readCatalog(connectionOf(source), dataset());
    expect(tables.map((t) => t.name)).toEqual([
      'public.audit_trail',
      'public.measurements',
      'public.patients',
      'public.stays',
    ]);
    expect(tables.find((t) => t.table === 'measurements')!.primaryKey!.map((k) => `${k.name} ${k.type}`)).toEqual([
      'patient_id bigint',
      'taken_at timestamp with time zone',
      'code text',
    ]);
    expect(tablesWithoutPrimaryKey(tables)).toEqual(['public.audit_trail']);
    expect(tables.find((t) => t.table === 'stays')!.bytes).toBeGreaterThan(50_000_000);
    expect(await readCatalog(connectionOf(source), dataset({ excludeTables: ['public.stays'] }))).toHaveLength(3);
  });

  it('verifies identical databases, in key ranges, with exact row counts, and no rows reach Node', async () => {
    let maxRows = 0;
    let totalRows = 0;
    const original = pg.Client.prototype.query;
    // Every query cloudexit runs goes through Client#query; count what each one returned.
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise) {
        void result.then(
          (r: pg.QueryResult) => {
            const n = r?.rows?.length ?? 0;
            maxRows = Math.max(maxRows, n);
            totalRows += n;
          },
          () => {},
        );
      }
      return result as never;
    });
    let v: DatabaseVerification;
    try {
      v = await verify();
    } finally {
      spy.mockRestore();
    }
    expect(v.schemaDifferences).toEqual([]);
    expect(v.tables.flatMap((t) => t.mismatches)).toEqual([]);
    expect(v.ok).toBe(true);
    const stays = table(v, 'stays');
    expect(stays).toMatchObject({ method: 'pk-range', rows: { source: BIG_TABLE_ROWS, target: BIG_TABLE_ROWS } });
    expect(stays.chunks).toBeGreaterThanOrEqual(5);
    expect(table(v, 'audit_trail')).toMatchObject({
      method: 'whole-table',
      chunks: 1,
      rows: { source: 5000, target: 5000 },
    });
    expect(table(v, 'measurements').rows).toEqual({ source: 30_000, target: 30_000 });
    expect(table(v, 'patients').rows).toEqual({ source: 20_000, target: 20_000 });
    for (const t of v.tables) expect(t.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    // Over a million rows were fingerprinted; what came back were catalog rows and aggregates.
    expect(maxRows).toBeGreaterThan(0);
    expect(maxRows).toBeLessThan(100);
    expect(totalRows).toBeLessThan(1_000);
  });

  it('names the table and the key range of a changed row, and no other table', async () => {
    await withTargetChange(
      'UPDATE stays SET cost = cost + 1 WHERE id = 777777',
      'UPDATE stays SET cost = cost - 1 WHERE id = 777777',
      (v) => {
        expect(v.ok).toBe(false);
        expect(mismatching(v)).toEqual(['stays']);
        expect(v.schemaDifferences).toEqual([]);
        const [mismatch, ...others] = table(v, 'stays').mismatches;
        expect(others).toEqual([]);
        const range = /^id from (\d+) to (\d+): 200000 rows on both sides, content differs$/.exec(mismatch!);
        expect(range, mismatch).not.toBeNull();
        expect(Number(range![1])).toBeLessThanOrEqual(777777);
        expect(Number(range![2])).toBeGreaterThanOrEqual(777777);
      },
    );
  });

  it('names a composite key range for a changed row of a table with a composite key', async () => {
    const change =
      "UPDATE measurements SET value = value + 1 WHERE patient_id = 2500 AND code = 'LOINC-0' AND taken_at = (SELECT min(taken_at) FROM measurements WHERE patient_id = 2500 AND code = 'LOINC-0')";
    const undo = change.replace('value + 1', 'value - 1');
    await withTargetChange(
      change,
      undo,
      (v) => {
        expect(mismatching(v)).toEqual(['measurements']);
        const m = table(v, 'measurements');
        expect(m.chunks).toBeGreaterThanOrEqual(6);
        expect(m.mismatches).toHaveLength(1);
        expect(m.mismatches[0]).toMatch(
          /^\(patient_id, taken_at, code\) (after \(\d+, [^)]+\) )?up to \((\d+), [^)]+\): \d+ rows on both sides, content differs$/,
        );
      },
      { chunkRows: 5_000, excludeTables: ['public.stays'] },
    );
  });

  it('reports a deleted row of a table without primary key as a whole-table mismatch with both counts', async () => {
    const { rows } = await targetSql.query<{ happened_at: Date; actor: string; note: string | null }>(
      "SELECT * FROM audit_trail WHERE actor = 'user-5' ORDER BY happened_at LIMIT 1",
    );
    const row = rows[0]!;
    await targetSql.query('DELETE FROM audit_trail WHERE happened_at = $1 AND actor = $2', [
      row.happened_at,
      row.actor,
    ]);
    try {
      const v = await verify();
      expect(mismatching(v)).toEqual(['audit_trail']);
      expect(table(v, 'audit_trail').mismatches).toEqual([
        'whole table: 5000 rows on the source and 4999 on the target',
      ]);
      expect(table(v, 'audit_trail').rows).toEqual({ source: 5000, target: 4999 });
    } finally {
      // Put back at the end of the heap: the content is the same again, in another physical order.
      await targetSql.query('INSERT INTO audit_trail (happened_at, actor, note) VALUES ($1, $2, $3)', [
        row.happened_at,
        row.actor,
        row.note,
      ]);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('names changed sequence values, a dropped index and a changed column type', async () => {
    const change = `SELECT setval('export_batch', 1300); SELECT setval('stays_id_seq', 5);
      DROP INDEX stays_patient; ALTER TABLE stays ALTER COLUMN cost TYPE numeric`;
    const undo = `SELECT setval('export_batch', 1234); SELECT setval('stays_id_seq', ${BIG_TABLE_ROWS});
      CREATE INDEX stays_patient ON stays (patient_id); ALTER TABLE stays ALTER COLUMN cost TYPE numeric(12, 2)`;
    await withTargetChange(change, undo, (v) => {
      expect(v.ok).toBe(false);
      expect(v.schemaDifferences).toEqual([
        'stays: column cost is numeric(12,2) on the source and numeric on the target',
        'stays: index stays_patient (CREATE INDEX stays_patient ON stays USING btree (patient_id)) is missing on the target',
        'sequence export_batch: last value is 1234 on the source and 1300 on the target',
        `sequence stays_id_seq: last value is ${BIG_TABLE_ROWS} on the source and 5 on the target`,
      ]);
      // numeric(12,2) → numeric keeps every value's text: the content still matches.
      expect(mismatching(v)).toEqual([]);
    });
    expect((await verify()).ok).toBe(true);
  });

  it('does not depend on the physical order of rows', async () => {
    await targetSql.query(`CLUSTER stays USING stays_patient;
      CREATE TEMP TABLE shuffled AS SELECT * FROM audit_trail ORDER BY md5(actor || happened_at::text);
      TRUNCATE audit_trail; INSERT INTO audit_trail SELECT * FROM shuffled; ANALYZE`);
    const first = 'SELECT id FROM stays LIMIT 3';
    const sourceSql = adminClient(source, FIXTURE_DATABASE);
    await sourceSql.connect();
    try {
      const [a, b] = [await sourceSql.query(first), await targetSql.query(first)];
      expect(b.rows).not.toEqual(a.rows); // the target's heap really is in another order
    } finally {
      await sourceSql.end();
    }
    const v = await verify();
    expect(v.ok).toBe(true);
  });

  it('chunks text and char(n) keys, fingerprints money and partitioned tables, across schemas', async () => {
    const extra = { schemas: ['extra'], chunkRows: 1_000 };
    const v = await verify(extra);
    expect(v.schemaDifferences).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.tables.map((t) => [t.schema, t.table, t.rows.source, t.chunks])).toEqual([
      ['extra', 'Events "2024"', 4000, 5],
      ['extra', 'codes', 3000, 4],
    ]);
    const events = 'extra."Events ""2024"""';
    await withTargetChange(
      `UPDATE ${events} SET payload = 'changed' WHERE id = 2500`,
      `UPDATE ${events} SET payload = repeat('x', 2500 % 10) WHERE id = 2500`,
      (changed) => {
        expect(changed.tables.flatMap((t) => t.mismatches.map((m) => `${t.table}: ${m}`))).toEqual([
          expect.stringMatching(
            /^Events "2024": \(site, id, at\) after \(S1, \d+, [\d-]+\) up to \(S2, \d+, [\d-]+\): 1000 rows on both sides, content differs$/,
          ),
        ]);
      },
      extra,
    );
    const odd = "code = 'C00007, (odd)'";
    await withTargetChange(
      `UPDATE extra.codes SET price = price + 1::money WHERE ${odd}`,
      `UPDATE extra.codes SET price = price - 1::money WHERE ${odd}`,
      (changed) => {
        expect(changed.tables.flatMap((t) => t.mismatches)).toEqual([
          'code up to C01000: 1000 rows on both sides, content differs',
        ]);
      },
      extra,
    );
  });

  it('compares content by column name when the target has the columns in another order', async () => {
    await targetSql.query(`CREATE TABLE extra.codes_new (price money, code text PRIMARY KEY, label text NOT NULL);
      INSERT INTO extra.codes_new SELECT price, code, label FROM extra.codes;
      DROP TABLE extra.codes; ALTER TABLE extra.codes_new RENAME TO codes; ALTER INDEX extra.codes_new_pkey RENAME TO codes_pkey`);
    const v = await verify({ schemas: ['extra'], chunkRows: 1_000 });
    expect(v.tables.flatMap((t) => t.mismatches)).toEqual([]);
    expect(v.schemaDifferences).toEqual([
      'extra.codes: columns are in the order (code, label, price) on the source and (price, code, label) on the target',
    ]);
  });

  it('gives a table the same fingerprint whole or in chunks', async () => {
    const sourceSql = adminClient(source, FIXTURE_DATABASE);
    await sourceSql.connect();
    try {
      const measurements = (await readCatalog(connectionOf(source), dataset())).find(
        (t) => t.table === 'measurements',
      )!;
      const columns = [
        { name: 'patient_id', type: 'bigint' },
        { name: 'taken_at', type: 'timestamp with time zone' },
        { name: 'code', type: 'text' },
        { name: 'value', type: 'numeric' },
      ];
      const chunks = await planChunks(sourceSql, measurements, 1_000);
      expect(chunks).toHaveLength(31); // 30 boundaries (every 1000th key), then the open end
      let sum = EMPTY_FINGERPRINT;
      for (const chunk of chunks)
        sum = addFingerprints(sum, await fingerprintChunk(sourceSql, measurements, columns, chunk));
      const whole = await fingerprintChunk(sourceSql, measurements, columns, {});
      expect(whole.rows).toBe(30_000n);
      expect(sameFingerprint(sum, whole)).toBe(true);
    } finally {
      await sourceSql.end();
    }
  });

  it('writes the same evidence bytes for the same verification, without a password', async () => {
    const v = await verify();
    const file = join(work, 'evidence', 'fingerprints.json');
    const sha = await writeFingerprintEvidence(v, file);
    const again = await writeFingerprintEvidence({ ...v, tables: [...v.tables].reverse() }, file);
    expect(again).toBe(sha);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(source.password);
    expect(text).not.toContain(target.password);
    const parsed = JSON.parse(text) as { tables: { table: string; fingerprint: string; rows: unknown }[] };
    expect(parsed.tables.map((t) => t.table)).toEqual(['audit_trail', 'measurements', 'patients', 'stays']);
    expect(parsed.tables.find((t) => t.table === 'stays')).toMatchObject({
      fingerprint: table(v, 'stays').fingerprint,
      rows: { source: BIG_TABLE_ROWS, target: BIG_TABLE_ROWS },
    });
  });

  it('names the database, never the password, when it cannot connect', async () => {
    const wrong = connectionOf(target, 'not-the-password-4242');
    const failure = await verifyDatabase(connectionOf(source), wrong, dataset()).catch((err: unknown) => err as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`postgres@127.0.0.1:${target.port}/${FIXTURE_DATABASE}`);
    expect((failure as Error).message).not.toContain('not-the-password-4242');
  });
});
