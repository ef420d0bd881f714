/**
 * Issue 13's multi-host scenarios: three workers, each on its own host (network namespace),
 * reaching the PostgreSQL state, Azurite and the target over their links. Proof comes from
 * the state and the target, never from timing: every object's SHA-256, the recordings of
 * copies (one per object: none recorded twice), the parts of an upload (resumed, not
 * restarted), the refused late writes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanFixture } from '../cli/plan-fixture.ts';
import { runCli } from '../cli/run-cli.ts';
import { MiB } from '../engine/harness.ts';
import { netnsUnavailable } from '../support/netns.ts';
import {
  recordsOf,
  seedOf,
  seedSource,
  sha256,
  startStateCluster,
  writeWorkerPlan,
  type Seed,
  type StateCluster,
  type StateDatabase,
  type WorkerJson,
} from './fixture.ts';
import {
  hostServers,
  killAll,
  startWorker,
  waitWhileRunning,
  type HostedServers,
  type RunningWorker,
} from './hosts.ts';

const run = promisify(execFile);
const skip = netnsUnavailable();
const LIMITS = { multipartThreshold: '8MiB', minPartSize: '5MiB', partConcurrency: 1, concurrency: 4 };
const BIG = 16 * MiB + 5; // four parts of 5 MiB, the last one short

let dir: string;
let cluster: StateCluster;
let servers: HostedServers;
const started: RunningWorker[] = [];

beforeAll(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-hosts-'));
  cluster = await startStateCluster();
  servers = await hostServers(3, cluster);
}, 120_000);
afterAll(async () => {
  killAll(started);
  await servers?.close();
  await cluster?.cluster.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A scenario: its own state database, plan (through the relays) and seeded dataset. */
interface Scenario {
  state: StateDatabase;
  plan: PlanFixture;
  seed: Seed;
  env: NodeJS.ProcessEnv;
  /** `--plan`, `--state` (through the relay) and `--json`: what every command of the scenario gets. */
  common: string[];
  /** Worker flags every host gets. */
  args: string[];
}

async function scenario(name: string, target: 's3rver' | 'rgw', seed: Seed, extra: string[]): Promise<Scenario> {
  const state = await cluster.newState();
  const plan = await writeWorkerPlan(join(dir, name), ['lots'], LIMITS, {
    server: target,
    endpoint: target === 'rgw' ? servers.rgwEndpoint : servers.s3rverEndpoint,
    sourceEndpoint: servers.azuriteEndpoint,
  });
  await seedSource(plan, 'lots', seed);
  // For a stuck worker: SIGUSR2 writes Node's diagnostic report (open sockets, timers) there.
  const debug = process.env.CLOUDEXIT_TEST_KEEP_LOGS
    ? {
        NODE_OPTIONS: `--report-on-signal --report-signal=SIGUSR2 --report-directory=${process.env.CLOUDEXIT_TEST_KEEP_LOGS}`,
      }
    : {};
  const url = state.url(servers.postgres.host, servers.postgres.port);
  const common = ['--plan', plan.file, '--state', url, '--json'];
  return { state, plan, seed, env: { ...plan.env, ...cluster.env, ...debug }, common, args: [...common, ...extra] };
}

function startAll(s: Scenario): RunningWorker[] {
  const workers = servers.net.hosts.map((host) => startWorker(servers.net, host, s.args, s.env));
  if (process.env.CLOUDEXIT_TEST_KEEP_LOGS)
    workers.forEach((w, i) =>
      w.child.stderr!.on('data', (c: Buffer) => process.stderr.write(`[w${i + 1}] ${c.toString()}`)),
    );
  started.push(...workers);
  return workers;
}

/** The PID of the worker whose lease holds `key` now, if any. */
async function holderOf(s: Scenario, key: string): Promise<number | undefined> {
  const rows = await s.state.query<{ pid: number }>(
    `SELECT w.pid FROM objects o JOIN object_leases l ON l.fencing_token = o.lease_token
       JOIN workers w ON w.worker_id = l.worker_id
     WHERE o.dataset = 'lots' AND o.key = $1 AND l.released_at IS NULL AND l.expires_at > now()`,
    [key],
  );
  return rows[0]?.pid;
}

/** How many times an object was recorded as copied under a lease, in all (the state's own record). */
async function recordings(s: Scenario): Promise<number> {
  const [row] = await s.state.query<{ n: string }>('SELECT count(*) AS n FROM worker_copies');
  return Number(row!.n);
}

/** Every object on the target and recorded with its source's SHA-256; nothing left to copy. */
async function expectAllCopied(s: Scenario): Promise<void> {
  const store = await s.state.open();
  try {
    const records = await recordsOf(store, 'lots');
    expect(records).toHaveLength(s.seed.size);
    for (const r of records) {
      expect(r.status, r.key).toBe('copied');
      expect(r.sha256, r.key).toBe(sha256(s.seed.get(r.key)!));
    }
  } finally {
    await store.close();
  }
  const verify = await runCli(['verify', '--mode', 'full', ...s.common, '--evidence', join(dir, 'evidence')], s.env);
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, verified: s.seed.size, mismatches: 0 });
}

/**
 * The workers' ends; when they have not all ended within `limitMs`, fails with what the
 * state shows (leases, counts, sessions), which is what tells a stuck worker from a slow one.
 */
async function endOf(s: Scenario, workers: readonly RunningWorker[], limitMs = 150_000) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  const ends = Promise.all(workers.map((w) => w.done));
  try {
    if ((await Promise.race([ends, late])) !== 'late') return await ends;
  } finally {
    clearTimeout(timer);
  }
  const leases = await s.state.query(
    'SELECT w.pid, l.fencing_token, l.expires_at > now() AS live, ' +
      "(SELECT string_agg(o.key || '=' || o.status, ' ') FROM objects o WHERE o.lease_token = l.fencing_token) AS keys " +
      'FROM object_leases l JOIN workers w USING (worker_id) WHERE l.released_at IS NULL',
  );
  const uploads = await s.state.query(
    'SELECT u.key, u.upload_id, (SELECT count(*) FROM upload_parts p WHERE p.dataset = u.dataset AND p.key = u.key) AS parts FROM uploads u',
  );
  if (process.env.CLOUDEXIT_TEST_KEEP_LOGS)
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGUSR2');
  const counts = await s.state.query('SELECT status, count(*) FROM objects GROUP BY status');
  const sessions = await s.state.query(
    'SELECT pid, state, wait_event_type, left(query, 80) AS query FROM pg_stat_activity WHERE datname = current_database()',
  );
  throw new Error(
    `workers still running after ${limitMs} ms: ${JSON.stringify({ leases, uploads, counts, sessions }, null, 1)}`,
  );
}

const reportOf = (r: Awaited<RunningWorker['done']>): WorkerJson => JSON.parse(r.stdout) as WorkerJson;

/** Several workers, a few multipart objects at a few MiB/s: well under the default test time on an idle machine. */
const SCENARIO_MS = 240_000;

describe.skipIf(skip)(`workers on three hosts${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it(
    'SIGKILL of one worker mid-multipart on Ceph RGW: the others finish, the upload resumes, nothing is recorded twice',
    async () => {
      const s = await scenario('sigkill', 'rgw', seedOf(60, 2, BIG, 'kill'), [
        '--inventory-id',
        'inv-sigkill',
        '--batch',
        '4',
        '--lease-seconds',
        '5',
        '--bandwidth',
        '3MiB/s',
      ]);
      const workers = startAll(s);
      const bigKeys = [...s.seed.keys()].filter((k) => s.seed.get(k)!.length === BIG);
      const store = await s.state.open();
      let victim: { key: string; pid: number } | undefined;
      try {
        await waitWhileRunning('an upload with two recorded parts', workers, async () => {
          for (const key of bigKeys) {
            if (((await store.getUpload('lots', key))?.parts.length ?? 0) < 2) continue;
            const pid = await holderOf(s, key);
            if (pid !== undefined) victim = { key, pid };
          }
          return victim !== undefined;
        });
        // Its batch may hold both big objects: every upload it held is to be resumed.
        const held = [];
        for (const key of bigKeys) if ((await holderOf(s, key)) === victim!.pid) held.push(key);
        const killed = workers.find((w) => w.child.pid === victim!.pid)!;
        killed.child.kill('SIGKILL');
        expect((await killed.done).signal).toBe('SIGKILL');
        const uploads = await Promise.all(held.map((key) => store.getUpload('lots', key)));
        const partsAtKill = uploads.reduce((n, u) => n + (u?.parts.length ?? 0), 0);
        expect(uploads[held.indexOf(victim!.key)]!.parts.length).toBeGreaterThanOrEqual(2);
        expect(uploads[held.indexOf(victim!.key)]!.parts.length).toBeLessThan(4);

        const survivors = await endOf(
          s,
          workers.filter((w) => w !== killed),
        );
        for (const r of survivors) expect(r.code, r.stderr).toBe(0);
        const reports = survivors.map(reportOf);
        // Resumed, not restarted: the parts the dead worker recorded were used, not sent again.
        expect(reports.reduce((n, r) => n + r.partsResumed, 0)).toBe(partsAtKill);
        for (const key of held) expect(await store.getUpload('lots', key)).toBeUndefined();
      } finally {
        await store.close();
      }
      expect(await recordings(s)).toBe(s.seed.size);
      await expectAllCopied(s);
    },
    SCENARIO_MS,
  );

  it(
    'a host cut off for longer than its lease: its leases are taken over, its late writes refused and counted',
    async () => {
      const s = await scenario('cut', 's3rver', seedOf(40, 1, BIG, 'cut'), [
        '--batch',
        '4',
        '--lease-seconds',
        '4',
        '--bandwidth',
        '2MiB/s',
      ]);
      expect((await runCli(['inventory', ...s.common], s.env)).code).toBe(0);
      const workers = startAll(s);
      const [bigKey] = [...s.seed.keys()].filter((k) => s.seed.get(k)!.length === BIG);
      const store = await s.state.open();
      try {
        let pid: number | undefined;
        await waitWhileRunning('a recorded part of the big object', workers, async () => {
          pid = (await store.getUpload('lots', bigKey!))?.parts.length ? await holderOf(s, bigKey!) : undefined;
          return pid !== undefined;
        });
        const cutOff = workers.find((w) => w.child.pid === pid)!;
        await servers.net.cut(cutOff.host);
        try {
          // Longer than the lease: another host holds the object, or has already copied it.
          await waitWhileRunning(
            'the big object taken over',
            workers,
            async () => {
              const holder = await holderOf(s, bigKey!);
              const [rec] = (await store.getObjects('lots', [bigKey!])).values();
              return (holder !== undefined && holder !== pid) || rec?.status === 'copied';
            },
            120_000,
          );
        } finally {
          await servers.net.restore(cutOff.host);
        }
        const results = await endOf(s, workers);
        const lateResult = results[workers.indexOf(cutOff)]!;
        for (const r of results) if (r !== lateResult) expect(r.code, r.stderr).toBe(0);
        // The cut-off worker may have recorded a failure of its own before its lease was taken over (exit 1).
        expect([0, 1], lateResult.stderr).toContain(lateResult.code);
        const late = reportOf(lateResult);
        expect(late.leases.lost).toBeGreaterThanOrEqual(1);
        expect(late.leases.fencedWrites).toBeGreaterThanOrEqual(1);
        const fleet = await store.fleet(60_000);
        // Only the cut-off worker was late, and every refusal it met is counted by the state.
        expect(fleet.fencedWrites).toBe(late.leases.fencedWrites);
      } finally {
        await store.close();
      }
      expect(await recordings(s)).toBe(s.seed.size);
      await expectAllCopied(s);
    },
    SCENARIO_MS,
  );

  it(
    'PostgreSQL restarted during the copy: the workers reconnect and finish, nothing lost or recorded twice',
    async () => {
      const s = await scenario('restart', 's3rver', seedOf(150, 1, BIG, 'pg'), [
        '--inventory-id',
        'inv-restart',
        '--batch',
        '4',
        '--lease-seconds',
        '6',
        '--bandwidth',
        '4MiB/s',
        '--concurrency',
        '2',
      ]);
      const workers = startAll(s);
      const store = await s.state.open();
      try {
        // Every worker at work (registered, so past its start and its probe), some objects copied.
        await waitWhileRunning(
          'all three workers registered and some objects copied',
          workers,
          async () =>
            (await store.fleet(60_000)).workers.length >= 3 && (await store.countObjects('lots')).copied.objects >= 20,
        );
      } finally {
        await store.close();
      }
      const { bindir, dataDir } = cluster.cluster;
      await run('runuser', [
        '-u',
        'postgres',
        '--',
        join(bindir, 'pg_ctl'),
        '-D',
        dataDir,
        '-l',
        join(dataDir, '..', 'restart.log'),
        '-w',
        '-m',
        'fast',
        'restart',
      ]);
      const results = await endOf(s, workers);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      expect(results.map(reportOf).every((r) => r.ok)).toBe(true);
      expect(await recordings(s)).toBe(s.seed.size);
      await expectAllCopied(s);
    },
    SCENARIO_MS,
  );
});
