/**
 * Cutover runbooks for project managers, written from the plan and the live state:
 * `README.md` (the overview: window, timeline, status, risks), one `phase-N.md` per phase,
 * and with `html` one self-contained `overview.html` holding all of it.
 *
 * Deterministic: the same plan, state and evidence give byte-identical files, whatever the
 * day or the machine, so that runbooks are committed and reviewed as diffs (see as-of.ts).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeFolder } from '../make-folder.ts';
import type { Clock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import type { StateStore } from '../state/state-store.ts';
import { renderHtml } from './html.ts';
import { localName, type Lang } from './i18n/lang.ts';
import { resolveAsOf } from './runbook/as-of.ts';
import { toMarkdown } from './runbook/doc.ts';
import { localizePlan } from './runbook/localize.ts';
import { gatherFacts, type GatherOptions } from './runbook/model.ts';
import { overviewBlocks, phaseFile } from './runbook/overview.ts';
import { phaseBlocks } from './runbook/phase.ts';

export interface RunbookOptions {
  plan: LoadedPlan;
  state: StateStore;
  /** Folder the runbooks are written to. @default the plan's folder */
  outDir?: string;
  /**
   * Fixes the instant the runbooks describe ("as of"), e.g. `fixedClock('2026-12-01')`.
   * @default the last activity the state records (never the wall clock)
   */
  clock?: Clock;
  /** Also write `overview.html`. @default false */
  html?: boolean;
  /** Folder holding each dataset's `manifest.sha256`. @default `.cloudexit/evidence/<migration>` */
  evidenceDir?: string;
  /** A saved parity report, for the parity gate of the checklist. @default none */
  parity?: GatherOptions['parity'];
  /**
   * The language of the runbooks. English files keep their names (`phase-1.md`); other
   * languages add theirs (`phase-1.fr.md`, `overview.fr.html`), so both live in one folder.
   * @default "en"
   */
  lang?: Lang;
}

/** File name of the HTML overview. */
const HTML_FILE = 'overview.html';

/** The runbook files by name (sorted), without writing anything. */
export async function renderRunbooks(options: RunbookOptions): Promise<Map<string, string>> {
  const { plan, state } = options;
  const lang = options.lang ?? 'en';
  const outDir = options.outDir ?? dirname(plan.file);
  const asOf = await resolveAsOf(
    state,
    plan.phases.map((p) => p.id),
    options.clock?.now().toISOString(),
  );
  const facts = await gatherFacts({
    // The plan's own text in the runbooks' language, where the plan gives it.
    plan: localizePlan(plan, lang),
    state,
    asOf,
    parity: options.parity,
    outDir,
    evidenceDir: options.evidenceDir ?? join('.cloudexit', 'evidence', plan.migration),
    lang,
  });
  const command = lang === 'en' ? 'npx cloudexit runbook' : `npx cloudexit runbook --lang ${lang}`;
  const overview = overviewBlocks(facts, command);
  const phases = facts.phases.map((phase) => ({ id: phase.status.id, blocks: phaseBlocks(facts, phase, command) }));
  const markdown = (blocks: Parameters<typeof toMarkdown>[0]) => localLinks(toMarkdown(blocks), lang);
  const files = new Map<string, string>([[localName('README.md', lang), markdown(overview)]]);
  for (const phase of phases) files.set(localName(phaseFile(phase.id), lang), markdown(phase.blocks));
  if (options.html)
    files.set(localName(HTML_FILE, lang), renderHtml({ title: facts.plan.title, lang, overview, phases }));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Links between runbook files point to the files of the same language. */
function localLinks(markdown: string, lang: Lang): string {
  return lang === 'en'
    ? markdown
    : markdown.replace(/\]\((README|phase-\d+)\.md\)/g, (_, name: string) => `](${localName(`${name}.md`, lang)})`);
}

/** Writes the runbooks into `outDir` (created if needed) and returns the paths written. */
export async function writeRunbooks(options: RunbookOptions): Promise<string[]> {
  const outDir = options.outDir ?? dirname(options.plan.file);
  const files = await renderRunbooks({ ...options, outDir });
  makeFolder(outDir);
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(outDir, name);
    await writeFile(path, text, 'utf8');
    written.push(path);
  }
  return written;
}
