/**
 * The decommission of a PostgreSQL dataset on real PostgreSQL clusters (src/embedded/
 * postgres.ts): a phase holding the catalogue database (and one object dataset) is copied,
 * verified and committed; after the hypercare, the decommission verifies the target against
 * the source, drops the migrated tables at the source (left read-only by the freeze), lists
 * the scope again to prove none is left, and certifies the date the provider's
 * point-in-time-restore backups expire (`backupRetentionDays`).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveDecommission, decommission } from '../../src/app/decommission.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { fixedClock } from '../../src/plan/clock.ts';
import { seedSource } from '../app/helpers.ts';
import { adminClient, createDatabase, seedCatalog } from '../databases/fixture.ts';
import { commitPhase, editPlan, type CommittedPhase } from './committed-phase.ts';

const DAY_MS = 86_400_000;
let source: EmbeddedCluster;
let target: EmbeddedCluster;
let dir: string;
let phase: CommittedPhase;

async function sourceTables(): Promise<string[]> {
  const client = adminClient(source, 'emc2_catalog');
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  [source, target] = await Promise.all([startEmbeddedCluster(), startEmbeddedCluster()]);
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-decommission-pg-'));
  await createDatabase(source, 'emc2_catalog');
  await createDatabase(target, 'emc2_catalog');
  await seedCatalog(source, 'emc2_catalog', 2_000);
  const side = (c: EmbeddedCluster, passwordEnv: string) => ({
    host: c.host,
    port: c.port,
    database: 'emc2_catalog',
    user: c.user,
    passwordEnv,
    sslmode: 'disable',
  });
  phase = await commitPhase(dir, ['docs'], async (plan) => {
    await seedSource(plan, 'docs', 2);
    plan.env['TEST_PG_SOURCE'] = source.password;
    plan.env['TEST_PG_TARGET'] = target.password;
    await editPlan(plan.file, [
      [
        ['datasets', 1],
        {
          name: 'catalog',
          title: 'Catalogue',
          kind: 'postgres',
          source: side(source, 'TEST_PG_SOURCE'),
          target: side(target, 'TEST_PG_TARGET'),
          workDir: join(dir, 'work'),
          chunkRows: 1_000,
          backupRetentionDays: 35,
        },
      ],
      [
        ['phases', 0, 'datasets'],
        ['docs', 'catalog'],
      ],
    ]);
  });
}, 240_000);
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function onSource(sql: string): Promise<void> {
  const client = adminClient(source, 'emc2_catalog');
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function onTarget(sql: string): Promise<void> {
  const client = adminClient(target, 'emc2_catalog');
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const clock = () => fixedClock(new Date(Date.parse(phase.committedAt) + 15 * DAY_MS).toISOString());

describe('decommission of a PostgreSQL dataset', () => {
  it('refuses the database, dropping nothing, while its target differs from the source', async () => {
    for (const [owner, as] of [
      ['decisionMaker', 'Claire Martin'],
      ['dpo', 'Yann Le Goff'],
    ] as const)
      await approveDecommission({ ...phase.options(), phase: 1, owner, as, clock: clock() });
    const before = await sourceTables();
    await onTarget("INSERT INTO audit_trail VALUES (now(), 'decommission-test', 'tampered')");
    const report = await decommission({ ...phase.options(), phase: 1, clock: clock() });
    expect(report.outcome).toBe('refused');
    expect(report.datasets.map((d) => [d.dataset, d.outcome])).toEqual([
      ['docs', 'decommissioned'],
      ['catalog', 'refused'],
    ]);
    expect(report.datasets[1]).toMatchObject({ reason: expect.stringMatching(/target failed verification/) });
    expect(await sourceTables()).toEqual(before);
    await onTarget("DELETE FROM audit_trail WHERE audit_trail::text LIKE '%tampered%'");
  }, 120_000);

  it('refuses the database, dropping nothing, while an object outside the dataset depends on one of its tables', async () => {
    const [first] = await sourceTables();
    // The freeze left the source read-only by default: this writer opts out, as a DBA would.
    await onSource(
      `BEGIN READ WRITE; CREATE SCHEMA reports; CREATE VIEW reports.v AS SELECT * FROM public.${first}; COMMIT`,
    );
    const before = await sourceTables();
    const report = await decommission({ ...phase.options(), phase: 1, clock: clock() });
    expect(report.datasets[1]).toMatchObject({
      dataset: 'catalog',
      outcome: 'refused',
      reason: expect.stringMatching(/depend.*nothing of dataset catalog was dropped/s),
    });
    expect(await sourceTables()).toEqual(before);
    await onSource('BEGIN READ WRITE; DROP SCHEMA reports CASCADE; COMMIT');
  }, 120_000);

  it('drops the migrated tables at the source and certifies when the PITR backups expire', async () => {
    const before = await sourceTables();
    expect(before.length).toBeGreaterThan(2);
    const report = await decommission({ ...phase.options(), phase: 1, clock: clock() });
    expect(report, JSON.stringify(report.datasets)).toMatchObject({ outcome: 'done', objectsLeftAtSource: 0 });
    const expires = new Date(clock().now().getTime() + 35 * DAY_MS).toISOString();
    expect(report.datasets[0]).toMatchObject({ dataset: 'docs', outcome: 'already-decommissioned' });
    expect(report.datasets[1]).toMatchObject({
      dataset: 'catalog',
      kind: 'postgres',
      outcome: 'decommissioned',
      goneAt: clock().now().toISOString(),
      residualUntil: expires,
      objectsLeftAtSource: 0,
    });
    expect(report.residualUntil).toBe(expires);
    expect(await sourceTables()).toEqual([]);
    const certificate = JSON.parse(
      await readFile(join(dir, 'evidence', 'decommission', 'catalog.certificate.json'), 'utf8'),
    );
    expect(certificate.listedBefore.tables).toEqual(before.map((t) => `public.${t}`));
    expect(certificate.deleted.count).toBe(before.length);
    expect(certificate.remaining).toMatchObject({
      objectsLeftAtSource: 0,
      tables: [],
      pointInTimeRestoreBackups: { retentionDays: 35, expireAt: expires },
    });
  }, 120_000);
});
