/**
 * The stage of a rehearsal: embedded Azurite (source) and an S3 target on 127.0.0.1 —
 * Ceph RGW, a real S3 implementation, where Ceph is installed (and we are root, as its
 * daemons expect), s3rver otherwise — and a copy of the plan pointing at them, its secrets in
 * an environment of its own. The use cases then run on that plan exactly as they run on a
 * real one: the same wiring reads the same kind of secrets from the environment the plan names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContainer, startAzurite, type AzuriteHandle } from '../embedded/azurite.ts';
import { RGW_INSTALL_HINT, rgwInstalled, startRgw } from '../embedded/rgw.ts';
import { createBucket, startS3rver } from '../embedded/s3rver.ts';
import type { ProgressSink } from '../progress.ts';
import type { LoadedPlan } from '../plan/load.ts';
import { isObjectDataset, type Dataset } from '../plan/schema.ts';
import { seedStore } from '../rehearsal/seed.ts';
import { syntheticWarehouse } from '../rehearsal/synthetic.ts';
import { connectionsFromPlan, engineDatasets } from './connections.ts';

/** Names of the variables that hold the emulators' secrets in the stage's environment. */
const SECRET_ENV = {
  sourceKey: 'CLOUDEXIT_REHEARSAL_SOURCE_KEY',
  targetKeyId: 'CLOUDEXIT_REHEARSAL_TARGET_KEY_ID',
  targetSecret: 'CLOUDEXIT_REHEARSAL_TARGET_SECRET',
} as const;

export interface Stage {
  /** The plan, pointed at the local servers. */
  plan: LoadedPlan;
  /** This process's environment plus the local servers' secrets. */
  env: NodeJS.ProcessEnv;
  /** Temporary folder: emulator data, the state, database work files. */
  temp: string;
  /** Stops what runs on the stage (last started first). */
  stops: (() => Promise<void>)[];
  /** Which S3 server the rehearsal writes to, and why. */
  target: RehearsalTarget;
}

/** The S3 server of a rehearsal: `ceph-rgw` (a real S3 implementation) or `s3rver` (a fake). */
export interface RehearsalTarget {
  server: 'ceph-rgw' | 's3rver';
  /** Why this one, in words, e.g. how to get RGW when s3rver was used. */
  why: string;
}

/** Where an S3 server answers, and the credentials it accepts. */
interface S3Handle {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/** RGW where it can run (Ceph installed, root), s3rver otherwise; `prefer` forces one. */
async function startTarget(
  temp: string,
  buckets: readonly string[],
  prefer: 'auto' | 'ceph-rgw' | 's3rver',
  progress: ProgressSink,
): Promise<{ s3: S3Handle; target: RehearsalTarget }> {
  const canRgw = rgwInstalled() && process.getuid?.() === 0;
  if (prefer === 'ceph-rgw' && !canRgw)
    throw new Error(`Ceph RGW cannot run here: it needs root and ${RGW_INSTALL_HINT}`);
  if (prefer !== 's3rver' && canRgw) {
    progress.note('starting Ceph RGW (a real S3 implementation) as the target');
    const s3 = await startRgw();
    try {
      for (const bucket of buckets) await createBucket(s3, bucket);
    } catch (err) {
      await s3.stop();
      throw err;
    }
    return { s3, target: { server: 'ceph-rgw', why: 'Ceph RGW is installed: the target is a real S3 implementation' } };
  }
  const why =
    prefer === 's3rver'
      ? 's3rver was asked for'
      : `Ceph RGW is not available (it needs root and: ${RGW_INSTALL_HINT}); s3rver, a fake S3, stands in`;
  progress.note(`target: ${why}`);
  return {
    s3: await startS3rver({ directory: join(temp, 's3rver'), buckets: [...buckets] }),
    target: { server: 's3rver', why },
  };
}

/** Starts the object stores and points the plan at them. */
export async function openStage(
  plan: LoadedPlan,
  options: { target?: 'auto' | 'ceph-rgw' | 's3rver'; progress: ProgressSink },
): Promise<Stage> {
  const temp = await mkdtemp(join(tmpdir(), 'cloudexit-rehearsal-'));
  const stage: Stage = { plan, env: { ...process.env }, temp, stops: [], target: { server: 's3rver', why: '' } };
  try {
    const azurite = await startAzurite();
    stage.stops.push(azurite.stop);
    const buckets = [...new Set(plan.datasets.filter(isObjectDataset).map((d) => d.target.bucket))];
    const { s3, target } = await startTarget(temp, buckets, options.target ?? 'auto', options.progress);
    stage.stops.push(s3.stop);
    stage.target = target;
    for (const dataset of plan.datasets.filter(isObjectDataset))
      await createContainer(azurite, dataset.source.container);
    return pointAtObjectStores(stage, azurite, s3);
  } catch (err) {
    await closeStage(stage, false);
    throw err;
  }
}

function pointAtObjectStores(stage: Stage, azurite: AzuriteHandle, s3: S3Handle): Stage {
  const plan: LoadedPlan = {
    ...stage.plan,
    source: {
      kind: 'azure-blob',
      endpoint: azurite.endpoint,
      auth: { method: 'key', accountName: azurite.accountName, accountKeyEnv: SECRET_ENV.sourceKey },
    },
    target: {
      kind: 's3',
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      flexibleChecksums: false,
      etagIsMd5: true,
      auth: { accessKeyIdEnv: SECRET_ENV.targetKeyId, secretAccessKeyEnv: SECRET_ENV.targetSecret },
    },
  };
  const env = {
    ...stage.env,
    [SECRET_ENV.sourceKey]: azurite.accountKey,
    [SECRET_ENV.targetKeyId]: s3.accessKeyId,
    [SECRET_ENV.targetSecret]: s3.secretAccessKey,
  };
  return { ...stage, plan, env };
}

/**
 * Writes the synthetic EMC2 warehouse into the source containers of the selected object
 * datasets, through the same adapters a copy reads them with.
 */
export async function seedSources(stage: Stage, selected: readonly Dataset[], progress: ProgressSink): Promise<void> {
  const objects = selected.filter(isObjectDataset);
  if (objects.length === 0) return;
  const warehouse = syntheticWarehouse();
  const datasets = await engineDatasets(objects, connectionsFromPlan(stage.plan.source, stage.plan.target, stage.env));
  for (const dataset of datasets) {
    const synthetic = (warehouse.get(dataset.name) ?? []).map((o) => ({ ...o, key: dataset.sourcePrefix + o.key }));
    progress.note(`seeding ${synthetic.length} synthetic objects into ${dataset.name} (Azurite)`);
    await seedStore(dataset.source, synthetic);
  }
}

/** Stops everything on the stage; removes its temporary folder unless `keep`. */
export async function closeStage(stage: Stage, keep: boolean): Promise<void> {
  for (const stop of [...stage.stops].reverse()) await stop().catch(() => {});
  if (!keep) await rm(stage.temp, { recursive: true, force: true });
}
