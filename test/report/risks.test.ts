/**
 * A risk shows the same everywhere: in `status --json`, in the risk column of `status`, in
 * the migration's list of risks and in the runbook of the phase.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/plan/clock.ts';
import { loadPlan } from '../../src/plan/load.ts';
import { phaseRisks } from '../../src/report/risks.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { runCli } from '../cli/run-cli.ts';
import { SAMPLE_PLAN } from './fixture.ts';

/** The day after phase 1's planned cutover (2026-11-30), before phase 2's. */
const LATE = '2026-12-02T10:00:00Z';
const SENTENCE = 'phase 1 was planned for 2026-11-30 and is not committed';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-risks-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a planned date passed without commit', () => {
  it('is a risk of the phase in status --json and in the migration list, and only of that phase', async () => {
    const result = await runCli(['status', '--json', '--plan', SAMPLE_PLAN, '--state', join(dir, 'none.db')], {
      ...process.env,
      CLOUDEXIT_NOW: LATE,
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      risks: string[];
      phases: { id: number; atRisk: boolean; risks: { kind: string; label: string; text: string }[] }[];
    };
    const [first, second] = report.phases;
    expect(first!.atRisk).toBe(true);
    expect(first!.risks).toEqual([{ kind: 'planned-date-passed', label: 'planned date passed', text: SENTENCE }]);
    // Phase 2 is not late; its only risk is the calendar's: decommissioning due the day the window closes.
    expect(second!.risks.map((r) => r.kind)).toEqual(['decommission-after-window']);
    expect(report.risks).toContain(SENTENCE);
    expect(report.risks).toContain(
      'phase 2: decommissioning planned from 2026-12-21: the data would stay on Azure after the window closes on 2026-12-21',
    );
  });

  it('fills the risk column of status and the Risks of the phase runbook', async () => {
    const result = await runCli(['status', '--plan', SAMPLE_PLAN, '--state', join(dir, 'none.db')], {
      ...process.env,
      CLOUDEXIT_NOW: LATE,
    });
    expect(result.code, result.stderr).toBe(0);
    const row = result.stdout.split('\n').find((line) => line.startsWith('1 Pilot'));
    expect(row).toMatch(/planned date passed\s*$/);
    expect(result.stdout).toContain(`  - ${SENTENCE}`);

    const state = await openSqliteStateStore(':memory:');
    try {
      const plan = await loadPlan(SAMPLE_PLAN);
      const files = await renderRunbooks({ plan, state, clock: fixedClock(LATE) });
      // The phase runbook's risk register holds the same sentence, rated, with its mitigation.
      const risks = sectionOf(files.get('phase-1.md')!, '## Risk register');
      expect(risks).toMatch(
        /\| S1 \| Phase 1 was planned for 2026-11-30 and is not committed \| high \| high \| Decision maker \|/,
      );
      expect(sectionOf(files.get('phase-2.md')!, '## Risk register')).not.toContain('was planned for');
      expect(sectionOf(files.get('README.md')!, '## Risks')).toContain(
        'Phase 1 was planned for 2026-11-30 and is not committed.',
      );
    } finally {
      await state.close();
    }
  });
});

describe('phaseRisks', () => {
  const base = { id: 2, plannedCutover: '2026-12-07', record: undefined, projectedDay: undefined };
  it('sees nothing in a committed phase, whatever the dates', () => {
    expect(phaseRisks({ ...base, state: 'committed', projectedDay: '2027-01-01' }, '2026-12-20', '2026-12-14')).toEqual(
      [],
    );
  });
  it('holds the decommissioning day against the day the window closes, committed or not', () => {
    const on = (state: 'planned' | 'committed', decommissionDay: string | undefined) =>
      phaseRisks({ ...base, state, decommissionDay }, '2026-12-01', '2026-12-14', '2026-12-21').map((r) => r.kind);
    expect(on('committed', '2026-12-21')).toEqual(['decommission-after-window']);
    expect(on('planned', '2026-12-28')).toEqual(['decommission-after-window']);
    expect(on('committed', '2026-12-20')).toEqual([]);
    // Decommissioned (no day left): nothing stays at the source, so no risk.
    expect(on('committed', undefined)).toEqual([]);
  });
  it('tells a copy ending after the planned date from one ending after the deadline', () => {
    const late = phaseRisks({ ...base, state: 'planned', projectedDay: '2026-12-10' }, '2026-12-01', '2026-12-14');
    expect(late.map((r) => r.kind)).toEqual(['projected-after-planned-date']);
    const later = phaseRisks({ ...base, state: 'planned', projectedDay: '2026-12-20' }, '2026-12-01', '2026-12-14');
    expect(later.map((r) => r.kind)).toEqual(['projected-after-deadline']);
    expect(later[0]!.text).toBe('phase 2: bulk copy projected to end on 2026-12-20, after the deadline 2026-12-14');
  });
});

/** The text under `heading` up to the next heading of level 2. */
function sectionOf(text: string, heading: string): string {
  const from = text.indexOf(`\n${heading}\n`);
  expect(from, heading).toBeGreaterThan(-1);
  return text.slice(from + heading.length + 2).split('\n## ')[0]!;
}
