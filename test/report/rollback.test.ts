/**
 * A cutover that fails at the switch and is rolled back, as the runbook of its phase shows
 * it: the state, the steps undone, the step that stopped, the owners' go cleared, the
 * rollback in the audit events and on the timeline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHookRunner } from '../../src/cli/hook-wiring.ts';
import { rollbackPhase } from '../../src/cutover/rollback.ts';
import { fixedClock } from '../../src/plan/clock.ts';
import { loadPlan, type LoadedPlan } from '../../src/plan/load.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { approve, copyLikeTheCli, cutover, seededDataset, SAMPLE_PLAN, verifyFullLikeTheCli } from './fixture.ts';

let dir: string;
let files: Map<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-runbook-rollback-'));
  const sample = await loadPlan(SAMPLE_PLAN);
  // The example hooks, except a switch that fails the way a real one would: exit code 3.
  const plan: LoadedPlan = { ...sample, hooks: { ...sample.hooks, switch: 'test/cutover/fixtures/exit-3.mjs' } };
  const phase = plan.phases[0]!;
  const state = await openSqliteStateStore(join(dir, 'state.db'));
  try {
    const datasets = [await seededDataset('nomenclatures', 3), await seededDataset('clb', 3)];
    await copyLikeTheCli(state, datasets, join(dir, 'evidence'), 1);
    await verifyFullLikeTheCli(state, datasets, 1);
    await new Promise((r) => setTimeout(r, 1100));
    await approve(state, phase, ['decisionMaker', 'opsLead', 'dataOwner', 'dpo'], '2026-11-29T17:00:00Z');
    const stopped = await cutover(plan, state, phase, datasets, dir, '2026-11-30T20:00:00Z');
    expect(stopped.stoppedAt?.step).toBe('switch');
    const rolled = await rollbackPhase({
      state, phase, hooks: plan.hooks, clock: fixedClock('2026-11-30T20:45:00Z'), actor: 'ops',
      runHook: planHookRunner(plan, phase, 'rollback-run', { stateDir: join(dir, 'hooks') }),
    });
    expect(rolled.outcome).toBe('rolled-back');
    files = await renderRunbooks({ plan, state, outDir: join(dir, 'runbooks'), evidenceDir: join(dir, 'evidence') });
  } finally {
    await state.close();
  }
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runbook of a rolled-back phase', () => {
  it('says the phase is rolled back and needs a new go, in the overview and the phase', () => {
    expect(files.get('README.md')).toMatch(/\| 1\. Pilot [^|]+\| Rolled back, a new go is needed \|/);
    expect(files.get('README.md')).toContain('Cutover, rolled back :crit, done, p1cut, 2026-11-30, 1d');
    expect(files.get('phase-1.md')).toContain('State: **Rolled back, a new go is needed**.');
  });

  it('shows the steps done then undone, and the step that stopped with its reason', () => {
    const steps = files.get('phase-1.md')!.split('\n## Steps\n')[1]!.split('\n## ')[0]!;
    expect(steps).toMatch(/\| 2 \| Freeze writes at the source \|[^\n]*\| Done 2026-11-30 21:00 \(Europe\/Paris\): source frozen at 2026-11-30 21:00 \(Europe\/Paris\); undone by the rollback of 2026-11-30 21:45 \(Europe\/Paris\) \|/);
    expect(steps).toMatch(/\| 6 \| Switch readers to the new host \|[^\n]*\| \*\*Stopped\*\* 2026-11-30 21:00 \(Europe\/Paris\): [^|]*exit/);
    expect(steps).toMatch(/\| 8 \| Commit: the point of no return \|[^\n]*\| Not run yet \|/);
  });

  it('clears the go of every owner and records the rollback among the evidence', () => {
    const text = files.get('phase-1.md')!;
    expect(text).toContain('- [ ] Go of the decision maker, EMC2 programme director (HDH): `npx cloudexit cutover --phase 1 --approve decisionMaker`.');
    expect(text).toMatch(/\| 2026-11-30 21:45 \(Europe\/Paris\) \| ops \| Rollback, rollback hook \| succeeded \|/);
    expect(text).toMatch(/\| 2026-11-30 21:45 \(Europe\/Paris\) \| ops \| Rollback \| succeeded \|/);
    expect(text).toContain('| On a rollback: Within one hour of the decision |');
  });
});
