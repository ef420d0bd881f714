/**
 * The PostgreSQL side of a rehearsal: two embedded clusters standing for Azure's flexible
 * server and OVHcloud's managed PostgreSQL. Each selected PostgreSQL dataset of the plan is
 * pointed at them, its source database seeded with the synthetic catalogue, its grant roles
 * created on the target. The passwords exist only in the stage's environment.
 */
import { join } from 'node:path';
import { findPostgresBinaries, INSTALL_HINT } from '../databases/binaries.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from '../embedded/postgres.ts';
import type { ProgressSink } from '../progress.ts';
import type { Dataset, PostgresDataset } from '../plan/schema.ts';
import { adminClient, createDatabase, seedCatalog } from '../rehearsal/synthetic-catalog.ts';
import type { Stage } from './rehearsal-stage.ts';

/** Rows of the catalogue's largest table in a rehearsal (the tests use over a million). */
const REHEARSAL_ROWS = 200_000;

const PASSWORD_ENV = { source: 'CLOUDEXIT_REHEARSAL_PG_SOURCE', target: 'CLOUDEXIT_REHEARSAL_PG_TARGET' } as const;

/** The stage with its databases, and the datasets left out for want of PostgreSQL. */
export interface StagedDatabases {
  stage: Stage;
  skipped: string[];
}

/**
 * Starts the clusters when a selected dataset needs them. Without PostgreSQL installed, the
 * PostgreSQL datasets leave the stage's plan (and its phases): the objects are rehearsed alone.
 */
export async function stageDatabases(
  stage: Stage,
  selected: readonly Dataset[],
  progress: ProgressSink,
): Promise<StagedDatabases> {
  const databases = selected.filter((d): d is PostgresDataset => d.kind === 'postgres');
  if (databases.length === 0) return { stage, skipped: [] };
  if (!findPostgresBinaries()) {
    const skipped = databases.map((d) => d.name);
    progress.note(
      `PostgreSQL is not installed: ${INSTALL_HINT}. Rehearsing the object datasets alone (without ${skipped.join(', ')}).`,
    );
    return { stage: withoutDatasets(stage, skipped), skipped };
  }
  progress.note('starting two embedded PostgreSQL clusters (source and target)');
  const source = await startEmbeddedCluster();
  stage.stops.push(source.stop);
  const target = await startEmbeddedCluster();
  stage.stops.push(target.stop);
  const staged = new Map<string, PostgresDataset>();
  for (const dataset of databases)
    staged.set(dataset.name, await stageDatabase(dataset, source, target, stage.temp, progress));
  return {
    stage: {
      ...stage,
      plan: { ...stage.plan, datasets: stage.plan.datasets.map((d) => staged.get(d.name) ?? d) },
      env: { ...stage.env, [PASSWORD_ENV.source]: source.password, [PASSWORD_ENV.target]: target.password },
    },
    skipped: [],
  };
}

async function stageDatabase(
  dataset: PostgresDataset,
  source: EmbeddedCluster,
  target: EmbeddedCluster,
  temp: string,
  progress: ProgressSink,
): Promise<PostgresDataset> {
  await createDatabase(source, dataset.source.database);
  await createDatabase(target, dataset.target.database);
  progress.note(`seeding the synthetic catalogue into ${dataset.name} (PostgreSQL ${source.version})`);
  await seedCatalog(source, dataset.source.database, REHEARSAL_ROWS);
  const admin = adminClient(target, dataset.target.database);
  await admin.connect();
  try {
    for (const grant of dataset.grants)
      await admin.query(`CREATE ROLE "${grant.role.replace(/"/g, '""')}" NOLOGIN`).catch(() => {});
  } finally {
    await admin.end();
  }
  const local = (cluster: EmbeddedCluster, database: string, passwordEnv: string) => ({
    host: cluster.host,
    port: cluster.port,
    database,
    user: cluster.user,
    passwordEnv,
    sslmode: 'disable' as const,
  });
  return {
    ...dataset,
    source: local(source, dataset.source.database, PASSWORD_ENV.source),
    target: local(target, dataset.target.database, PASSWORD_ENV.target),
    workDir: join(temp, 'pg-work', dataset.name),
  };
}

/** The stage without these datasets: gone from the plan and from the phases that listed them. */
function withoutDatasets(stage: Stage, names: readonly string[]): Stage {
  const kept = (name: string) => !names.includes(name);
  const plan = {
    ...stage.plan,
    datasets: stage.plan.datasets.filter((d) => kept(d.name)),
    phases: stage.plan.phases.map((p) => ({ ...p, datasets: p.datasets.filter(kept) })),
  };
  return { ...stage, plan };
}
