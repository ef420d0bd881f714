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
import { LANGS } from '../../src/report/i18n/lang.ts';

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
      'initial fr',
      await renderRunbooks({ plan: await loadPlan(SAMPLE_PLAN), state: initial, html: true, lang: 'fr' }),
    );
    for (const lang of LANGS)
      sets.set(
        lang === 'en' ? 'under way' : 'under way fr',
        await renderRunbooks({
          plan: m.plan,
          state,
          outDir: join(m.dir, 'runbooks'),
          evidenceDir: m.evidenceDir,
          html: true,
          lang,
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

  /** Opens one set's HTML page from disk, `width` pixels wide. */
  async function open(set: string, width: number) {
    const dir = join(m.dir, `html-${set.replace(/ /g, '-')}`);
    await mkdir(dir, { recursive: true });
    const [name, html] = [...sets.get(set)!].find(([n]) => n.endsWith('.html'))!;
    const file = join(dir, name);
    await writeFile(file, html);
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(pathToFileURL(file).href);
    return page;
  }

  /** Inline `<code>` elements (not in `<pre>`) that the browser laid out on more than one line box. */
  function brokenCode(page: Awaited<ReturnType<typeof open>>) {
    return page.evaluate(() => {
      type Element = { closest(s: string): unknown; getClientRects(): { length: number }; textContent: string | null };
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Element> } }).document;
      return [...doc.querySelectorAll('code')]
        .filter((c) => !c.closest('pre') && c.getClientRects().length > 1)
        .map((c) => c.textContent);
    });
  }

  for (const set of ['initial', 'initial fr', 'under way', 'under way fr']) {
    it(`${set}: no command is broken across lines and no word is hyphenated, even in a narrow window`, async () => {
      const page = await open(set, 760);
      const codes = await page.locator('code').count();
      expect(codes).toBeGreaterThan(50);
      expect(await brokenCode(page)).toEqual([]);
      const styles = await page.evaluate(() => {
        const win = globalThis as unknown as {
          document: { querySelector(s: string): unknown };
          getComputedStyle(e: unknown): { hyphens: string; overflowWrap: string; wordBreak: string };
        };
        return ['p', 'td', 'li'].map((tag) => {
          const style = win.getComputedStyle(win.document.querySelector(tag));
          return [style.hyphens, style.overflowWrap, style.wordBreak];
        });
      });
      expect(styles).toEqual([
        ['manual', 'normal', 'normal'],
        ['manual', 'normal', 'normal'],
        ['manual', 'normal', 'normal'],
      ]);
      // The measure can fail: let the same page wrap its code, and some commands break.
      await page.addStyleTag({ content: 'code{white-space:normal !important}' });
      expect((await brokenCode(page)).length).toBeGreaterThan(0);
      await page.close();
    });
  }

  it('follows the chosen language: lang attribute, French headings and dates, the same tables', async () => {
    const en = await open('under way', 1280);
    const fr = await open('under way fr', 1280);
    expect(await en.locator('html').getAttribute('lang')).toBe('en');
    expect(await fr.locator('html').getAttribute('lang')).toBe('fr');
    expect(await fr.locator('table#status th').allTextContents()).toContain('Bascule prévue');
    expect(await fr.locator('section#phase-1 h3').allTextContents()).toContain(
      'Déroulé horodaté de la nuit de bascule',
    );
    expect(await fr.locator('section#phase-1').textContent()).toMatch(
      /\d{1,2}(er)? (novembre|décembre|janvier) \d{4} à \d{1,2}\sh\s\d{2}/,
    );
    for (const selector of ['table', 'section.phase', 'svg.gantt g.task', 'svg.burndown'])
      expect(await fr.locator(selector).count(), selector).toBe(await en.locator(selector).count());
    await Promise.all([en.close(), fr.close()]);
  });

  it('draws the burn-down without a script: lines still to move and to verify, the cutovers and the window’s end', async () => {
    const page = await open('under way', 1280);
    expect(await page.locator('script').count()).toBe(0);
    const charts = page.locator('figure#burndown svg.burndown');
    expect(await charts.count()).toBe(2);
    for (const chart of await charts.all()) {
      expect(await chart.isVisible()).toBe(true);
      expect((await chart.boundingBox())!.width).toBeGreaterThan(600);
      expect(await chart.locator('polyline.to-move').count()).toBe(1);
      expect(await chart.locator('polyline.to-verify').count()).toBe(1);
      expect(await chart.locator('g.cutover').count()).toBe(3);
      expect(await chart.locator('g.closes').count()).toBe(1);
      // The line to move ends at zero (every listed object copied): its last point sits on the x axis.
      const points = (await chart.locator('polyline.to-move').getAttribute('points'))!.split(' ');
      const axis = await chart.locator('line.axis').first().getAttribute('y1');
      expect(points.at(-1)!.split(',')[1]).toBe(axis);
      const verify = (await chart.locator('polyline.to-verify').getAttribute('points'))!.split(' ');
      expect(verify.at(-1)!.split(',')[1]).not.toBe(axis);
    }
    await page.close();
  });

  it('the committed overview is the one the README shows', async () => {
    // docs/runbook-overview.png is taken from this file (npm run runbook:screenshot).
    expect(await readFile('runbooks/emc2/overview.html', 'utf8')).toContain(
      '<svg xmlns="http://www.w3.org/2000/svg" class="gantt"',
    );
  });
});
