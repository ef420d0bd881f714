import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli } from './run-cli.ts';

let dir: string;
let plan: PlanFixture;
const state = () => join(dir, 'state.db');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-badinput-'));
  plan = await writeTestPlan(dir, ['one']);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bad input gets a clear error and changes nothing', () => {
  it('an invalid plan: exit 2, file:line and fix, no state created', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      (await readFile(plan.file, 'utf8')).replace('plannedCutover: 2026-12-01', 'plannedCutover: 2026-13-01'),
    );
    const r = await runCli(['copy', '--plan', bad, '--state', state()], plan.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: phases\[0\]\.plannedCutover: must be a real calendar date/);
    expect(r.stderr).toContain('fix:');
    expect(existsSync(state())).toBe(false);
  });

  it('a missing secret: names the environment variable, no state created', async () => {
    const { TEST_TARGET_SECRET: _gone, ...env } = plan.env;
    const r = await runCli(['copy', '--plan', plan.file, '--state', state()], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TEST_TARGET_SECRET is not set');
    expect(existsSync(state())).toBe(false);
  });

  it('an unknown dataset or phase: says which exist, no state created', async () => {
    const r = await runCli(['copy', '--plan', plan.file, '--state', state(), '--dataset', 'nope', '--json'], plan.env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ message: 'unknown dataset "nope"', fix: 'use one of: one' });
    const p = await runCli(['copy', '--plan', plan.file, '--state', state(), '--phase', '9'], plan.env);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('there is no phase 9');
    expect(existsSync(state())).toBe(false);
  });

  it('a bad option value: exit 2 with the accepted values', async () => {
    const r = await runCli(['verify', '--plan', plan.file, '--mode', 'fast'], plan.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are quick, full/);
  });
});

describe('no secret reaches an output', () => {
  it('rejected credentials fail the run with messages free of every secret, in output and state', async () => {
    // s3rver checks the access key id but not the signature, Azurite checks the shared key: wrong values on both sides.
    const wrongSecret = 'WRONG-secret-value-that-must-not-leak-0123456789';
    const wrongKey = Buffer.from('not-the-account-key-not-the-account-key-0123456789').toString('base64');
    const runs = [
      { ...plan.env, TEST_TARGET_KEY_ID: 'WRONGKEYID', TEST_TARGET_SECRET: wrongSecret },
      { ...plan.env, TEST_SOURCE_KEY: wrongKey },
    ];
    for (const [i, env] of runs.entries()) {
      const db = join(dir, `leak-${i}.db`);
      const r = await runCli(['copy', '--plan', plan.file, '--state', db, '--json'], env);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/403|AccessDenied|InvalidAccessKeyId|AuthorizationFailure/);
      for (const secret of [wrongSecret, wrongKey, ...plan.secrets]) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
        if (existsSync(db)) expect((await readFile(db)).includes(Buffer.from(secret))).toBe(false);
      }
    }
  });
});
