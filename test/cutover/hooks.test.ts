/**
 * The example hooks in scripts/hooks/, run through `runHook` exactly as a cutover runs
 * them for the sample plan, and the documented environment they receive.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HOOK_VARIABLES,
  HookError,
  hookContextFromPlan,
  hookEnvironment,
  runHook,
  type HookName,
} from '../../src/cutover/hooks.ts';
import type { LoadedPlan } from '../../src/plan/load.ts';
import { phaseEnv, readJsonFile, ROOT, samplePlan, tempDir } from './hook-helpers.ts';

let plan: LoadedPlan;
let state: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  plan = await samplePlan();
});
beforeEach(async () => {
  state = await tempDir();
});
afterEach(() => state.remove());

/** Runs the sample plan's `name` hook for `phaseId`, from the repository root. */
function run(name: HookName, phaseId = 1, step: string = name, frozenAt?: string) {
  return runHook({
    name,
    script: plan.hooks[name]!,
    cwd: ROOT,
    env: phaseEnv(plan, phaseId, step, state.path, frozenAt),
    timeoutMs: 60_000,
  });
}
const pointerOf = (phaseId: number) => join(state.path, 'emc2', `phase-${phaseId}.pointer.json`);
const freezeOf = (phaseId: number) => join(state.path, 'emc2', `phase-${phaseId}.freeze.json`);

describe('hookEnvironment', () => {
  it('sets every documented variable from plain data, and nothing else', () => {
    const env = phaseEnv(plan, 2, 'switch', '/var/lib/cloudexit/hooks', '2026-12-07T06:00:00+01:00');
    expect(Object.keys(env).sort()).toEqual([...HOOK_VARIABLES].sort());
    expect(env).toMatchObject({
      CLOUDEXIT_MIGRATION: 'emc2',
      CLOUDEXIT_PHASE: '2',
      CLOUDEXIT_PHASE_NAME: 'Hospital data',
      CLOUDEXIT_STEP: 'switch',
      CLOUDEXIT_RUN_ID: 'run-test-1',
      CLOUDEXIT_DATASETS: 'hcl,chru-nancy,hpsj,catalog',
      CLOUDEXIT_SOURCE_ENDPOINT: 'https://hdhemc2prod.blob.core.windows.net',
      CLOUDEXIT_TARGET_ENDPOINT: 'https://s3.eu-west-par.io.cloud.ovh.net',
      CLOUDEXIT_STATE_DIR: '/var/lib/cloudexit/hooks',
      CLOUDEXIT_FROZEN_AT: '2026-12-07T05:00:00.000Z',
    });
    expect(JSON.parse(env.CLOUDEXIT_DATASETS_JSON!)[1]).toEqual({
      name: 'chru-nancy',
      source: { endpoint: 'https://hdhemc2prod.blob.core.windows.net', container: 'emc2-chru-nancy', prefix: '' },
      target: { endpoint: 'https://s3.eu-west-par.io.cloud.ovh.net', bucket: 'emc2-chru-nancy', prefix: '' },
    });
    // A database: where it lives on each side, never who connects or with what password.
    expect(JSON.parse(env.CLOUDEXIT_DATASETS_JSON!)[3]).toEqual({
      name: 'catalog',
      kind: 'postgres',
      source: { host: 'hdh-emc2-pg.postgres.database.azure.com', port: 5432, database: 'emc2_catalog' },
      target: { host: 'postgresql-emc2.database.cloud.ovh.net', port: 20184, database: 'emc2_catalog' },
    });
  });

  it('leaves CLOUDEXIT_FROZEN_AT out until known, defaults the state folder, and strips credentials from endpoints', () => {
    const env = hookEnvironment({
      migration: 'm',
      phase: { id: 1, name: 'p' },
      step: 'freeze',
      runId: 'r',
      datasets: [{ name: 'd', source: { container: 'c1', prefix: '' }, target: { bucket: 'b1', prefix: 'x/' } }],
      sourceEndpoint: 'https://acct.blob.core.windows.net/?sv=2024-01-01&sig=SECRETSIGNATURE',
      targetEndpoint: 'https://user:hunter22@s3.example.org/',
    });
    expect(env.CLOUDEXIT_FROZEN_AT).toBeUndefined();
    expect(env.CLOUDEXIT_STATE_DIR).toBe('.cloudexit/hooks');
    expect(env.CLOUDEXIT_SOURCE_ENDPOINT).toBe('https://acct.blob.core.windows.net');
    expect(env.CLOUDEXIT_TARGET_ENDPOINT).toBe('https://s3.example.org');
    expect(JSON.stringify(env)).not.toMatch(/SECRETSIGNATURE|hunter22/);
  });

  it('refuses a phase naming a dataset the plan lacks, and a frozenAt that is not a date', () => {
    const phase = { id: 9, name: 'x', datasets: ['nope'] };
    expect(() => hookContextFromPlan(plan, phase, { step: 's', runId: 'r' })).toThrow(/phase 9 names dataset "nope"/);
    expect(() => phaseEnv(plan, 1, 's', '/tmp', 'yesterday')).toThrow(/frozenAt must be a date/);
  });
});

describe('example hooks', () => {
  it('freeze records the frozen datasets and says what a real one would do', async () => {
    const result = await run('freeze', 1, 'freeze', '2026-11-30T07:00:00.000Z');
    expect(result).toMatchObject({
      name: 'freeze',
      script: 'scripts/hooks/freeze.mjs',
      exitCode: 0,
      signal: null,
      truncated: false,
    });
    expect(result.stdout).toMatch(/phase 1 frozen .*nomenclatures,clb/);
    expect(result.stdout).toMatch(/revoke the write SAS of emc2-nomenclatures, emc2-clb/);
    expect(await readJsonFile(freezeOf(1))).toEqual({
      frozen: true,
      at: '2026-11-30T07:00:00.000Z',
      datasets: ['nomenclatures', 'clb'],
      runId: 'run-test-1',
    });
  });

  it("switch writes the pointer to the target with each dataset's bucket", async () => {
    await run('switch', 2);
    const pointer = (await readJsonFile(pointerOf(2))) as {
      serving: string;
      datasets: Record<string, unknown>;
      switchedAt: string;
    };
    expect(pointer.serving).toBe('target');
    expect(Object.keys(pointer.datasets)).toEqual(['hcl', 'chru-nancy', 'hpsj', 'catalog']);
    expect(pointer.datasets.catalog).toEqual({
      host: 'postgresql-emc2.database.cloud.ovh.net',
      port: 20184,
      database: 'emc2_catalog',
    });
    expect(pointer.datasets.hpsj).toEqual({
      endpoint: 'https://s3.eu-west-par.io.cloud.ovh.net',
      bucket: 'emc2-hpsj',
      prefix: '',
    });
    expect(Date.parse(pointer.switchedAt)).not.toBeNaN();
  });

  it('freeze → switch → smoke-check → rollback → thaw leaves the pointer at the source and the phase thawed', async () => {
    for (const name of ['freeze', 'switch', 'smokeCheck', 'rollback', 'thaw'] as const) {
      const result = await run(name, 3);
      expect(result.exitCode, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stdout.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
    const pointer = await readJsonFile(pointerOf(3));
    expect(pointer).toMatchObject({
      serving: 'source',
      datasets: { 'snds-extracts': { container: 'emc2-snds-extracts' } },
    });
    expect(await readJsonFile(freezeOf(3))).toMatchObject({ frozen: false, datasets: ['snds-extracts'] });
  });

  it('smoke-check passes after switch and fails without a pointer or after a rollback', async () => {
    const missing = await run('smokeCheck', 1).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HookError);
    expect((missing as HookError).failure).toBe('exit');
    expect((missing as HookError).message).toMatch(
      /smokeCheck hook scripts\/hooks\/smoke-check\.mjs exited with code 1 .*no pointer file/s,
    );

    await run('switch', 1);
    expect((await run('smokeCheck', 1)).stdout).toMatch(/OK — the pointer serves the target for nomenclatures, clb/);
    await run('rollback', 1);
    await expect(run('smokeCheck', 1)).rejects.toThrow(/serves "source", not "target"/);
  });

  it('rollback and thaw are safe when nothing was switched or frozen', async () => {
    await run('rollback', 1);
    await run('thaw', 1);
    expect((await readJsonFile(pointerOf(1))).serving).toBe('source');
    expect((await readJsonFile(freezeOf(1))).frozen).toBe(false);
  });

  it.each(['freeze', 'thaw', 'switch', 'smokeCheck', 'rollback'] as const)(
    '%s names the variable it is missing',
    async (name) => {
      const env = phaseEnv(plan, 1, name, state.path);
      delete env.CLOUDEXIT_PHASE;
      const error = await runHook({ name, script: plan.hooks[name]!, cwd: ROOT, env }).then(
        () => undefined,
        (e: unknown) => e as HookError,
      );
      expect(error).toBeInstanceOf(HookError);
      expect(error?.result?.exitCode).toBe(2);
      expect(error?.result?.stderr).toMatch(/CLOUDEXIT_PHASE is not set/);
      expect(existsSync(join(state.path, 'emc2'))).toBe(false);
    },
  );
});
