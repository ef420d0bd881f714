/**
 * `cloudexit state migrate` through the real CLI, from a SQLite state holding every contract
 * into databases of a real PostgreSQL cluster: everything arrives as it was (compared record
 * by record through the contracts), the audit chain goes on after the move, a non-empty
 * target and a tampered source are refused with nothing written, and a transfer that fails
 * half-way leaves the target empty.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { isRefusal } from '../../src/state/contracts/leader.ts';
import { openPostgresStateStore } from '../../src/state/postgres.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { S3_DECLARED_CAPABILITIES } from '../../src/stores/s3.ts';
import { sampleInput } from '../audit/helpers.ts';
import { CATALOG, HCL } from '../state/conformance/binding.ts';
import { COPIED } from '../state/conformance/databases.ts';
import { stoppedPhase } from '../state/conformance/phases.ts';
import { collect, objectRecord } from '../state/helpers.ts';
import { runCli } from './run-cli.ts';
import { onDatabase } from '../databases/methods-helpers.ts';

let cluster: EmbeddedCluster;
let dir: string;
let source: string;
let databases = 0;

const OBJECTS = 1_200;
const urlOf = (database: string) => `postgresql://${cluster.user}@${cluster.host}:${cluster.port}/${database}`;
const env = () => ({ ...process.env, PGPASSWORD: cluster.password });
const migrate = (from: string, database: string, ...extra: string[]) =>
  runCli(['state', 'migrate', '--from', from, '--to', urlOf(database), '--batch-size', '100', ...extra], env());

async function query<T extends pg.QueryResultRow>(database: string, sql: string): Promise<T[]> {
  return onDatabase(cluster, async (client) => (await client.query<T>(sql)).rows, database);
}

/** A new empty database. */
async function newDatabase(): Promise<string> {
  const name = `cx_migrate_${++databases}`;
  await query('postgres', `CREATE DATABASE ${name}`);
  return name;
}

const tableCount = async (database: string) =>
  (await query<{ n: number }>(database, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"))[0]!.n;

/**
 * A SQLite state with something in every contract: binding and a rebind, runs, objects of every
 * status, an upload with parts, audit events, a phase, a database, a probe.
 */
async function fillSource(file: string): Promise<void> {
  const store = await openSqliteStateStore(file);
  try {
    await store.bind({ migration: 'emc2', datasets: [HCL] });
    await store.rebind({ migration: 'emc2', datasets: [HCL, CATALOG] }, 'catalog added (ticket 42)');
    const run = await store.startRun({ command: 'copy', scope: 'phase 1' });
    const statuses = ['pending', 'copied', 'verified', 'failed', 'deleted-at-source'] as const;
    await store.putObjects(
      Array.from({ length: OBJECTS }, (_, i) =>
        objectRecord(i % 3 === 0 ? 'clb' : 'hcl', `lyon/é/${String(i).padStart(5, '0')}.csv`, {
          status: statuses[i % statuses.length]!,
          sha256: i % 5 === 0 ? undefined : 'ab'.repeat(32),
          attempts: i % 4,
          lastError: i % 5 === 3 ? 'BadDigest on part 2' : undefined,
          copiedRunId: i % 5 === 0 ? undefined : run,
        }),
      ),
    );
    await store.finishRun(run, 'failed', { objects: OBJECTS, bytes: 1024 * OBJECTS, failed: OBJECTS / 5 });
    await store.startRun({ command: 'verify full', scope: 'hcl' }); // still running
    await store.startUpload({
      dataset: 'hcl',
      key: 'lyon/big.parquet',
      targetKey: 'lyon/big.parquet',
      uploadId: 'upload-1',
      partSize: 8 * 1024 * 1024,
      sourceEtag: '"0x8DC1"',
      startedAt: '2026-11-20T10:00:00.000Z',
    });
    for (const partNumber of [1, 2, 3])
      await store.recordPart('hcl', 'lyon/big.parquet', 'upload-1', {
        partNumber,
        etag: `"etag-${partNumber}"`,
        md5: 'cd'.repeat(16),
        size: 8 * 1024 * 1024,
      });
    for (let i = 1; i <= 40; i++) await store.appendAudit(sampleInput(i));
    await store.putPhase(stoppedPhase());
    await store.putDatabase(COPIED);
    await store.putProbe({
      target: 'http://127.0.0.1:9/emc2-hcl',
      capabilities: S3_DECLARED_CAPABILITIES,
      observations: [{ name: 'etag.single', seen: 'MD5 of the body' }],
      at: '2026-11-02T10:00:00.000Z',
    });
  } finally {
    await store.close();
  }
}

/** Everything a store holds, read through the contracts. */
async function contents(store: StateStore) {
  return {
    binding: await store.getBinding(),
    runs: await store.listRuns(100),
    objects: [...(await collect(store.iterateObjects('hcl'))), ...(await collect(store.iterateObjects('clb')))],
    upload: await store.getUpload('hcl', 'lyon/big.parquet'),
    audit: await collect(store.iterateAudit()),
    phase: await store.getPhase(2),
    database: await store.getDatabase('catalog'),
    probes: await store.listProbes(),
  };
}

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-migrate-'));
  source = join(dir, 'emc2.db');
  await fillSource(source);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cloudexit state migrate', () => {
  it('moves every contract into an empty PostgreSQL state, proves it on both sides; the chain goes on', async () => {
    const database = await newDatabase();
    const r = await migrate(source, database, '--json');
    expect(r.code, r.stderr).toBe(0);
    // What an operator checks with jq: same audit head on both sides, same counts.
    const jq = (filter: string) => execFileSync('jq', ['-e', filter], { input: r.stdout }).toString().trim();
    expect(jq('.ok and .mode == "atomic" and (.differences | length) == 0')).toBe('true');
    expect(jq('.source.census.auditHead.hash == .target.census.auditHead.hash')).toBe('true');
    expect(jq('.source.chain.head == .target.chain.head and .target.chain.ok')).toBe('true');
    expect(jq('.target.census.objects.hcl.verified + .target.census.objects.clb.verified')).toBe(String(OBJECTS / 5));
    expect(jq('.copied.objects')).toBe(String(OBJECTS));
    expect(jq('.target.location')).toBe(JSON.stringify(urlOf(database)));
    expect(r.stdout + r.stderr).not.toContain(cluster.password);

    const before = await openSqliteStateStore(source, { readOnly: true });
    const after = await openPostgresStateStore({
      host: cluster.host,
      port: cluster.port,
      user: cluster.user,
      password: cluster.password,
      database,
    });
    try {
      const moved = await contents(after);
      expect(moved).toStrictEqual(await contents(before));
      expect(moved.objects).toHaveLength(OBJECTS);
      expect(moved.upload?.parts).toHaveLength(3);
      // The PostgreSQL state carries on from where the SQLite one stopped.
      const next = await after.appendAudit(sampleInput(41));
      expect(next.seq).toBe(41);
      expect(await verifyChain(after.iterateAudit())).toMatchObject({ ok: true, count: 41 });
      await after.startRun({ command: 'copy', scope: 'after the move' });
      expect((await after.listRuns(1))[0]?.scope).toBe('after the move');
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  });

  it('prints both sides for a person', async () => {
    const r = await migrate(source, await newDatabase(), '--no-progress');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/audit head +([0-9a-f]{64}) +\1/);
    expect(r.stdout).toContain('both sides agree');
  });

  it('refuses a PostgreSQL state that is not empty (exit 2), changing nothing in it', async () => {
    const database = await newDatabase();
    expect((await migrate(source, database)).code).toBe(0);
    const head = await query(database, 'SELECT * FROM audit_head');
    const objects = await query(database, 'SELECT count(*)::int AS n FROM objects');
    const again = await migrate(source, database, '--json');
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout).error).toMatchObject({
      message: expect.stringMatching(/not empty/),
      where: `--to ${urlOf(database)}`,
      fix: expect.stringMatching(/never overwrites/),
    });
    expect(await query(database, 'SELECT * FROM audit_head')).toStrictEqual(head);
    expect(await query(database, 'SELECT count(*)::int AS n FROM objects')).toStrictEqual(objects);
  });

  it('refuses a source whose audit log was tampered with (exit 2), creating nothing in the target', async () => {
    const tampered = join(dir, 'tampered.db');
    await copyFile(source, tampered);
    const db = new DatabaseSync(tampered);
    db.exec('DROP TRIGGER audit_events_no_update');
    db.exec("UPDATE audit_events SET actor = 'mallory' WHERE seq = 17");
    db.close();
    const database = await newDatabase();
    const r = await migrate(tampered, database);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/audit log of the SQLite state is broken after event 16/);
    expect(r.stderr).toContain('cloudexit audit verify');
    expect(await tableCount(database)).toBe(0);
  });

  it('a transfer that fails half-way leaves the target empty, and the same command then succeeds', async () => {
    // A NUL character: SQLite keeps it, PostgreSQL text refuses it — on an object far into the copy.
    const partial = join(dir, 'partial.db');
    await copyFile(source, partial);
    const db = new DatabaseSync(partial);
    db.prepare("UPDATE objects SET last_error = ? WHERE key = 'lyon/é/01199.csv'").run('bad\u0000byte');
    db.close();
    const database = await newDatabase();
    const failed = await migrate(partial, database);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/copying objects, rows 1101 to 1200: /);
    const empty = await query<{ n: number }>(
      database,
      `SELECT (SELECT count(*) FROM objects) + (SELECT count(*) FROM runs) + (SELECT count(*) FROM binding)
         + (SELECT count(*) FROM audit_events) AS n`,
    );
    expect(Number(empty[0]!.n)).toBe(0);
    // The bad value repaired, the same target is still acceptable.
    const fix = new DatabaseSync(partial);
    fix.prepare("UPDATE objects SET last_error = 'bad byte' WHERE key = 'lyon/é/01199.csv'").run();
    fix.close();
    const retried = await migrate(partial, database, '--json');
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout).ok).toBe(true);
  });

  it('refuses while a live process holds a phase of the SQLite state (a cutover under way), writing nothing', async () => {
    const busy = join(dir, 'busy.db');
    await copyFile(source, busy);
    const store = await openSqliteStateStore(busy);
    const lock = await store.acquirePhaseLock(2, { host: hostname(), pid: process.pid, command: 'cutover 2' });
    try {
      const database = await newDatabase();
      const r = await migrate(busy, database);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`phase 2 is held by cutover 2 (pid ${process.pid} on ${hostname()}`);
      expect(await tableCount(database)).toBe(0);
    } finally {
      if (!isRefusal(lock)) await lock.release();
      await store.close();
    }
    expect((await migrate(busy, await newDatabase())).code).toBe(0);
  });

  it('refuses bad input with exit 2 naming the flag: a --to that is not PostgreSQL, a missing --from', async () => {
    const notPg = await runCli(['state', 'migrate', '--from', source, '--to', join(dir, 'other.db')], env());
    expect(notPg.code).toBe(2);
    expect(notPg.stderr).toMatch(/--to .*must be a PostgreSQL URL/);
    const missing = await migrate(join(dir, 'nowhere.db'), await newDatabase());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('there is no state file at');
  });
});
