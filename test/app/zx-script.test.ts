/**
 * scripts/migrate-phase.mjs, the example zx script, run as an ops engineer runs it (a child
 * Node 24 process) against the suite's Azurite and s3rver: its report, its exit code, and the
 * state it leaves, which is the state the `cloudexit` commands would have left.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { md5 } from '../../src/engine/hashing.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import { createS3Store } from '../../src/stores/s3.ts';
import { writeTestPlan, type PlanFixture } from '../cli/plan-fixture.ts';
import { absoluteHooks } from './helpers.ts';
import { bytesOf } from '../engine/harness.ts';

const NODE = resolve('node_modules/.bin/node');
const SCRIPT = resolve('scripts/migrate-phase.mjs');
const KEYS = ['lyon/2024/séjours.csv', 'lyon/2024/actes.csv', 'nancy/patients.parquet'];

let dir: string;
let plan: PlanFixture;
const state = () => join(dir, 'state.db');

function script(
  args: string[],
  env: NodeJS.ProcessEnv = plan.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(NODE, [SCRIPT, ...args], { env, cwd: dir }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const phaseArgs = () => ['--phase', '1', '--plan', plan.file, '--state', state(), '--evidence', join(dir, 'evidence')];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-zx-'));
  plan = await writeTestPlan(dir, ['one']);
  // The script runs from its own folder: hook paths relative to the repository would not resolve there.
  await absoluteHooks(plan.file);
  const azurite = inject('azurite');
  const source = createAzureBlobStore({
    endpoint: azurite.endpoint,
    container: plan.names.get('one')!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
  for (const key of KEYS) {
    const body = bytesOf(key, 3000);
    await source.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('scripts/migrate-phase.mjs', () => {
  it('copies and fully verifies the phase through the library, reports it, exits 0', async () => {
    const r = await script(phaseArgs());
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('copy: 3 objects copied (9000 bytes), 0 failed');
    expect(r.stdout).toContain('verify full: 3 objects verified, 0 mismatches, 0 not copied');
    expect(r.stdout).toMatch(
      /status: phase 1 \(Everything\) planned: 3\/3 copied, 3 verified in full, -?\d+ days left/,
    );
    expect(r.stdout).toContain('phase 1 is ready for its cutover');
    for (const secret of plan.secrets) expect(r.stdout + r.stderr).not.toContain(secret);

    const store = await openSqliteStateStore(state());
    try {
      expect(await store.countVerifiedFull('one')).toBe(3);
      const runs = await store.listRuns();
      expect(runs.map((run) => [run.command, run.outcome]).sort()).toEqual([
        ['copy', 'succeeded'],
        ['verify full', 'succeeded'],
      ]);
      const steps = [];
      for await (const event of store.iterateAudit()) steps.push([event.step, event.phase]);
      expect(steps).toEqual([
        ['probe', 1],
        ['copy', 1],
        ['verify-full', 1],
      ]); // copy probes the target before its first write
    } finally {
      await store.close();
    }
  });

  it('exits 1 and names the object when the target no longer holds what was copied', async () => {
    const s3rver = inject('s3rver');
    const target = createS3Store({
      endpoint: s3rver.endpoint,
      region: s3rver.region,
      forcePathStyle: true,
      flexibleChecksums: false,
      bucket: plan.names.get('one')!.bucket,
      credentials: { accessKeyId: s3rver.accessKeyId, secretAccessKey: s3rver.secretAccessKey },
    });
    const altered = bytesOf('altered', 3000);
    await target.put(KEYS[2]!, altered, md5(altered), { metadata: {} });
    const r = await script(phaseArgs());
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stdout).toContain(`mismatch: one: ${KEYS[2]}`);
    expect(r.stdout).toContain('phase 1 is NOT ready');
  });

  it('exits 2 with the fix on bad input, before anything is opened', async () => {
    const r = await script(['--phase', '9', '--plan', plan.file, '--state', join(dir, 'never.db')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`error: ${plan.file}: there is no phase 9`);
    expect(r.stdout).toContain('fix: use one of: 1');
  });
});
