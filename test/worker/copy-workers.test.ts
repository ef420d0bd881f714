import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanFixture } from '../cli/plan-fixture.ts';
import { runCli } from '../cli/run-cli.ts';
import { MiB } from '../engine/harness.ts';
import {
  recordsOf,
  sourceOf,
  seedOf,
  seedSource,
  sha256,
  startStateCluster,
  writeWorkerPlan,
  type StateCluster,
  type StateDatabase,
} from './fixture.ts';

let dir: string;
let plan: PlanFixture;
let cluster: StateCluster;
let state: StateDatabase;
const SEED = seedOf(150, 2, 11 * MiB + 5, 'local');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-workers-'));
  cluster = await startStateCluster();
  state = await cluster.newState();
  plan = await writeWorkerPlan(dir, ['lots'], { multipartThreshold: '8MiB', minPartSize: '5MiB', concurrency: 4 });
  await seedSource(plan, 'lots', SEED);
}, 120_000);
afterAll(async () => {
  await cluster?.cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ ...plan.env, ...cluster.env });

describe('copy --workers', () => {
  it('with a SQLite state, more than one worker is bad input: exit 2, the fix names PostgreSQL, no state created', async () => {
    const file = join(dir, 'never.db');
    const r = await runCli(['copy', '--plan', plan.file, '--state', file, '--workers', '3'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--workers 3 needs a PostgreSQL state');
    expect(r.stderr).toMatch(/fix: .*postgresql:\/\//);
    expect(existsSync(file)).toBe(false);
  });

  it('a worker on a SQLite state is bad input too, and so is a lease too short for a heartbeat', async () => {
    const file = join(dir, 'never.db');
    const sqlite = await runCli(['worker', '--plan', plan.file, '--state', file], env());
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toContain('worker needs a PostgreSQL state');
    const lease = await runCli(['worker', '--plan', plan.file, '--state', state.url(), '--lease-seconds', '1'], env());
    expect(lease.code).toBe(2);
    expect(lease.stderr).toContain('--lease-seconds 1 is too short');
    expect(existsSync(file)).toBe(false);
  });

  it('three local workers share one sharded inventory and copy every object once, verified in full', async () => {
    const args = ['--plan', plan.file, '--state', state.url(), '--evidence', join(dir, 'evidence'), '--json'];
    const r = await runCli(['copy', ...args, '--workers', '3', '--batch', '8', '--lease-seconds', '10'], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.datasets[0]).toMatchObject({ dataset: 'lots', copied: SEED.size, failed: [], alreadyCopied: 0 });
    expect(report.datasets[0].inventory).toMatchObject({ objects: SEED.size, added: SEED.size });
    expect(report.datasets[0].manifest).toBeDefined();

    const store = await state.open();
    try {
      const records = await recordsOf(store, 'lots');
      expect(records).toHaveLength(SEED.size);
      for (const rec of records) expect(rec.sha256, rec.key).toBe(sha256(SEED.get(rec.key)!));
      // Recorded once each: the three worker runs' totals add up to the objects, each object names one of them.
      const workers = (await store.listRuns(20)).filter((run) => run.command === 'worker');
      expect(workers).toHaveLength(3);
      expect(workers.reduce((n, run) => n + run.totals!.objects, 0)).toBe(SEED.size);
      const ids = new Set(workers.map((w) => w.id));
      for (const rec of records) expect(ids.has(rec.copiedRunId!), rec.key).toBe(true);
    } finally {
      await store.close();
    }
    const verify = await runCli(['verify', '--mode', 'full', ...args], env());
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, verified: SEED.size, mismatches: 0 });
  });

  it('status shows the fleet of a PostgreSQL state: its workers, their rate, no stalled lease, nothing refused', async () => {
    const r = await runCli(['status', '--plan', plan.file, '--state', state.url(), '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const { fleet } = JSON.parse(r.stdout);
    expect(fleet.workers).toHaveLength(3);
    for (const w of fleet.workers) expect(w).toMatchObject({ leases: 0, objectsHeld: 0, pid: expect.any(Number) });
    // Every object copied in the window counts toward the fleet's rate; nothing is left to project.
    const objects = fleet.workers.reduce((n: number, w: { objectsPerSecond: number }) => n + w.objectsPerSecond, 0);
    expect(objects).toBeCloseTo(fleet.throughput.objectsPerSecond, 6);
    expect(objects).toBeGreaterThan(0);
    expect(fleet).toMatchObject({ stalledLeases: [], fencedWrites: 0 });
    expect(fleet.projectedEnd).toBeUndefined();
    const text = await runCli(['status', '--plan', plan.file, '--state', state.url()], env());
    expect(text.stdout).toMatch(/^fleet \(as of /m);
    expect(text.stdout).toMatch(/^fleet rate: \d+\.\d objects\/s/m);

    const sqlite = await runCli(['status', '--plan', plan.file, '--state', join(dir, 'none.db'), '--json'], env());
    expect(JSON.parse(sqlite.stdout).fleet).toBeUndefined();
  });

  it('a second sharded inventory marks an object gone from the source once, after every shard is listed', async () => {
    const gone = [...SEED.keys()].find((k) => k.startsWith('c'))!;
    await sourceOf(plan, 'lots').delete(gone);
    const args = ['--plan', plan.file, '--state', state.url(), '--evidence', join(dir, 'evidence'), '--json'];
    const r = await runCli(['copy', ...args, '--workers', '2', '--lease-seconds', '10'], env());
    expect(r.code, r.stderr).toBe(0);
    const { datasets } = JSON.parse(r.stdout);
    expect(datasets[0]).toMatchObject({ copied: 0, alreadyCopied: SEED.size - 1, failed: [] });
    expect(datasets[0].inventory).toMatchObject({ objects: SEED.size - 1, unchanged: SEED.size - 1, added: 0 });
    expect(datasets[0].inventory.deletedAtSource).toEqual([gone]);
    const store = await state.open();
    try {
      expect((await store.getObjects('lots', [gone])).get(gone)!.status).toBe('deleted-at-source');
    } finally {
      await store.close();
    }
  });
});
