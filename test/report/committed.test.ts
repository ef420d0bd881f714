/**
 * The runbooks committed under runbooks/emc2/ are those of the sample plan before anything
 * ran: when the plan or the generator changes, this test fails until they are written again
 * (`npx cloudexit runbook --initial --html`) and committed, so reviewers see the change as a diff.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { runCli } from '../cli/run-cli.ts';
import { SAMPLE_PLAN } from './fixture.ts';

const FOLDER = 'runbooks/emc2';
const REGENERATE = 'npx cloudexit runbook --initial --html';

describe('committed runbooks of the sample plan', () => {
  it('are up to date with the plan and the generator', async () => {
    const state = await openSqliteStateStore(':memory:');
    let expected: Map<string, string>;
    try {
      expected = await renderRunbooks({ plan: await loadPlan(SAMPLE_PLAN), state, html: true });
    } finally {
      await state.close();
    }
    const committed = (await readdir(FOLDER)).filter((name) => name !== 'plan.yaml').sort();
    expect(committed, `files in ${FOLDER}: run \`${REGENERATE}\` and commit`).toEqual([...expected.keys()]);
    for (const [name, text] of expected) {
      const current = await readFile(join(FOLDER, name), 'utf8');
      expect(current === text, `${FOLDER}/${name} is stale: run \`${REGENERATE}\` and commit it`).toBe(true);
    }
  });

  it('`cloudexit runbook --check` agrees, and notices a hand edit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudexit-runbook-check-'));
    try {
      await cp(FOLDER, dir, { recursive: true });
      const args = ['runbook', '--initial', '--html', '--check', '--plan', join(dir, 'plan.yaml')];
      const clean = await runCli(args, process.env);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stdout).toContain('up to date');
      await writeFile(join(dir, 'phase-2.md'), `${await readFile(join(dir, 'phase-2.md'), 'utf8')}\nEdited by hand.\n`);
      const stale = await runCli([...args, '--json'], process.env);
      expect(stale.code).toBe(1);
      expect(JSON.parse(stale.stdout)).toEqual({ ok: false, stale: [join(dir, 'phase-2.md')] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('`cloudexit runbook` writes into --out and lists the files; a bad --as-of changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudexit-runbook-cli-'));
    try {
      const bad = await runCli(['runbook', '--initial', '--out', dir, '--as-of', '2026-13-45'], process.env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--as-of 2026-13-45 is not a date');
      expect(await readdir(dir)).toEqual([]);
      const ok = await runCli(['runbook', '--initial', '--out', dir, '--as-of', '2026-12-01', '--json'], process.env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).files).toEqual(
        ['README.md', 'phase-1.md', 'phase-2.md', 'phase-3.md'].map((n) => join(dir, n)),
      );
      expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain(
        '**20 days left** as of 2026-12-01 (Europe/Paris)',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
