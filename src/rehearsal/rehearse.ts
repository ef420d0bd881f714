/**
 * A full rehearsal of a plan on this machine, with no cloud account: embedded Azurite
 * (source) and s3rver (target) on 127.0.0.1, the synthetic EMC2 warehouse seeded into
 * the source, then every dataset through inventory → copy → verify quick → verify full,
 * with the same engine and the same plan limits as a real migration. Emulator data and
 * the state are temporary; evidence (manifests) stays in the output folder.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { copyDataset } from '../engine/copy.ts';
import { inventoryDataset } from '../engine/inventory.ts';
import { writeManifest, type ManifestSummary } from '../engine/manifest.ts';
import { verifyDataset } from '../engine/verify.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { planHookRunner } from '../cli/hook-wiring.ts';
import { openSession, type DataOptions, type Session } from '../cli/session.ts';
import { recordApproval } from '../cutover/approve.ts';
import { OWNER_ROLES } from '../cutover/gates.ts';
import { runCutover } from '../cutover/machine.ts';
import { systemClock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import { isObjectDataset } from '../plan/schema.ts';
import { findPostgresBinaries, INSTALL_HINT, startEmbeddedCluster, type EmbeddedCluster } from '../databases/cluster.ts';
import { adminClient, createDatabase, seedCatalog } from './synthetic-catalog.ts';
import type { Connections } from '../cli/wiring.ts';
import { createAzureBlobStore } from '../stores/azure-blob.ts';
import { createContainer, startAzurite, startS3rver } from './services.ts';
import { seedStore } from './seed.ts';
import { syntheticWarehouse } from './synthetic.ts';
import { loadPlan } from '../plan/load.ts';
import { writeRunbooks } from '../report/runbook.ts';

export interface RehearsalOptions extends Pick<DataOptions, 'plan' | 'dataset' | 'phase' | 'concurrency' | 'bandwidth' | 'progress' | 'json'> {
  /** Folder for the rehearsal's evidence (and, later, its runbooks). @default .cloudexit/rehearsal */
  out?: string;
  /** Keep the emulators' data and the state in the temporary folder, and say where. @default false */
  keep?: boolean;
}

export interface DatasetRehearsal {
  name: string;
  objects: number;
  bytes: number;
  copied: number;
  partsResumed: number;
  failed: number;
  verifiedQuick: number;
  verifiedFull: number;
  mismatches: number;
  manifest: ManifestSummary | undefined;
}

export interface PhaseRehearsal {
  id: number;
  name: string;
  /** Final cutover state: `committed` when the rehearsal went all the way. */
  state: string;
  stoppedAt: { step: string; error: string } | undefined;
}

export interface RehearsalReport {
  ok: boolean;
  plan: string;
  datasets: DatasetRehearsal[];
  objects: number;
  bytes: number;
  copied: number;
  verified: number;
  mismatches: number;
  failed: number;
  /** PostgreSQL tables across the rehearsed databases. */
  tables: { count: number; verified: number; mismatches: number };
  /** PostgreSQL datasets, or why they were left out. */
  databases: { name: string; method: string; status: string; tables: number; bytes: number }[];
  /** Set when PostgreSQL is not installed: the object datasets were rehearsed alone. */
  databasesSkipped: string | undefined;
  /** Each phase of the plan whose datasets were all rehearsed, taken through cutover to commit. */
  phases: PhaseRehearsal[];
  /** Hash of the last audit event: the head of the hash chain of this rehearsal. */
  auditHead: string | undefined;
  seconds: number;
  outDir: string;
  /** Where the temporary data was (only with `keep`). */
  kept: string | undefined;
  /** Folder of the runbooks of the rehearsed migration (README.md, phase-N.md, overview.html). */
  runbooks?: string;
}

/** Rows of the catalogue's largest table in a rehearsal (the tests use over a million). */
const REHEARSAL_ROWS = 200_000;

/**
 * Two embedded PostgreSQL clusters standing for Azure's flexible server and OVHcloud's
 * managed PostgreSQL: each PostgreSQL dataset of the session is pointed at them, its
 * database seeded with the synthetic catalogue on the source side, its grant roles created
 * on the target. The passwords exist only in this process's environment.
 */
async function embeddedDatabases(session: Session, temp: string, stops: (() => Promise<void>)[]): Promise<{ skipped: string[] }> {
  if (session.databases.length === 0) return { skipped: [] };
  if (!findPostgresBinaries()) {
    const skipped = session.databases.map((d) => d.name);
    session.ctx.progress.note(`PostgreSQL is not installed: ${INSTALL_HINT}. Rehearsing the object datasets alone (without ${skipped.join(', ')}).`);
    session.databases = [];
    return { skipped };
  }
  session.ctx.progress.note('starting two embedded PostgreSQL clusters (source and target)');
  const source = await startEmbeddedCluster();
  stops.push(source.stop);
  const target = await startEmbeddedCluster();
  stops.push(target.stop);
  process.env['CLOUDEXIT_REHEARSAL_PG_SOURCE'] = source.password;
  process.env['CLOUDEXIT_REHEARSAL_PG_TARGET'] = target.password;
  const local = (cluster: EmbeddedCluster, database: string, passwordEnv: string) =>
    ({ host: cluster.host, port: cluster.port, database, user: cluster.user, passwordEnv, sslmode: 'disable' as const });
  session.databases = await Promise.all(session.databases.map(async (dataset) => {
    await createDatabase(source, dataset.source.database);
    await createDatabase(target, dataset.target.database);
    session.ctx.progress.note(`seeding the synthetic catalogue into ${dataset.name} (PostgreSQL ${source.version})`);
    await seedCatalog(source, dataset.source.database, REHEARSAL_ROWS);
    const admin = adminClient(target, dataset.target.database);
    await admin.connect();
    try {
      for (const grant of dataset.grants) await admin.query(`CREATE ROLE "${grant.role.replace(/"/g, '""')}" NOLOGIN`).catch(() => {});
    } finally {
      await admin.end();
    }
    return {
      ...dataset,
      source: local(source, dataset.source.database, 'CLOUDEXIT_REHEARSAL_PG_SOURCE'),
      target: local(target, dataset.target.database, 'CLOUDEXIT_REHEARSAL_PG_TARGET'),
      workDir: join(temp, 'pg-work', dataset.name),
    };
  }));
  return { skipped: [] };
}

/**
 * Every phase whose datasets were all rehearsed goes through the real cutover with the
 * plan's hooks (the example hooks write pointer files under the output folder), after the
 * go of its four owners, recorded as given by the rehearsal.
 */
async function cutoverPhases(plan: LoadedPlan, session: Session, outDir: string, clean: boolean, skipped: readonly string[]): Promise<PhaseRehearsal[]> {
  const results: PhaseRehearsal[] = [];
  // Databases left out for want of PostgreSQL do not hold their phase back.
  const rehearsed = new Set([...session.datasets.map((d) => d.name), ...session.databases.map((d) => d.name), ...skipped]);
  const ops = { state: session.state, progress: session.ctx.progress, evidenceDir: session.evidenceDir };
  for (const phase of plan.phases.filter((p) => p.datasets.every((d) => rehearsed.has(d)))) {
    if (!clean || session.ctx.signal?.aborted) {
      results.push({ id: phase.id, name: phase.name, state: 'planned', stoppedAt: undefined });
      continue;
    }
    const deps = { state: session.state, phase, clock: systemClock, actor: 'rehearsal' };
    for (const role of OWNER_ROLES) await recordApproval(deps, role);
    session.ctx.progress.note(`cutover of phase ${phase.id} (${phase.name}) with the plan's hooks`);
    const { databaseCutover, openDatabase } = await import('../databases/operations.ts');
    const result = await runCutover({
      databases: session.databases.filter((d) => phase.datasets.includes(d.name)).map((d) => databaseCutover(openDatabase(d, ops), ops)),
      ...deps, datasets: session.datasets.filter((d) => phase.datasets.includes(d.name)), ctx: session.ctx, hooks: plan.hooks,
      runHook: planHookRunner(plan, phase, session.ctx.runId, { stateDir: join(outDir, 'hooks') }), parity: undefined,
    });
    results.push({ id: phase.id, name: phase.name, state: result.state, stoppedAt: result.stoppedAt });
  }
  return results;
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  const started = performance.now();
  const plan = await loadPlan(options.plan);
  const outDir = resolve(options.out ?? join('.cloudexit', 'rehearsal'));
  await mkdir(outDir, { recursive: true });
  const temp = await mkdtemp(join(tmpdir(), 'cloudexit-rehearsal-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const azurite = await startAzurite();
    stops.push(azurite.stop);
    const s3 = await startS3rver({ directory: join(temp, 's3rver'), buckets: plan.datasets.filter(isObjectDataset).map((d) => d.target.bucket) });
    stops.push(s3.stop);
    const connections: Connections = {
      source: { endpoint: azurite.endpoint, credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey } },
      target: {
        endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, flexibleChecksums: false,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      },
    };
    const session = await openSession({ ...options, state: join(temp, 'state.db'), evidence: join(outDir, 'evidence') }, 'rehearse', connections);
    const { ctx } = session;
    const pg = await embeddedDatabases(session, temp, stops);
    const warehouse = syntheticWarehouse();
    for (const dataset of session.datasets) {
      const spec = plan.datasets.filter(isObjectDataset).find((d) => d.name === dataset.name)!;
      await createContainer(azurite, spec.source.container);
      const objects = (warehouse.get(dataset.name) ?? []).map((o) => ({ ...o, key: dataset.sourcePrefix + o.key }));
      ctx.progress.note(`seeding ${objects.length} synthetic objects into ${dataset.name} (Azurite)`);
      await seedStore(createAzureBlobStore({ ...connections.source, container: spec.source.container }), objects);
    }
    const seededAt = performance.now();

    const datasets: DatasetRehearsal[] = [];
    for (const dataset of session.datasets) {
      if (ctx.signal?.aborted) break;
      const inventory = await inventoryDataset(ctx, dataset);
      const copy = await copyDataset(ctx, dataset, { inventory: false });
      const quick = await verifyDataset(ctx, dataset, 'quick');
      const full = await verifyDataset(ctx, dataset, 'full');
      const clean = copy.failed.length === 0 && quick.mismatches.length === 0 && full.mismatches.length === 0 && full.notCopied === 0;
      datasets.push({
        name: dataset.name, objects: inventory.objects, bytes: inventory.bytes, copied: copy.copied,
        partsResumed: copy.partsResumed, failed: copy.failed.length,
        verifiedQuick: quick.verified, verifiedFull: full.verified,
        mismatches: quick.mismatches.length + full.mismatches.length,
        manifest: clean ? await writeManifest(ctx, dataset, session.evidenceDir) : undefined,
      });
    }
    const ops = { state: session.state, progress: ctx.progress, evidenceDir: session.evidenceDir };
    const databases: RehearsalReport['databases'] = [];
    const tables = { count: 0, verified: 0, mismatches: 0 };
    for (const dataset of session.databases) {
      const { copyDatabase, openDatabase, verifyDatabaseDataset } = await import('../databases/operations.ts');
      const handle = openDatabase(dataset, ops);
      const copied = await copyDatabase(handle, ops);
      const { record } = copied.status === 'failed' ? { record: copied } : await verifyDatabaseDataset(handle, ops);
      databases.push({ name: dataset.name, method: dataset.method, status: record.status, tables: record.tables, bytes: record.bytes });
      tables.count += record.tables;
      tables.verified += record.verification?.tablesVerified ?? 0;
      tables.mismatches += (record.verification?.mismatches.length ?? 0) + (record.verification?.schemaDifferences.length ?? 0);
      if (record.lastError) ctx.progress.note(`${dataset.name}: ${record.lastError}`);
    }
    // The freeze must fall in a later second than the last write (sources stamp writes to the second).
    await sleep(Math.max(0, 1100 - (performance.now() - seededAt)));
    const clean = datasets.every((d) => d.failed + d.mismatches === 0) && databases.every((d) => d.status === 'verified');
    const phases = await cutoverPhases(plan, session, outDir, clean, pg.skipped);
    const sum = (f: (d: DatasetRehearsal) => number) => datasets.reduce((n, d) => n + f(d), 0);
    const report: RehearsalReport = {
      ok: datasets.length === session.datasets.length && sum((d) => d.failed + d.mismatches) === 0 && sum((d) => d.objects - d.verifiedFull) === 0 &&
        databases.every((d) => d.status === 'verified') && phases.every((p) => p.state === 'committed'),
      plan: plan.file,
      datasets,
      objects: sum((d) => d.objects),
      bytes: sum((d) => d.bytes),
      copied: sum((d) => d.copied),
      verified: sum((d) => d.verifiedFull),
      mismatches: sum((d) => d.mismatches),
      failed: sum((d) => d.failed),
      tables,
      databases,
      databasesSkipped: pg.skipped.length > 0 ? `PostgreSQL is not installed: ${INSTALL_HINT}. Rehearsed without ${pg.skipped.join(', ')}.` : undefined,
      phases,
      auditHead: (await session.state.auditHead())?.hash,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      outDir,
      kept: options.keep ? temp : undefined,
    };
    await session.audit('rehearse', report.ok ? 'succeeded' : 'failed', { objects: report.objects, bytes: report.bytes, verified: report.verified, mismatches: report.mismatches });
    report.auditHead = (await session.state.auditHead())?.hash;
    // The runbooks of the finished migration, as its project managers would read them.
    report.runbooks = join(outDir, 'runbooks');
    await writeRunbooks({ plan, state: session.state, outDir: report.runbooks, evidenceDir: join(outDir, 'evidence'), html: true });
    await session.finish(report.ok ? 'succeeded' : 'failed', { objects: report.copied, bytes: report.bytes, failed: report.failed + report.mismatches });
    return report;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (!options.keep) await rm(temp, { recursive: true, force: true });
  }
}
