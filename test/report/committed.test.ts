/**
 * The runbooks committed under runbooks/emc2/ are those of the sample plan before anything
 * ran, in English and in French: when the plan or the generator changes, this test fails until
 * they are written again (`npx cloudexit runbook --initial --html`, then the same with
 * `--lang fr`) and committed, so reviewers see the change as a diff.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.ts';
import { LANGS } from '../../src/report/i18n/lang.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { runCli } from '../cli/run-cli.ts';
import { SAMPLE_PLAN } from './fixture.ts';

const FOLDER = 'runbooks/emc2';
const REGENERATE = 'npx cloudexit runbook --initial --html [--lang fr]';

describe('committed runbooks of the sample plan', () => {
  it('are up to date with the plan and the generator', async () => {
    const state = await openSqliteStateStore(':memory:');
    const expected = new Map<string, string>();
    try {
      for (const lang of LANGS)
        for (const [name, text] of await renderRunbooks({ plan: await loadPlan(SAMPLE_PLAN), state, html: true, lang }))
          expected.set(name, text);
    } finally {
      await state.close();
    }
    const committed = (await readdir(FOLDER)).filter((name) => name !== 'plan.yaml').sort();
    expect(committed, `files in ${FOLDER}: run \`${REGENERATE}\` and commit`).toEqual([...expected.keys()].sort());
    expect(committed).toContain('phase-1.fr.md');
    expect(committed).toContain('overview.fr.html');
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
      const french = await runCli([...args, '--lang', 'fr'], process.env);
      expect(french.code, french.stderr).toBe(0);
      await writeFile(join(dir, 'phase-2.md'), `${await readFile(join(dir, 'phase-2.md'), 'utf8')}\nEdited by hand.\n`);
      const stale = await runCli([...args, '--json'], process.env);
      expect(stale.code).toBe(1);
      expect(JSON.parse(stale.stdout)).toEqual({ ok: false, stale: [join(dir, 'phase-2.md')] });
      // Each language checks its own files: the English edit leaves the French ones up to date.
      expect((await runCli([...args, '--lang', 'fr'], process.env)).code).toBe(0);
      await writeFile(join(dir, 'phase-2.fr.md'), 'Modifié à la main.\n');
      const staleFr = await runCli([...args, '--lang', 'fr', '--json'], process.env);
      expect(JSON.parse(staleFr.stdout)).toEqual({ ok: false, stale: [join(dir, 'phase-2.fr.md')] });
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

  it('`cloudexit runbook --lang` writes the French files; an unknown language exits 2, names the fix, writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudexit-runbook-lang-'));
    try {
      const bad = await runCli(['runbook', '--initial', '--html', '--out', dir, '--lang', 'de'], process.env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--lang de is not a language the runbooks are written in');
      expect(bad.stderr).toContain('--lang en or --lang fr');
      expect(await readdir(dir)).toEqual([]);
      const ok = await runCli(
        ['runbook', '--initial', '--html', '--out', dir, '--as-of', '2026-12-01', '--lang', 'fr', '--json'],
        process.env,
      );
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).files).toEqual(
        ['README.fr.md', 'overview.fr.html', 'phase-1.fr.md', 'phase-2.fr.md', 'phase-3.fr.md'].map((n) =>
          join(dir, n),
        ),
      );
      const phase1 = await readFile(join(dir, 'phase-1.fr.md'), 'utf8');
      expect(phase1).toContain('## Déroulé horodaté de la nuit de bascule');
      expect(phase1).toContain('T0 est le gel, à 20\u00a0h\u00a000 le 30 novembre 2026');
      expect(phase1).toContain('](README.fr.md)');
      expect(await readFile(join(dir, 'overview.fr.html'), 'utf8')).toContain('<html lang="fr">');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
