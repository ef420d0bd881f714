/**
 * What the worker tests share: a PostgreSQL state on an embedded cluster, a plan whose
 * datasets live on the suite's Azurite and s3rver (or RGW), seeded objects, and readings
 * of the ledger and the workers' reports that prove nothing was lost or recorded twice.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type pg from 'pg';
import { inject } from 'vitest';
import { parseDocument } from 'yaml';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { adminClient, createDatabase } from '../../src/rehearsal/synthetic-catalog.ts';
import type { ObjectRecord } from '../../src/state/contracts/objects.ts';
import { openPostgresStateStore, type PostgresStateStore } from '../../src/state/postgres.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { uniqueName } from '../support/stores.ts';
import { bytesOf } from '../engine/harness.ts';
import { writeTestPlan, type PlanFixture, type TargetChoice } from '../cli/plan-fixture.ts';

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An embedded PostgreSQL cluster holding the tests' state databases. */
export interface StateCluster {
  cluster: EmbeddedCluster;
  /** The environment that carries the password: it never goes in a URL. */
  env: NodeJS.ProcessEnv;
  /** A fresh state database (each plan binds its own). */
  newState(): Promise<StateDatabase>;
}

export interface StateDatabase {
  database: string;
  /** `postgresql://postgres@HOST:PORT/DB` for a client reaching the cluster there (default: its own address). */
  url(host?: string, port?: number): string;
  open(): Promise<PostgresStateStore>;
  /** One SQL query as the superuser, for what no contract shows (who holds a key, every recording). */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
}

export async function startStateCluster(): Promise<StateCluster> {
  const cluster = await startEmbeddedCluster();
  return {
    cluster,
    env: { PGPASSWORD: cluster.password },
    async newState() {
      const database = uniqueName('state').replace(/-/g, '_');
      await createDatabase(cluster, database);
      return {
        database,
        url: (host = cluster.host, port = cluster.port) => `postgresql://${cluster.user}@${host}:${port}/${database}`,
        open: () =>
          openPostgresStateStore({
            host: cluster.host,
            port: cluster.port,
            user: cluster.user,
            password: cluster.password,
            database,
          }),
        async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
          const client = adminClient(cluster, database);
          await client.connect();
          try {
            return (await client.query<R>(sql, params)).rows;
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

/** Seeded objects of one dataset: key → bytes. */
export type Seed = ReadonlyMap<string, Buffer>;

/** `small` objects of 4 KiB and `big` objects of `bigSize` bytes, with keys spread over many shards. */
export function seedOf(small: number, big: number, bigSize: number, tag = 'w'): Seed {
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < small; i++)
    objects.set(
      `${'abcdefghij'[i % 10]}${i % 7}/lot-${i % 5}/patient-${String(i).padStart(4, '0')}.csv`,
      bytesOf(`${tag}${i}`, 4096),
    );
  for (let i = 0; i < big; i++)
    objects.set(`Z-extraits/${i}/dcir-consolidé-${i}.parquet`, bytesOf(`${tag}big${i}`, bigSize));
  // One key outside the shard alphabet, to prove the `rest` shard lists it.
  objects.set('_catalogue/été.json', bytesOf(`${tag}rest`, 1000));
  return objects;
}

/** The dataset's Azurite container, as the test (not the workers) reaches it. */
export function sourceOf(plan: PlanFixture, dataset: string): ObjectStore {
  const azurite = inject('azurite');
  return createAzureBlobStore({
    endpoint: azurite.endpoint,
    container: plan.names.get(dataset)!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
}

/** Writes the seed into the dataset's Azurite container. */
export async function seedSource(plan: PlanFixture, dataset: string, objects: Seed): Promise<void> {
  const store = sourceOf(plan, dataset);
  for (const [key, body] of objects) await store.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
}

/** A plan whose source and target are reached at other origins (relays), for workers on other hosts. */
export async function writeWorkerPlan(
  dir: string,
  datasets: string[],
  limits: Record<string, unknown>,
  target: TargetChoice & { sourceEndpoint?: string } = {},
): Promise<PlanFixture> {
  await mkdir(dir, { recursive: true });
  const plan = await writeTestPlan(dir, datasets, limits, target);
  if (target.sourceEndpoint) {
    const doc = parseDocument(await readFile(plan.file, 'utf8'));
    doc.setIn(['source', 'endpoint'], target.sourceEndpoint);
    await writeFile(plan.file, doc.toString());
  }
  return plan;
}

/** Every record of the dataset, from the state. */
export async function recordsOf(state: PostgresStateStore, dataset: string): Promise<ObjectRecord[]> {
  const all: ObjectRecord[] = [];
  for await (const r of state.iterateObjects(dataset)) all.push(r);
  return all;
}

/** What the workers' `--json` reports say they recorded, per dataset. */
export interface WorkerJson {
  workerId: string;
  runId: string;
  ok: boolean;
  copied: number;
  partsResumed: number;
  leases: { claimed: number; lost: number; fencedWrites: number };
  shardsListed: number;
  datasets: { dataset: string; copied: number; partsResumed: number; failed: unknown[] }[];
}

/** Objects recorded as copied by the workers, summed over their reports. */
export function copiedBy(reports: readonly WorkerJson[], dataset: string): number {
  return reports
    .flatMap((r) => r.datasets)
    .filter((d) => d.dataset === dataset)
    .reduce((n, d) => n + d.copied, 0);
}
