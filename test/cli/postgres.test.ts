import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { adminClient, createDatabase, seedCatalog } from '../databases/fixture.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli } from './run-cli.ts';

let source: EmbeddedCluster;
let target: EmbeddedCluster;
let dir: string;
let plan: PlanFixture;
let env: NodeJS.ProcessEnv;

const cli = (...args: string[]) =>
  runCli(
    [...args, '--plan', plan.file, '--state', join(dir, 'state.db'), '--evidence', join(dir, 'evidence'), '--json'],
    env,
  );
const targetQuery = async (sql: string) => {
  const client = adminClient(target, 'emc2_catalog');
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  [source, target] = await Promise.all([startEmbeddedCluster(), startEmbeddedCluster()]);
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-pgcli-'));
  await createDatabase(source, 'emc2_catalog');
  await createDatabase(target, 'emc2_catalog');
  await seedCatalog(source, 'emc2_catalog', 120_000);
  plan = await writeTestPlan(dir, ['files']);
  const doc = parseDocument(await readFile(plan.file, 'utf8'));
  const side = (c: EmbeddedCluster, passwordEnv: string) => ({
    host: c.host,
    port: c.port,
    database: 'emc2_catalog',
    user: c.user,
    passwordEnv,
    sslmode: 'disable',
  });
  doc.addIn(
    ['datasets'],
    doc.createNode({
      name: 'catalog',
      title: 'Research catalogue',
      kind: 'postgres',
      method: 'dump-restore',
      source: side(source, 'TEST_PG_SOURCE'),
      target: side(target, 'TEST_PG_TARGET'),
      workDir: join(dir, 'work'),
      chunkRows: 20_000,
    }),
  );
  doc.addIn(['phases', 0, 'datasets'], 'catalog');
  await createDatabase(target, 'emc2_subset');
  doc.addIn(
    ['datasets'],
    doc.createNode({
      name: 'catalog-subset',
      title: 'Two tables of the catalogue',
      kind: 'postgres',
      source: side(source, 'TEST_PG_SOURCE'),
      target: { ...side(target, 'TEST_PG_TARGET'), database: 'emc2_subset' },
      tables: ['public.patients', 'public.measurements'],
      workDir: join(dir, 'work'),
    }),
  );
  doc.addIn(['phases', 0, 'datasets'], 'catalog-subset');
  await createDatabase(target, 'emc2_online');
  doc.addIn(
    ['datasets'],
    doc.createNode({
      name: 'catalog-online',
      title: 'The catalogue, replicated',
      kind: 'postgres',
      method: 'logical',
      source: side(source, 'TEST_PG_SOURCE'),
      target: { ...side(target, 'TEST_PG_TARGET'), database: 'emc2_online' },
      excludeTables: ['public.audit_trail'],
      workDir: join(dir, 'work'),
    }),
  );
  doc.addIn(['phases', 0, 'datasets'], 'catalog-online');
  await writeFile(plan.file, doc.toString());
  env = { ...plan.env, TEST_PG_SOURCE: source.password, TEST_PG_TARGET: target.password };
}, 180_000);
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('a PostgreSQL dataset through the CLI', () => {
  it('a missing database password names the variable and creates no state', async () => {
    const { TEST_PG_TARGET: _gone, ...partial } = env;
    const r = await runCli(
      ['copy', '--plan', plan.file, '--state', join(dir, 'never.db'), '--dataset', 'catalog'],
      partial,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TEST_PG_TARGET is not set');
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });

  it('inventory lists its tables and the one that blocks the logical method', async () => {
    const r = await cli('inventory', '--dataset', 'catalog');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).databases[0]).toMatchObject({
      dataset: 'catalog',
      tables: 4,
      withoutPrimaryKey: ['public.audit_trail'],
    });
  });

  it('copy, verify, a row altered on the target named by table and key range, and copy repairs it', async () => {
    const copy = await cli('copy', '--dataset', 'catalog');
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(JSON.parse(copy.stdout).databases[0]).toMatchObject({ status: 'copied', tables: 4 });

    const clean = await cli('verify', '--dataset', 'catalog');
    expect(clean.code, clean.stdout).toBe(0);
    expect(JSON.parse(clean.stdout).databases[0].verification).toMatchObject({
      ok: true,
      tablesVerified: 4,
      mismatches: [],
    });

    await targetQuery('UPDATE stays SET cost = cost + 1 WHERE id = 77777');
    const dirty = await cli('verify', '--dataset', 'catalog');
    expect(dirty.code).toBe(1);
    const mismatches: string[] = JSON.parse(dirty.stdout).databases[0].verification.mismatches;
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toMatch(/^public\.stays: id from (\d+) to (\d+)/);
    const [, from, to] = /from (\d+) to (\d+)/.exec(mismatches[0]!)!;
    expect(Number(from)).toBeLessThanOrEqual(77777);
    expect(Number(to)).toBeGreaterThanOrEqual(77777);

    expect((await cli('copy', '--dataset', 'catalog')).code).toBe(0);
    expect((await cli('verify', '--dataset', 'catalog')).code).toBe(0);
    const evidence = JSON.parse(await readFile(join(dir, 'evidence', 'catalog', 'fingerprints.json'), 'utf8'));
    expect(JSON.stringify(evidence)).toContain('stays');
    for (const secret of [source.password, target.password]) expect(JSON.stringify(evidence)).not.toContain(secret);
  });

  it('moves only the tables a dataset lists', async () => {
    expect(JSON.parse((await cli('inventory', '--dataset', 'catalog-subset')).stdout).databases[0]).toMatchObject({
      tables: 2,
      withoutPrimaryKey: [],
    });
    const copy = await cli('copy', '--dataset', 'catalog-subset');
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const client = adminClient(target, 'emc2_subset');
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      expect(rows.map((r) => r.table_name)).toEqual(['measurements', 'patients']);
    } finally {
      await client.end();
    }
    const verify = await cli('verify', '--dataset', 'catalog-subset');
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('a logical dataset replicates, and status --live measures its lag', async () => {
    const copy = await cli('copy', '--dataset', 'catalog-online');
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const r = await runCli(['status', '--plan', plan.file, '--state', join(dir, 'state.db'), '--live', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const online = JSON.parse(r.stdout).phases[0].databases.find((d: { name: string }) => d.name === 'catalog-online');
    expect(online).toMatchObject({
      method: 'logical',
      status: 'copied',
      lag: { caughtUp: expect.any(Boolean), bytes: expect.any(Number) },
    });
    const text = await runCli(['status', '--plan', plan.file, '--state', join(dir, 'state.db')], env);
    expect(text.stdout).toMatch(/catalog-online\s+1\s+logical\s+copied/);
  });

  it('status shows the database verified in its phase', async () => {
    const r = await runCli(['status', '--plan', plan.file, '--state', join(dir, 'state.db'), '--json'], env);
    expect(JSON.parse(r.stdout).phases[0].databases[0]).toMatchObject({
      name: 'catalog',
      status: 'verified',
      tables: 4,
      tablesVerified: 4,
      mismatches: 0,
    });
  });
});
