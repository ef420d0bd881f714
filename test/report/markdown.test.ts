/**
 * The Markdown of the runbooks is valid and clean by markdownlint's rules (headings, lists,
 * tables with the same number of cells on every row, link fragments, no bare URLs…), for the
 * committed runbooks of the sample plan and for a migration under way, and every link to
 * another runbook file reaches one.
 */
import { join } from 'node:path';
import { lint } from 'markdownlint/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { migrationUnderWay, SAMPLE_PLAN, type Migration } from './fixture.ts';

/** Every rule on, except line length: table rows and generated sentences are long by nature. */
const CONFIG = { default: true, MD013: false };

let m: Migration;
const sets = new Map<string, Map<string, string>>();

beforeAll(async () => {
  m = await migrationUnderWay();
  const initial = await openSqliteStateStore(':memory:');
  const state = await m.open();
  try {
    sets.set('initial', await renderRunbooks({ plan: await loadPlan(SAMPLE_PLAN), state: initial }));
    sets.set(
      'under way',
      await renderRunbooks({ plan: m.plan, state, outDir: join(m.dir, 'runbooks'), evidenceDir: m.evidenceDir }),
    );
  } finally {
    await Promise.all([initial.close(), state.close()]);
  }
}, 180_000);
afterAll(() => m?.remove());

describe('Markdown of the runbooks', () => {
  for (const set of ['initial', 'under way']) {
    it(`${set}: passes markdownlint`, async () => {
      const strings = Object.fromEntries([...sets.get(set)!].filter(([name]) => name.endsWith('.md')));
      expect(Object.keys(strings)).toEqual(['README.md', 'phase-1.md', 'phase-2.md', 'phase-3.md']);
      const results = await lint({ strings, config: CONFIG });
      const problems = Object.entries(results).flatMap(([name, list]) =>
        list.map(
          (r) =>
            `${name}:${r.lineNumber} ${r.ruleNames.join('/')} ${r.ruleDescription}${r.errorDetail ? ` (${r.errorDetail})` : ''}${r.errorContext ? ` [${r.errorContext}]` : ''}`,
        ),
      );
      expect(problems).toEqual([]);
    });

    it(`${set}: links between runbooks reach a file that is written`, () => {
      const files = sets.get(set)!;
      for (const [name, text] of files) {
        if (!name.endsWith('.md')) continue;
        for (const match of text.matchAll(/\]\(([^)#]+\.md)\)/g))
          expect(files.has(match[1]!), `${name} links to ${match[1]}`).toBe(true);
      }
    });
  }

  it('markdownlint does find problems in Markdown like ours when there are some', async () => {
    const broken =
      '# Title\n\n| a | b |\n| --- | --- |\n| one cell |\n\n## Title\n\n## Title\n\nSee https://example.org\n';
    const results = await lint({ strings: { broken }, config: CONFIG });
    expect(results['broken']!.map((r) => r.ruleNames[0])).toEqual(expect.arrayContaining(['MD024', 'MD034', 'MD056']));
  });
});
