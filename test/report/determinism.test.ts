/**
 * The same plan and state give byte-identical runbooks: on another day, from another
 * folder, from a copy of the state file. And the instant they describe comes from the
 * state (or `--as-of`), never from the clock of the machine that writes them.
 */
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/plan/clock.ts';
import { loadPlan } from '../../src/plan/load.ts';
import { renderRunbooks, type RunbookOptions } from '../../src/report/runbook.ts';
import { resolveAsOf } from '../../src/report/runbook/as-of.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { migrationUnderWay, SAMPLE_PLAN, type Migration } from './fixture.ts';

let m: Migration;

async function render(
  statePath: string,
  root: string,
  extra: Partial<RunbookOptions> = {},
): Promise<Map<string, string>> {
  const state = await openSqliteStateStore(statePath);
  try {
    return await renderRunbooks({
      plan: m.plan,
      state,
      outDir: join(root, 'runbooks'),
      evidenceDir: join(root, 'evidence'),
      html: true,
      ...extra,
    });
  } finally {
    await state.close();
  }
}

beforeAll(async () => {
  m = await migrationUnderWay();
}, 180_000);
afterAll(() => m?.remove());
afterEach(() => {
  vi.useRealTimers();
});

describe('deterministic runbooks', () => {
  it('the same state gives the same bytes on any day, and from a copy of the state in another folder', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-02T08:00:00Z'));
    const first = await render(m.statePath, m.dir);
    vi.setSystemTime(new Date('2027-03-15T23:59:00Z'));
    const later = await render(m.statePath, m.dir);
    vi.useRealTimers();
    expect(later).toEqual(first);

    const elsewhere = join(m.dir, 'elsewhere', 'deeper');
    await mkdir(elsewhere, { recursive: true });
    await cp(m.statePath, join(elsewhere, 'copy.db'));
    await cp(m.evidenceDir, join(elsewhere, 'evidence'), { recursive: true });
    const copied = await render(join(elsewhere, 'copy.db'), elsewhere);
    expect([...copied.keys()]).toEqual([...first.keys()]);
    for (const [name, text] of first) expect(copied.get(name), name).toBe(text);
  });

  it('describes the state as of its last activity: the latest run, audit event or phase update', async () => {
    const state = await openSqliteStateStore(m.statePath);
    try {
      const head = (await state.auditHead())!;
      const runs = await state.listRuns();
      const latest = [head.time, ...runs.flatMap((r) => [r.startedAt, r.endedAt ?? r.startedAt])].sort().at(-1);
      const asOf = await resolveAsOf(state, [1, 2, 3]);
      expect(asOf).toEqual({ at: new Date(latest!).toISOString(), basis: 'state' });
      // The fixture's last act is phase 2's refused go/no-go, told as 2026-12-01 10:00 UTC.
      expect(asOf.at).toBe(m.scenario.at('2026-12-01T10:00:00Z'));
    } finally {
      await state.close();
    }
    const files = await render(m.statePath, m.dir);
    expect(files.get('README.md')).toContain(
      `Status as of **${m.scenario.paris('2026-12-01T10:00:00Z')}**, the last activity recorded in the state`,
    );
    expect(files.get('README.md')).toContain(`**20 days left** as of ${m.scenario.parisDay('2026-12-01T10:00:00Z')}`);
  });

  it('--as-of (a clock) fixes another instant, and the days left follow', async () => {
    const tenth = m.scenario.day('2026-12-10');
    const files = await render(m.statePath, m.dir, { clock: fixedClock(tenth) });
    const readme = files.get('README.md')!;
    expect(readme).toContain(`Status as of **${tenth} 12:00 (Europe/Paris)**, the instant given with \`--as-of\`.`);
    expect(readme).toContain(`**11 days left** as of ${tenth} (Europe/Paris)`);
    // Past its planned day and not committed: a risk.
    expect(readme).toContain(`- Phase 2 was planned for ${m.scenario.day('2026-12-07')} and is not committed.`);
  });

  it('a state with no activity is "not started" and counts no days left, whatever the day', async () => {
    const plan = await loadPlan(SAMPLE_PLAN);
    const outputs = [];
    for (const day of ['2026-01-05T10:00:00Z', '2026-12-20T10:00:00Z']) {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(day));
      const state = await openSqliteStateStore(':memory:');
      try {
        outputs.push(await renderRunbooks({ plan, state, html: true }));
      } finally {
        await state.close();
        vi.useRealTimers();
      }
    }
    expect(outputs[1]).toEqual(outputs[0]);
    const readme = outputs[0]!.get('README.md')!;
    expect(readme).toContain('Status: **not started**.');
    expect(readme).toContain('days left are counted once the migration has started');
    expect(readme).not.toMatch(/\d+ days? left/);
  });
});
