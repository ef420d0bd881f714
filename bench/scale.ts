/**
 * `npm run bench:scale [-- --json] [--small N] [--large-mib N] [--target s3rver|rgw] [--ledger-objects N]`
 *
 * The scale-out, measured. The same seeded data (small objects and one large one, two
 * datasets) is copied from Azurite to s3rver (or Ceph RGW) by `cloudexit copy --workers n`
 * on a PostgreSQL state, for n = 1, 2 and 4, each into fresh buckets and a fresh state
 * (inventory and probe first, untimed: the timed run is the workers' copy). After each run
 * the state says what was `lost` (not copied), `recordedTwice` (copies recorded beyond one
 * per object) and `fencedWrites`. Then `ledger.claimsPerSecond`: how fast one PostgreSQL
 * hands out batches from a ledger of 1,000,000 objects (bench/scale-ledger.ts).
 *
 * One JSON object on stdout with --json (notes on stderr). Not a test: nothing asserts; exits
 * 0 with the figures, 2 on bad arguments or a target that cannot run here, 1 when a run broke.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseDocument } from 'yaml';
import { startEmbeddedCluster, type EmbeddedCluster } from '../src/embedded/postgres.ts';
import { CLOUDEXIT_BIN, cloudexitEnv, timed, writePlan } from './copiers.ts';
import { createBuckets, LARGE_CONTAINER, largeObject, MiB, seed, SMALL_CONTAINER, smallObjects } from './data.ts';
import { measureClaimRate, OBJECTS_PER_WORKER_PER_SECOND, type ClaimRate } from './scale-ledger.ts';
import { AZURITE_KEY, startAzurite, type Service } from './services.ts';
import { startTarget, type TargetServer } from './targets.ts';
import { benchArgs, positive, targetOf } from './args.ts';

const args = benchArgs(import.meta.url, {
  json: { type: 'boolean', default: false },
  small: { type: 'string', default: '800' },
  'large-mib': { type: 'string', default: '64' },
  target: { type: 'string', default: 's3rver' },
  'ledger-objects': { type: 'string', default: '1000000' },
});

const smallCount = positive('small', args.small, 100_000);
const largeMib = positive('large-mib', args['large-mib'], 4096);
const ledgerObjects = positive('ledger-objects', args['ledger-objects'], 10_000_000);
const target = targetOf(args.target);
const log = (line: string) => process.stderr.write(`${line}\n`);
const WORKERS = [1, 2, 4] as const;

/** One `copy --workers n` run, and what the state says of it. */
interface ScaleRun {
  n: number;
  objectsPerSecond: number;
  mibPerSecond: number;
  seconds: number;
  objects: number;
  bytes: number;
  lost: number;
  recordedTwice: number;
  fencedWrites: number;
  /** `os.loadavg()` when the run ended: the emulators and the workers share 2 cores. */
  loadAverage: number[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A fresh database on the cluster; its URL has no password (PGPASSWORD carries it). */
async function newDatabase(cluster: EmbeddedCluster): Promise<{ name: string; url: string }> {
  const name = `scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ ...connection(cluster), database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return { name, url: `postgresql://${cluster.user}@${cluster.host}:${cluster.port}/${name}` };
}

const connection = (cluster: EmbeddedCluster) => ({
  host: cluster.host,
  port: cluster.port,
  user: cluster.user,
  password: cluster.password,
});

/** The bench plan with both datasets: small objects and the large one, each into its own bucket. */
async function writeScalePlan(file: string, azurite: string, server: TargetServer, suffix: string): Promise<void> {
  await writePlan(file, { azurite, target: server }, 'small', SMALL_CONTAINER, `small-${suffix}`);
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.addIn(
    ['datasets'],
    doc.createNode({
      name: 'large',
      title: 'Bench large',
      source: { container: LARGE_CONTAINER, prefix: '' },
      target: { bucket: `large-${suffix}`, prefix: '' },
    }),
  );
  doc.addIn(['phases', 0, 'datasets'], 'large');
  await writeFile(file, doc.toString());
}

/** What the state says after a run: objects not copied, copies recorded beyond one each, refused writes. */
async function ledgerOutcome(cluster: EmbeddedCluster, database: string) {
  const client = new pg.Client({ ...connection(cluster), database });
  await client.connect();
  try {
    const one = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
    const objects = await one('SELECT count(*) AS n FROM objects');
    const lost = await one("SELECT count(*) AS n FROM objects WHERE status NOT IN ('copied', 'verified')");
    const recordings = await one('SELECT count(*) AS n FROM worker_copies');
    const fencedWrites = await one('SELECT count(*) AS n FROM fenced_writes');
    const bytes = await one('SELECT coalesce(sum(size), 0) AS n FROM objects');
    return { objects, bytes, lost, recordedTwice: Math.max(0, recordings - objects), fencedWrites };
  } finally {
    await client.end();
  }
}

async function runWorkers(
  n: number,
  dir: string,
  azurite: string,
  server: TargetServer,
  cluster: EmbeddedCluster,
): Promise<ScaleRun> {
  const suffix = `${n}-${randomBytes(3).toString('hex')}`;
  await createBuckets(server, [`small-${suffix}`, `large-${suffix}`]);
  const plan = join(dir, `plan-${suffix}.yaml`);
  await writeScalePlan(plan, azurite, server, suffix);
  const { name, url } = await newDatabase(cluster);
  const env = {
    ...cloudexitEnv(process.env),
    PGPASSWORD: cluster.password,
    BENCH_SOURCE_KEY: AZURITE_KEY,
    BENCH_TARGET_KEY_ID: server.accessKeyId,
    BENCH_TARGET_SECRET: server.secretAccessKey,
  };
  const common = ['--plan', plan, '--state', url, '--json'];
  for (const step of ['probe', 'inventory']) {
    const r = await timed([CLOUDEXIT_BIN, step, ...common], env, join(dir, `${step}-${suffix}.rss`));
    if (r.code !== 0) throw new Error(`cloudexit ${step} failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  const copy = [CLOUDEXIT_BIN, 'copy', ...common, '--no-inventory', '--no-progress', '--workers', String(n)];
  const run = await timed([...copy, '--evidence', join(dir, `evidence-${suffix}`)], env, join(dir, `rss-${suffix}`));
  if (run.code !== 0) throw new Error(`copy --workers ${n} failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
  const outcome = await ledgerOutcome(cluster, name);
  const seconds = run.wallMs / 1000;
  return {
    n,
    objectsPerSecond: round(outcome.objects / seconds),
    mibPerSecond: round(outcome.bytes / MiB / seconds),
    seconds: round(seconds),
    ...outcome,
    loadAverage: loadavg().map(round),
  };
}

async function measureLedger(cluster: EmbeddedCluster): Promise<ClaimRate> {
  const url = new URL((await newDatabase(cluster)).url);
  url.password = encodeURIComponent(cluster.password);
  return measureClaimRate(url.toString(), { objects: ledgerObjects, batch: 100, claimers: 4 });
}

const services: (Service | TargetServer | EmbeddedCluster)[] = [];
const dir = await mkdtemp(join(tmpdir(), 'cloudexit-bench-scale-'));
try {
  log(`seeding ${smallCount} small objects and one of ${largeMib} MiB; target ${target}`);
  const azurite = await startAzurite();
  services.push(azurite);
  const server = await startTarget(target, dir);
  services.push(server);
  const cluster = await startEmbeddedCluster();
  services.push(cluster);
  const small = smallObjects(smallCount);
  await seed(azurite.endpoint, small, largeObject(largeMib));
  const runs: ScaleRun[] = [];
  for (const n of WORKERS) {
    log(`copy --workers ${n}…`);
    runs.push(await runWorkers(n, dir, azurite.endpoint, server, cluster));
    const last = runs.at(-1)!;
    log(
      `  ${last.objectsPerSecond} objects/s, ${last.mibPerSecond} MiB/s in ${last.seconds} s (load ${last.loadAverage[0]})`,
    );
  }
  log(`ledger: claiming from ${ledgerObjects} objects…`);
  const ledger = await measureLedger(cluster);
  const needed = 100 * OBJECTS_PER_WORKER_PER_SECOND;
  const result = {
    target,
    workers: runs.map(({ n, objectsPerSecond, mibPerSecond, seconds }) => ({
      n,
      objectsPerSecond,
      mibPerSecond,
      seconds,
    })),
    lost: runs.reduce((n, r) => n + r.lost, 0),
    recordedTwice: runs.reduce((n, r) => n + r.recordedTwice, 0),
    fencedWrites: runs.reduce((n, r) => n + r.fencedWrites, 0),
    runs,
    ledger: {
      ...ledger,
      /** Objects/s a fleet of 100 workers at 200 objects/s each needs the state to hand out. */
      neededFor100Workers: needed,
      claimsNeededFor100Workers: round(needed / ledger.batch),
    },
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const r of runs)
      log(
        `n=${r.n}: ${r.objectsPerSecond} objects/s, ${r.mibPerSecond} MiB/s; lost ${r.lost}, twice ${r.recordedTwice}`,
      );
    log(
      `ledger: ${ledger.claimsPerSecond} claims/s (${ledger.objectsPerSecond} objects/s handed out); 100 workers need ${needed}`,
    );
  }
} catch (err) {
  log(`bench:scale broke: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  for (const s of services.reverse()) await s.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
