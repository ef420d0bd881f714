/**
 * A cutover that fails at the switch and is rolled back, as the runbook of its phase shows
 * it: the state, the steps undone, the step that stopped, the owners' go cleared, the
 * rollback in the audit events and on the timeline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHookRunner } from '../../src/app/hooks.ts';
import { rollbackPhase } from '../../src/cutover/rollback.ts';
import { fixedClock } from '../../src/plan/clock.ts';
import { loadPlan, type LoadedPlan } from '../../src/plan/load.ts';
import { renderStatus } from '../../src/cli/commands/status.ts';
import { migrationStatus, type MigrationStatus } from '../../src/report/status.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import {
  approve,
  copyLikeTheCli,
  cutover,
  seededDataset,
  SAMPLE_PLAN,
  STORY_STARTS,
  verifyFullLikeTheCli,
} from './fixture.ts';
import { scenarioAfterNow, type Scenario } from '../support/scenario.ts';

let dir: string;
let files: Map<string, string>;
let story: Scenario;
/** `cloudexit status` of the same state, an hour after the rollback. */
let statusAfter: MigrationStatus;
/** When the cutover stopped and when it was rolled back, as the runbooks print them. */
const stoppedAt = () => story.paris('2026-11-30T20:00:00Z');
const rolledBackAt = () => story.paris('2026-11-30T20:45:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-runbook-rollback-'));
  const sample = await loadPlan(SAMPLE_PLAN);
  story = scenarioAfterNow(STORY_STARTS, sample.window);
  // The example hooks, except a switch that fails the way a real one would: exit code 3.
  const plan: LoadedPlan = story.plan({
    ...sample,
    hooks: { ...sample.hooks, switch: 'test/cutover/fixtures/exit-3.mjs' },
  });
  const phase = plan.phases[0]!;
  const state = await openSqliteStateStore(join(dir, 'state.db'));
  try {
    const datasets = [await seededDataset('nomenclatures', 3), await seededDataset('clb', 3)];
    await copyLikeTheCli(state, datasets, join(dir, 'evidence'), 1);
    await verifyFullLikeTheCli(state, datasets, 1);
    // Every event of the story comes after the servers stamped the objects (scenario.ts).
    await approve(state, phase, ['decisionMaker', 'opsLead', 'dataOwner', 'dpo'], story.at(STORY_STARTS));
    const stopped = await cutover(plan, state, phase, datasets, dir, story.at('2026-11-30T20:00:00Z'));
    expect(stopped.stoppedAt?.step).toBe('switch');
    const rolled = await rollbackPhase({
      state,
      phase,
      hooks: plan.hooks,
      clock: fixedClock(story.at('2026-11-30T20:45:00Z')),
      actor: 'ops',
      runHook: planHookRunner(plan, phase, 'rollback-run', { stateDir: join(dir, 'hooks') }),
    });
    expect(rolled.outcome).toBe('rolled-back');
    files = await renderRunbooks({ plan, state, outDir: join(dir, 'runbooks'), evidenceDir: join(dir, 'evidence') });
    statusAfter = await migrationStatus(plan, state, fixedClock(story.at('2026-11-30T21:45:00Z')));
  } finally {
    await state.close();
  }
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runbook of a rolled-back phase', () => {
  it('says the phase is rolled back and needs a new go, in the overview and the phase', () => {
    expect(files.get('README.md')).toMatch(/\| 1\. Pilot [^|]+\| Rolled back, a new go is needed \|/);
    expect(files.get('README.md')).toContain(`Cutover, rolled back :crit, done, p1cut, ${story.day('2026-11-30')}, 1d`);
    expect(files.get('phase-1.md')).toContain('State: **Rolled back, a new go is needed**.');
  });

  it('shows the steps done then undone, and the step that stopped with its reason', () => {
    const steps = files.get('phase-1.md')!.split('\n## Steps\n')[1]!.split('\n## ')[0]!;
    const freeze = steps.split('\n').find((row) => row.startsWith('| 2 | Freeze writes at the source |'));
    expect(freeze).toContain(
      `| Done ${stoppedAt()}: source frozen at ${stoppedAt()}; undone by the rollback of ${rolledBackAt()} |`,
    );
    const sw = steps.split('\n').find((row) => row.startsWith('| 6 | Switch readers to the new host |'));
    expect(sw).toMatch(/\| \*\*Stopped\*\* [^|]*: [^|]*exit/);
    expect(sw).toContain(`| **Stopped** ${stoppedAt()}: `);
    expect(steps).toMatch(/\| 8 \| Commit: the point of no return \|[^\n]*\| Not run yet \|/);
  });

  it('clears the go of every owner and records the rollback among the evidence', () => {
    const text = files.get('phase-1.md')!;
    expect(text).toContain(
      '- [ ] Go of the decision maker, EMC2 programme director (HDH): `npx cloudexit cutover --phase 1 --approve decisionMaker --as "<your name>"`.',
    );
    expect(text).toContain(`| ${rolledBackAt()} | ops | Rollback, rollback hook | succeeded |`);
    expect(text).toContain(`| ${rolledBackAt()} | ops | Rollback | succeeded |`);
    expect(text).toContain('| On a rollback: Within one hour of the decision |');
  });
});

describe('the risk of a rolled-back phase', () => {
  it('is the same in status --json, the risk column of status and the runbooks', () => {
    const phase = statusAfter.phases[0]!;
    const rollback = phase.risks.find((r) => r.kind === 'rolled-back');
    expect(rollback?.text).toBe(
      `phase 1: the cutover was rolled back on ${story.day('2026-11-30')} after the switch step failed: a new go is needed`,
    );
    expect(phase.atRisk).toBe(true);
    expect(statusAfter.risks).toContain(rollback!.text);

    const text = renderStatus({ ...statusAfter, statePath: 'state.db', started: true });
    expect(text.split('\n').find((line) => line.startsWith('1 Pilot'))).toMatch(/rolled back\s*$/);

    const sentence = `Phase 1: the cutover was rolled back on ${story.day('2026-11-30')} after the switch step failed: a new go is needed.`;
    const overview = files.get('README.md')!.split('\n## Risks\n')[1]!.split('\n## ')[0]!;
    expect(overview).toContain(sentence);
    // The phase runbook's risk register: the same sentence, in a row of its own.
    const register = files.get('phase-1.md')!.split('\n## Risk register\n')[1]!.split('\n## ')[0]!;
    expect(register).toContain(`| ${sentence.slice(0, -1)} | high | medium | Decision maker |`);
  });
});
