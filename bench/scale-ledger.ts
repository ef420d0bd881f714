/**
 * `ledger.claimsPerSecond` of `npm run bench:scale`: how fast one PostgreSQL state hands
 * out objects in batches to many workers, from a ledger of a million objects (the ceiling
 * of the scale-out design: at 200 objects/s per worker, how many workers it feeds).
 *
 * Two figures, because a worker does two things with the state per batch:
 * - hand-out: `claimObjects` (FOR UPDATE SKIP LOCKED on the partial index), the batch
 *   marked copied in one statement, `releaseLease` — until the ledger is drained;
 * - recording: the same, but each object recorded through the lease's fenced ledger, on
 *   its own (one statement each) or a batch at once (fenced `putObjects`) — on smaller
 *   samples, in datasets of their own.
 *
 * Run alone: `node bench/scale-ledger.ts [--objects N] [--batch N] [--claimers N] [--record N] [--held N]`
 * starts an embedded cluster and prints one JSON object. Not a test: nothing here asserts.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedCluster } from '../src/embedded/postgres.ts';
import { CLAIM_PICK_SQL } from '../src/state/postgres-leases.ts';
import { openPostgresStateStore, type PostgresStateStore } from '../src/state/postgres.ts';

/** Connections of each claimer's pool: the store's default, as `cloudexit worker` opens it. */
const CONNECTIONS_PER_WORKER = 4;

/** The objects/s one worker copies, as the issue sizes the fleet. */
export const OBJECTS_PER_WORKER_PER_SECOND = 200;

export interface ClaimRateOptions {
  /** Objects in the ledger the hand-out drains. */
  objects: number;
  /** Objects per claim. */
  batch: number;
  /** Workers claiming at once, each with its own pool of 4 connections (as separate processes would). */
  claimers: number;
  /**
   * Objects recorded through fenced ledgers, for `recordedObjectsPerSecond` (one by one) and
   * again for `recordedInBatchesPerSecond` (a batch at once). @default 20_000
   */
  record?: number;
  /**
   * Leases of `batch` objects held, unfinished, by other workers during the hand-out: a
   * large fleet's batches in flight, which every claim has to get past. @default 0
   */
  held?: number;
  /** Lease of each claim; long enough never to expire during the bench. @default 600_000 */
  leaseMs?: number;
}

export interface ClaimRate {
  objects: number;
  batch: number;
  claimers: number;
  held: number;
  /** Seconds to seed the ledger (one INSERT … SELECT from generate_series) and ANALYZE it. */
  seedSeconds: number;
  /** Whether `EXPLAIN` of the claim query on the seeded ledger reads the partial index `objects_claimable`. */
  claimUsesIndex: boolean;
  /** Claims (batches) handed out per second while draining the ledger. */
  claimsPerSecond: number;
  /** Objects handed out per second while draining the ledger (claim, mark done, release). */
  objectsPerSecond: number;
  /** Objects per second when each is recorded through a fenced ledger, one statement per object. */
  recordedObjectsPerSecond: number;
  /** Objects per second when a batch is recorded at once (fenced `putObjects`, one transaction per batch). */
  recordedInBatchesPerSecond: number;
  /** Workers at `OBJECTS_PER_WORKER_PER_SECOND` the hand-out alone feeds. */
  workersFedByHandOut: number;
  /** Workers at `OBJECTS_PER_WORKER_PER_SECOND` the state feeds once every object is recorded on its own. */
  workersFedByRecording: number;
  /** The same when every batch is recorded at once. */
  workersFedByBatchRecording: number;
  /** `os.loadavg()` when the measurement ended: 1, 5 and 15 minutes. */
  loadAverage: number[];
}

/**
 * Seeds `options.objects` pending objects into the state database at `url` (created and
 * migrated if new; the datasets are new ones, `ledger-<random>`), then drains them with
 * `options.claimers` workers claiming `options.batch` at a time, and records
 * `options.record` more one by one. Leaves the rows behind: give it a throwaway database.
 */
export async function measureClaimRate(url: string, options: ClaimRateOptions): Promise<ClaimRate> {
  const { objects, batch, claimers } = options;
  const leaseMs = options.leaseMs ?? 600_000;
  const record = options.record ?? 20_000;
  const name = `ledger-${randomBytes(4).toString('hex')}`;
  const datasets = { handOut: name, oneByOne: `${name}-one`, inBatches: `${name}-batch` };
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const stores: PostgresStateStore[] = [];
  try {
    for (let i = 0; i < claimers; i++)
      stores.push(await openPostgresStateStore(url, { poolSize: CONNECTIONS_PER_WORKER }));
    await Promise.all(stores.map((s, i) => s.registerWorker({ workerId: `bench-${i}`, host: 'bench', pid: i })));

    const started = performance.now();
    await seedLedger(admin, datasets.handOut, objects);
    await seedLedger(admin, datasets.oneByOne, record);
    await seedLedger(admin, datasets.inBatches, record);
    await admin.query('ANALYZE objects');
    const seedSeconds = (performance.now() - started) / 1000;
    const plan = await admin.query(`EXPLAIN (FORMAT JSON) ${CLAIM_PICK_SQL}`, [datasets.handOut, batch]);
    const claimUsesIndex = JSON.stringify(plan.rows[0]).includes('"Index Name":"objects_claimable"');

    // The fleet's batches in flight, taken first: the lowest keys, right where claims start.
    await stores[0]!.registerWorker({ workerId: 'bench-fleet', host: 'bench', pid: 0 });
    for (let i = 0; i < (options.held ?? 0); i++)
      await stores[0]!.claimObjects({ dataset: datasets.handOut, workerId: 'bench-fleet', limit: batch, leaseMs });

    const request = { limit: batch, leaseMs };
    const handOut = await drainAll(stores, { ...request, dataset: datasets.handOut }, async (_store, lease) => {
      await admin.query("UPDATE objects SET status = 'copied' WHERE lease_token = $1", [lease.fencingToken]);
    });
    const oneByOne = await drainAll(stores, { ...request, dataset: datasets.oneByOne }, async (store, lease) => {
      // A worker records its objects as their copies end, several at once: as many as its pool allows.
      const ledger = store.fencedLedger(lease);
      await Promise.all(lease.keys.map((key) => ledger.updateObject(lease.dataset, key, { status: 'copied' })));
    });
    const inBatches = await drainAll(stores, { ...request, dataset: datasets.inBatches }, async (store, lease) => {
      const ledger = store.fencedLedger(lease);
      const records = await ledger.getObjects(lease.dataset, lease.keys);
      await ledger.putObjects([...records.values()].map((r) => ({ ...r, status: 'copied' as const })));
    });

    return {
      objects,
      batch,
      claimers,
      held: options.held ?? 0,
      seedSeconds: round(seedSeconds),
      claimUsesIndex,
      claimsPerSecond: round(handOut.claims / handOut.seconds),
      objectsPerSecond: round(handOut.objects / handOut.seconds),
      recordedObjectsPerSecond: round(oneByOne.objects / oneByOne.seconds),
      recordedInBatchesPerSecond: round(inBatches.objects / inBatches.seconds),
      workersFedByHandOut: fed(handOut),
      workersFedByRecording: fed(oneByOne),
      workersFedByBatchRecording: fed(inBatches),
      loadAverage: loadavg().map(round),
    };
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await admin.end();
  }
}

type Lease = NonNullable<Awaited<ReturnType<PostgresStateStore['claimObjects']>>>;

interface Drained {
  claims: number;
  objects: number;
  seconds: number;
}

/** Workers at `OBJECTS_PER_WORKER_PER_SECOND` that a drain's rate feeds. */
const fed = (d: Drained) => Math.floor(d.objects / d.seconds / OBJECTS_PER_WORKER_PER_SECOND);

/** Every store claims from the dataset at once until nothing is left; how many claims and objects, in how long. */
async function drainAll(
  stores: readonly PostgresStateStore[],
  request: Omit<Parameters<PostgresStateStore['claimObjects']>[0], 'workerId'>,
  work: (store: PostgresStateStore, lease: Lease) => Promise<void>,
): Promise<Drained> {
  const started = performance.now();
  const each = await Promise.all(
    stores.map((store, i) => drain(store, { ...request, workerId: `bench-${i}` }, (lease) => work(store, lease))),
  );
  return {
    claims: each.reduce((n, d) => n + d.claims, 0),
    objects: each.reduce((n, d) => n + d.objects, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

/** `count` pending objects of `dataset` in one statement: a million rows without a million round trips. */
async function seedLedger(pool: pg.Pool, dataset: string, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO objects (dataset, key, target_key, size, source_etag, source_last_modified, status, inventory_id)
     SELECT $1, 'obj/' || lpad(i::text, 9, '0'), 'obj/' || lpad(i::text, 9, '0'), 1048576, '"e"',
       '2026-01-01T00:00:00.000Z', 'pending', 'bench'
     FROM generate_series(1, $2::bigint) AS i`,
    [dataset, count],
  );
}

/** Claims until nothing is left, handling each lease with `work` then releasing it. */
async function drain(
  store: PostgresStateStore,
  request: Parameters<PostgresStateStore['claimObjects']>[0],
  work: (lease: Lease) => Promise<void>,
): Promise<{ claims: number; objects: number }> {
  let claims = 0;
  let objects = 0;
  for (;;) {
    const lease = await store.claimObjects(request);
    if (!lease) return { claims, objects };
    await work(lease);
    await store.releaseLease(lease);
    claims += 1;
    objects += lease.keys.length;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string', default: '1000000' },
      batch: { type: 'string', default: '100' },
      claimers: { type: 'string', default: '4' },
      record: { type: 'string', default: '20000' },
      held: { type: 'string', default: '0' },
    },
  });
  const cluster = await startEmbeddedCluster();
  try {
    const database = `ledger_bench_${randomBytes(4).toString('hex')}`;
    const auth = `${cluster.user}:${encodeURIComponent(cluster.password)}`;
    const admin = new pg.Client(`postgresql://${auth}@${cluster.host}:${cluster.port}/postgres`);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const rate = await measureClaimRate(`postgresql://${auth}@${cluster.host}:${cluster.port}/${database}`, {
      objects: Number(values.objects),
      batch: Number(values.batch),
      claimers: Number(values.claimers),
      record: Number(values.record),
      held: Number(values.held),
    });
    process.stdout.write(`${JSON.stringify(rate)}\n`);
  } finally {
    await cluster.stop();
  }
}
