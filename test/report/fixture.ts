/**
 * A migration under way, built by driving the real modules against the suite's Azurite and
 * s3rver: phase 1 copied, fully verified, its manifests written, approved by its four owners
 * and cut over to commit with the example hooks; phase 2 partly copied, one go recorded and
 * its cutover refused at the go/no-go; phase 3 untouched. This is the state the runbook
 * tests read, the way an operator's `.cloudexit/emc2.db` would look mid-migration.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planHookRunner } from '../../src/app/hooks.ts';
import { recordApproval } from '../../src/cutover/approve.ts';
import { runCutover } from '../../src/cutover/machine.ts';
import { ByteBudget } from '../../src/engine/byte-budget.ts';
import { UNLIMITED } from '../../src/engine/bandwidth.ts';
import type { EngineContext, EngineDataset } from '../../src/engine/context.ts';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { writeManifest } from '../../src/engine/manifest.ts';
import { SILENT } from '../../src/progress.ts';
import { verifyDataset } from '../../src/engine/verify.ts';
import { fixedClock } from '../../src/plan/clock.ts';
import { loadPlan, type LoadedPlan } from '../../src/plan/load.ts';
import type { Phase } from '../../src/plan/schema.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { bytesOf } from '../engine/harness.ts';
import { scenarioAfterNow, type Scenario } from '../support/scenario.ts';
import { freshAzureStore, freshS3Store } from '../support/stores.ts';

export const SAMPLE_PLAN = 'runbooks/emc2/plan.yaml';

/** The first event of the story the fixtures tell (the owners' go on phase 1), before it is moved. */
export const STORY_STARTS = '2026-11-29T17:00:00Z';

export interface Migration {
  dir: string;
  /** The sample plan, its dates moved with the story (see `scenario`). */
  plan: LoadedPlan;
  /** The story's dates: written as of late 2026, moved past today (test/support/scenario.ts). */
  scenario: Scenario;
  statePath: string;
  evidenceDir: string;
  /** Opens the state file again (the caller closes it). */
  open(): Promise<StateStore>;
  remove(): Promise<void>;
}

export async function engineContext(state: StateStore, command: string): Promise<EngineContext> {
  const runId = await state.startRun({ command, scope: 'test' });
  return {
    state,
    runId,
    progress: SILENT,
    budget: new ByteBudget(64 * 2 ** 20),
    bandwidth: UNLIMITED,
    retryBaseDelayMs: 5,
    limits: {
      concurrency: 8,
      partConcurrency: 2,
      multipartThreshold: 16 * 2 ** 20,
      minPartSize: 8 * 2 ** 20,
      maxAttempts: 3,
    },
  };
}

/** A dataset of the plan on a fresh container and bucket, seeded with `count` small objects. */
export async function seededDataset(name: string, count: number): Promise<EngineDataset> {
  const source = (await freshAzureStore()).store;
  const target = (await freshS3Store()).store;
  for (let i = 0; i < count; i++) {
    const body = bytesOf(`${name}-${i}`, 500 + i * 37);
    await source.put(`records/${String(i).padStart(3, '0')}.csv`, body, md5(body), { metadata: {}, md5: md5(body) });
  }
  return { name, sourcePrefix: '', targetPrefix: '', source, target };
}

/** Copies as `cloudexit copy` does: a copy run with its totals (the throughput), then its audit event. */
export async function copyLikeTheCli(
  state: StateStore,
  datasets: readonly EngineDataset[],
  evidenceDir: string,
  phase: number,
): Promise<void> {
  const ctx = await engineContext(state, 'copy');
  const details = [];
  let objects = 0;
  let bytes = 0;
  for (const dataset of datasets) {
    const copy = await copyDataset(ctx, dataset);
    const manifest = copy.failed.length === 0 ? await writeManifest(ctx, dataset, evidenceDir) : undefined;
    objects += copy.copied;
    bytes += copy.bytesCopied;
    details.push({
      dataset: dataset.name,
      copied: copy.copied,
      bytes: copy.bytesCopied,
      failed: copy.failed.length,
      manifestSha256: manifest?.sha256,
    });
  }
  await state.appendAudit({
    time: new Date().toISOString(),
    actor: 'ops',
    phase,
    step: 'copy',
    outcome: 'succeeded',
    details: { runId: ctx.runId, datasets: details },
  });
  await state.finishRun(ctx.runId, 'succeeded', { objects, bytes, failed: 0 });
}

export async function verifyFullLikeTheCli(
  state: StateStore,
  datasets: readonly EngineDataset[],
  phase: number,
): Promise<void> {
  const ctx = await engineContext(state, 'verify full');
  const details = [];
  for (const dataset of datasets) {
    const report = await verifyDataset(ctx, dataset, 'full');
    details.push({
      dataset: dataset.name,
      verified: report.verified,
      mismatches: report.mismatches.map((m) => m.targetKey),
    });
  }
  await state.appendAudit({
    time: new Date().toISOString(),
    actor: 'ops',
    phase,
    step: 'verify-full',
    outcome: 'succeeded',
    details: { runId: ctx.runId, datasets: details },
  });
  await state.finishRun(ctx.runId, 'succeeded', { objects: 0, bytes: 0, failed: 0 });
}

export async function approve(state: StateStore, phase: Phase, roles: readonly string[], at: string): Promise<void> {
  for (const role of roles) await recordApproval({ state, phase, clock: fixedClock(at), actor: 'owner' }, role);
}

/** Runs the real cutover of a phase with the plan's (example) hooks, steps stamped at `at`. */
export async function cutover(
  plan: LoadedPlan,
  state: StateStore,
  phase: Phase,
  datasets: readonly EngineDataset[],
  dir: string,
  at: string,
) {
  const ctx = await engineContext(state, `cutover ${phase.id}`);
  const result = await runCutover({
    state,
    phase,
    datasets,
    ctx,
    hooks: plan.hooks,
    parity: undefined,
    parityWaiver: { reason: 'report fixture: no stacks deployed' },
    commit: true,
    clock: fixedClock(at),
    actor: 'ops',
    runHook: planHookRunner(plan, phase, ctx.runId, { stateDir: join(dir, 'hooks') }),
  });
  await state.finishRun(ctx.runId, result.state === 'committed' ? 'succeeded' : 'failed', {
    objects: 0,
    bytes: 0,
    failed: 0,
  });
  return result;
}

export async function migrationUnderWay(): Promise<Migration> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudexit-runbook-'));
  const sample = await loadPlan(SAMPLE_PLAN);
  const scenario = scenarioAfterNow(STORY_STARTS, sample.window);
  const plan = scenario.plan(sample);
  const at = scenario.at;
  const statePath = join(dir, 'state.db');
  const evidenceDir = join(dir, 'evidence');
  const state = await openSqliteStateStore(statePath);
  try {
    const [p1, p2] = [plan.phases[0]!, plan.phases[1]!];
    const phase1 = [await seededDataset('nomenclatures', 6), await seededDataset('clb', 9)];
    await copyLikeTheCli(state, phase1, evidenceDir, 1);
    await verifyFullLikeTheCli(state, phase1, 1);
    // Every event of the story comes after the servers stamped the objects (scenario.ts).
    await approve(state, p1, ['decisionMaker', 'opsLead', 'dataOwner', 'dpo'], at(STORY_STARTS));
    const committed = await cutover(plan, state, p1, phase1, dir, at('2026-11-30T20:00:00Z'));
    if (committed.state !== 'committed')
      throw new Error(`phase 1 did not commit: ${JSON.stringify(committed.stoppedAt)}`);

    const hcl = await seededDataset('hcl', 4);
    await copyLikeTheCli(state, [hcl], evidenceDir, 2);
    await approve(state, p2, ['dpo'], at('2026-12-01T09:30:00Z'));
    const refused = await cutover(plan, state, p2, [hcl], dir, at('2026-12-01T10:00:00Z'));
    if (refused.stoppedAt?.step !== 'preflight') throw new Error('phase 2 should stop at the go/no-go');
  } finally {
    await state.close();
  }
  return {
    dir,
    plan,
    scenario,
    statePath,
    evidenceDir,
    open: () => openSqliteStateStore(statePath),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
