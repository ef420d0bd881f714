/**
 * Every use case of one migration, given only its plan, finds the same files: the state in
 * `.cloudexit/<migration>.db` and the evidence in `.cloudexit/evidence/<migration>` next to
 * the plan, whatever the working folder (before, they were in the working folder). Run from
 * a folder of its own, apart from the plan's.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve } from '../../src/app/approve.ts';
import { copy } from '../../src/app/copy.ts';
import { cutover } from '../../src/app/cutover.ts';
import { defaultEvidenceDir, defaultStatePath } from '../../src/app/paths.ts';
import { openPlanAndState } from '../../src/app/plan-state.ts';
import { rollback } from '../../src/app/rollback.ts';
import { openSession } from '../../src/app/session.ts';
import { status } from '../../src/app/status.ts';
import { verify } from '../../src/app/verify.ts';
import { OWNER_ROLES } from '../../src/cutover/gates.ts';
import { writeTestPlan, type PlanFixture } from '../cli/plan-fixture.ts';
import { absoluteHooks, seedSource } from './helpers.ts';

let dir: string;
let work: string;
let home: string;
let plan: PlanFixture;
let seededAt: number;
let EVIDENCE: string;
let STATE: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-app-defaults-'));
  plan = await writeTestPlan(dir, ['one']);
  await absoluteHooks(plan.file);
  await seedSource(plan, 'one', 4);
  seededAt = Date.now();
  EVIDENCE = defaultEvidenceDir({ migration: 'emc2', file: plan.file });
  STATE = defaultStatePath({ migration: 'emc2', file: plan.file });
  work = join(dir, 'work');
  await mkdir(work);
  home = process.cwd();
  process.chdir(work);
});
afterAll(async () => {
  process.chdir(home);
  await rm(dir, { recursive: true, force: true });
});

describe('the default state and evidence folder of a migration', () => {
  it('copy and verify write the manifest into .cloudexit/evidence/<migration> next to the plan, in the state .cloudexit/<migration>.db there', async () => {
    expect(STATE).toBe(join(dir, '.cloudexit', 'emc2.db'));
    expect(EVIDENCE).toBe(join(dir, '.cloudexit', 'evidence', 'emc2'));
    const copied = await copy({ plan: plan.file, env: plan.env });
    expect(copied.ok).toBe(true);
    expect(copied.datasets[0]!.manifest!.file).toBe(join(EVIDENCE, 'one', 'manifest.sha256'));
    const verified = await verify({ plan: plan.file, env: plan.env, mode: 'full' });
    expect(verified).toMatchObject({ ok: true, verified: 4 });
    expect(verified.datasets[0]!.manifest!.file).toBe(join(EVIDENCE, 'one', 'manifest.sha256'));
    expect(existsSync(STATE)).toBe(true);
    expect(existsSync(join(work, '.cloudexit', 'emc2.db'))).toBe(false);
  });

  it('the sessions of copy, verify and cutover and the plan and state of rollback resolve the same folder', async () => {
    const session = await openSession({ plan: plan.file, env: plan.env, phase: 1 }, 'look');
    await session.finish('succeeded', { objects: 0, bytes: 0, failed: 0 });
    const opened = await openPlanAndState({ plan: plan.file }, { create: false });
    await opened.state.close();
    expect([session.evidenceDir, opened.evidenceDir]).toEqual([EVIDENCE, EVIDENCE]);
    expect(opened.statePath).toBe(STATE);
  });

  it('approve, cutover, rollback and status work on that same state', async () => {
    // The source stamps writes to the second: the freeze must come in a later second.
    await new Promise((r) => setTimeout(r, Math.max(0, 1100 - (Date.now() - seededAt))));
    for (const owner of OWNER_ROLES) await approve({ plan: plan.file, phase: 1, owner });
    const result = await cutover({
      plan: plan.file,
      env: plan.env,
      phase: 1,
      waiveParity: 'test: no stacks deployed',
      commit: true,
    });
    expect(result, JSON.stringify(result.stoppedAt)).toMatchObject({ state: 'committed', stoppedAt: undefined });
    const pointer = JSON.parse(await readFile(join('.cloudexit', 'hooks', 'emc2', 'phase-1.pointer.json'), 'utf8'));
    expect(pointer.serving).toBe('target');
    expect((await rollback({ plan: plan.file, phase: '1' })).outcome).toBe('refused');
    expect((await status({ plan: plan.file })).phases[0]).toMatchObject({
      id: 1,
      state: 'committed',
      verifiedFullObjects: 4,
    });
    // Nothing was written beside the migration's own folders.
    expect(existsSync(join(dir, '.cloudexit', 'evidence', 'one'))).toBe(false);
  });
});
