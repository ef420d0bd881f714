/**
 * The PostgreSQL state as a work queue: the WorkQueue conformance suite on an embedded
 * cluster (a fresh database per test), then what only PostgreSQL has to show: the claim
 * query reads the partial index whatever the number of finished objects, and a server
 * restart under a worker surfaces as a retriable error after which the next call works.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { FencedWriteError } from '../../src/state/contracts/work-queue.ts';
import { CLAIM_PICK_SQL } from '../../src/state/postgres-leases.ts';
import { isRetriableStateError, openPostgresStateStore } from '../../src/state/postgres.ts';
import { describeWorkQueueConformance, type WorkQueueStorage } from './conformance/work-queue.ts';
import type { CreateStorage } from './conformance/storage.ts';
import { objectRecord } from './helpers.ts';

const run = promisify(execFile);

let cluster: EmbeddedCluster;
let admin: pg.Client;

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  admin = new pg.Client(settings(cluster, 'postgres'));
  await admin.connect();
}, 120_000);

afterAll(async () => {
  await admin?.end().catch(() => {});
  await cluster?.stop();
});

function settings(on: EmbeddedCluster, database: string): pg.ClientConfig {
  return { host: on.host, port: on.port, user: on.user, password: on.password, database };
}

async function createDatabase(client: pg.Client): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `cx_queue_${randomBytes(6).toString('hex')}`;
  await client.query(`CREATE DATABASE ${name}`);
  return { name, drop: () => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined) };
}

const postgresDatabase: CreateStorage<WorkQueueStorage> = async () => {
  const db = await createDatabase(admin);
  return { connect: () => openPostgresStateStore(settings(cluster, db.name)), destroy: db.drop };
};

describeWorkQueueConformance('PostgreSQL', postgresDatabase);

describe('PostgreSQL work queue: what the database itself has to show', () => {
  it('claims through the partial index of unfinished objects, not by scanning finished ones', async () => {
    const db = await createDatabase(admin);
    const store = await openPostgresStateStore(settings(cluster, db.name));
    const client = new pg.Client(settings(cluster, db.name));
    await client.connect();
    try {
      // 200,000 objects, all but the last 1,000 copied: what a claim meets late in a large dataset.
      await client.query(`INSERT INTO objects (dataset, key, target_key, size, source_etag, source_last_modified,
          status, inventory_id)
        SELECT 'd', 'k' || lpad(i::text, 7, '0'), 'k' || i, 100, 'e', '2026-01-01T00:00:00.000Z',
          CASE WHEN i > 199000 THEN 'pending' ELSE 'copied' END, 'inv'
        FROM generate_series(1, 200000) AS i`);
      await client.query('ANALYZE objects');
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${CLAIM_PICK_SQL}`, [
        'd',
        100,
      ]);
      const plan = JSON.stringify(rows[0]!['QUERY PLAN']);
      expect(plan).toContain('"Index Name":"objects_claimable"');
      expect(plan).not.toContain('"Node Type":"Seq Scan"');

      await store.registerWorker({ workerId: 'w1', host: 'h', pid: 1 });
      const lease = await store.claimObjects({ dataset: 'd', workerId: 'w1', limit: 100, leaseMs: 60_000 });
      expect(lease?.keys[0]).toBe('k0199001');
      expect(lease?.keys).toHaveLength(100);
    } finally {
      await client.end();
      await store.close();
      await db.drop();
    }
  });

  it('checks the token and writes in one step: a takeover committing while the write waits refuses it', async () => {
    const db = await createDatabase(admin);
    const store = await openPostgresStateStore(settings(cluster, db.name));
    const taker = new pg.Client(settings(cluster, db.name));
    await taker.connect();
    try {
      await store.registerWorker({ workerId: 'w1', host: 'h', pid: 1 });
      await store.putObjects([objectRecord('d', 'k')]);
      const lease = (await store.claimObjects({ dataset: 'd', workerId: 'w1', limit: 1, leaseMs: 600_000 }))!;
      // Another worker's claim, caught between locking the row and committing its new token.
      await taker.query('BEGIN');
      await taker.query("SELECT 1 FROM objects WHERE dataset = 'd' AND key = 'k' FOR UPDATE");
      const writes = [
        store.fencedLedger(lease).updateObject('d', 'k', { attempts: 7 }),
        store.fencedLedger(lease).recordPart('d', 'k', 'up-1', { partNumber: 1, etag: '"p"', md5: 'm', size: 1 }),
      ].map((w) =>
        w.then(
          () => 'written',
          (e: unknown) => e,
        ),
      );
      await waitForLockWaits(cluster, db.name, 2);
      await taker.query(
        `UPDATE objects SET lease_token = nextval('fencing_tokens'), lease_expires_at = now() + interval '1 hour'
         WHERE dataset = 'd' AND key = 'k'`,
      );
      await taker.query('COMMIT');
      for (const outcome of await Promise.all(writes)) expect(outcome).toBeInstanceOf(FencedWriteError);
      expect((await store.getObjects('d', ['k'])).get('k')?.attempts).toBe(0);
      expect((await store.fleet(60_000)).fencedWrites).toBe(2);
    } finally {
      await taker.end();
      await store.close();
      await db.drop();
    }
  });

  it('surfaces a server restart as a retriable error, and the next claim works with nothing lost', async () => {
    // A cluster of its own: restarting the suite's would cut every other test's connections.
    const own = await startEmbeddedCluster();
    const ownAdmin = new pg.Client(settings(own, 'postgres'));
    await ownAdmin.connect();
    const db = await createDatabase(ownAdmin);
    await ownAdmin.end();
    const store = await openPostgresStateStore(settings(own, db.name));
    const blocker = new pg.Client(settings(own, db.name));
    blocker.on('error', () => {}); // the restart cuts it too
    try {
      await store.registerWorker({ workerId: 'w1', host: 'h', pid: 1 });
      await store.putObjects(['a', 'b', 'c'].map((key) => objectRecord('d', key)));
      // Hold the worker's row so the claim is in flight, inside its transaction, when the server goes.
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query("SELECT 1 FROM workers WHERE worker_id = 'w1' FOR UPDATE");
      const inFlight = store.claimObjects({ dataset: 'd', workerId: 'w1', limit: 10, leaseMs: 60_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await waitForLockWaits(own, db.name);
      await restartCluster(own);

      const error = await inFlight;
      expect(error).toBeInstanceOf(Error);
      expect(isRetriableStateError(error)).toBe(true);
      // The pool replaced the broken connection: the same store claims, and gets everything.
      const lease = await store.claimObjects({ dataset: 'd', workerId: 'w1', limit: 10, leaseMs: 60_000 });
      expect(lease?.keys).toEqual(['a', 'b', 'c']);
      await store.fencedLedger(lease!).updateObject('d', 'a', { status: 'copied' });
      expect((await store.fleet(60_000)).workers[0]?.recent.objects).toBe(1);
    } finally {
      await blocker.end().catch(() => {});
      await store.close();
      await own.stop();
    }
  });

  it('tells retriable failures from the rest', () => {
    expect(isRetriableStateError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isRetriableStateError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetriableStateError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRetriableStateError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
    expect(isRetriableStateError(new Error('worker w1 is not registered'))).toBe(false);
  });
});

/** Waits until `count` sessions of `database` wait on a lock (the calls reached the held row). */
async function waitForLockWaits(on: EmbeddedCluster, database: string, count = 1): Promise<void> {
  const watcher = new pg.Client(settings(on, 'postgres'));
  await watcher.connect();
  try {
    for (;;) {
      const { rows } = await watcher.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
        [database],
      );
      if (rows.length >= count) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await watcher.end();
  }
}

/**
 * Restarts the cluster in immediate mode (as a crash or a failover would: every connection
 * cut, nothing flushed politely), on the same port and settings (`pg_ctl` reuses the
 * postmaster's options), and waits until it accepts connections again.
 */
async function restartCluster(on: EmbeddedCluster): Promise<void> {
  const args = [
    'restart',
    '-D',
    on.dataDir,
    '-m',
    'immediate',
    '-w',
    '-t',
    '60',
    '-l',
    join(dirname(on.dataDir), 'server.log'),
  ];
  const pgCtl = join(on.bindir, 'pg_ctl');
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', pgCtl, ...args]);
  else await run(pgCtl, args);
}
