/**
 * The runbooks in a real browser (Debian's headless Chromium): every Mermaid block is parsed
 * and rendered by Mermaid itself, and the HTML overview is opened from disk and looked at the
 * way a person would: is the timeline drawn, is the status table there, do the links reach
 * each phase, does the page ask the network for anything. Nothing here is skipped: without
 * Chromium the suite fails and says how to install it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { renderRunbooks } from '../../src/report/runbook.ts';
import { launchChromium, type Browser } from '../../scripts/runbook-screenshot.ts';
import { migrationUnderWay, SAMPLE_PLAN, type Migration } from './fixture.ts';
import { loadPlan } from '../../src/plan/load.ts';

const MERMAID = resolve('node_modules/mermaid/dist/mermaid.min.js');

let browser: Browser;
let m: Migration;
/** Runbook sets by name: the sample plan before anything ran, and a migration under way. */
const sets = new Map<string, Map<string, string>>();

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1]!);
}

/** Mermaid's own verdict on a diagram: parsed and rendered, or the error it gave. */
async function mermaidVerdict(source: string): Promise<{ ok: true; tasks: number } | { ok: false; error: string }> {
  const page = await browser.context.newPage();
  try {
    await page.setContent('<!DOCTYPE html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: MERMAID });
    return await page.evaluate(async (text) => {
      const mermaid = (
        globalThis as unknown as {
          mermaid: {
            initialize(c: object): void;
            parse(t: string): Promise<unknown>;
            render(id: string, t: string): Promise<{ svg: string }>;
          };
        }
      ).mermaid;
      mermaid.initialize({ startOnLoad: false });
      try {
        await mermaid.parse(text);
        const { svg } = await mermaid.render('gantt', text);
        // Every task Mermaid drew, milestones included, is a <rect> of class "task".
        return { ok: true as const, tasks: (svg.match(/<rect\b[^>]*\bclass="[^"]*\btask\b/g) ?? []).length };
      } catch (err) {
        return { ok: false as const, error: String((err as Error).message ?? err) };
      }
    }, source);
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  browser = await launchChromium();
  m = await migrationUnderWay();
  const initial = await openSqliteStateStore(':memory:');
  const state = await m.open();
  try {
    sets.set('initial', await renderRunbooks({ plan: await loadPlan(SAMPLE_PLAN), state: initial, html: true }));
    sets.set(
      'under way',
      await renderRunbooks({
        plan: m.plan,
        state,
        outDir: join(m.dir, 'runbooks'),
        evidenceDir: m.evidenceDir,
        html: true,
      }),
    );
  } finally {
    await Promise.all([initial.close(), state.close()]);
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await m?.remove();
});

describe('Mermaid blocks of the runbooks', () => {
  it('are parsed and rendered by Mermaid, with one task per bar of the timeline', async () => {
    let checked = 0;
    for (const [set, files] of sets) {
      for (const [name, text] of files) {
        if (!name.endsWith('.md')) continue;
        for (const block of mermaidBlocks(text)) {
          const verdict = await mermaidVerdict(block);
          expect(verdict, `${set} ${name}:\n${block}`).toMatchObject({ ok: true });
          const bars = block
            .split('\n')
            .filter(
              (line) =>
                /^ {4}\S.* :/.test(line) && !/^ {4}(title|dateFormat|axisFormat|todayMarker|section) /.test(line),
            );
          // Mermaid draws every task, milestones included, as a rect.task.
          if (verdict.ok) expect(verdict.tasks, `${set} ${name}`).toBe(bars.length);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('a broken chart is refused, so the check above can fail', async () => {
    const verdict = await mermaidVerdict(
      'gantt\n    dateFormat YYYY-MM-DD\n    section A\n    Copy :a1, 2026-11-01, 3d\n    this line has no colon and no date\n',
    );
    expect(verdict.ok).toBe(false);
  });
});

describe('the HTML overview in headless Chromium', () => {
  for (const set of ['initial', 'under way']) {
    it(`${set}: shows the timeline and the status table, links reach every phase, and nothing is fetched`, async () => {
      const dir = join(m.dir, `html-${set.replace(' ', '-')}`);
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'overview.html');
      await writeFile(file, sets.get(set)!.get('overview.html')!);
      const page = await browser.context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(file).href);

      const gantt = page.locator('svg.gantt');
      await expect.poll(() => gantt.isVisible()).toBe(true);
      const box = (await gantt.boundingBox())!;
      expect(box.width).toBeGreaterThan(600);
      expect(box.height).toBeGreaterThan(150);
      // One drawn mark per bar of the Mermaid chart of README.md.
      const bars = mermaidBlocks(sets.get(set)!.get('README.md')!)[0]!
        .split('\n')
        .filter((l) => / :.*\d{4}-\d{2}-\d{2}, \d+d$/.test(l));
      expect(await page.locator('svg.gantt g.task').count()).toBe(bars.length);
      expect(await page.locator('svg.gantt g.task').first().isVisible()).toBe(true);

      const table = page.locator('table#status');
      expect(await table.isVisible()).toBe(true);
      expect(await table.locator('tbody tr').count()).toBe(3);
      expect(await table.locator('th').allTextContents()).toContain('Planned cutover');

      for (const id of [1, 2, 3]) {
        const link = table.locator(`a[href="#phase-${id}"]`);
        expect(await link.count(), `link to phase ${id}`).toBe(1);
        await link.click();
        const section = page.locator(`section#phase-${id}`);
        expect(await section.isVisible()).toBe(true);
        expect(await section.locator('h2').first().textContent()).toMatch(new RegExp(`^Phase ${id}, `));
        expect(await section.locator('table').count()).toBeGreaterThanOrEqual(6);
      }
      expect(
        requests.filter((url) => url !== pathToFileURL(file).href && !url.startsWith(`${pathToFileURL(file).href}#`)),
      ).toEqual([]);
      await page.close();
    });
  }

  it('the committed overview is the one the README shows', async () => {
    // docs/runbook-overview.png is taken from this file (npm run runbook:screenshot).
    expect(await readFile('runbooks/emc2/overview.html', 'utf8')).toContain(
      '<svg xmlns="http://www.w3.org/2000/svg" class="gantt"',
    );
  });
});
