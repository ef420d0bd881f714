/**
 * The cutover runbooks (README.md, one phase-N.md per phase, optionally overview.html),
 * written from the plan and the state, or checked against the files already written.
 * Reads only: no secret needed, the state opened read-only (never created, never changed)
 * and refused when it was recorded for another plan.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '../plan/clock.ts';
import type { LoadedPlan } from '../plan/load.ts';
import type { Lang } from '../report/i18n/lang.ts';
import { renderRunbooks, writeRunbooks, type RunbookOptions as RenderOptions } from '../report/runbook.ts';
import { openSqliteStateStore } from '../state/sqlite.ts';
import { loadParityReport, type ParityChoice } from './parity-report.ts';
import { migrationPaths } from './paths.ts';
import { openPlanAndState, planOf, type OpenedPlanAndState, type PlanOptions } from './plan-state.ts';

export interface RunbookOptions extends PlanOptions {
  /** Folder for the runbooks. @default the plan's folder */
  out?: string | undefined;
  /** The instant the runbooks describe. @default the last activity recorded in the state */
  clock?: Clock | undefined;
  /**
   * The saved `cloudexit parity --json` report; `false` for none.
   * @default `.cloudexit/parity.json` when it exists
   */
  parity?: ParityChoice;
  /** Also write `overview.html`, one self-contained page. @default false */
  html?: boolean | undefined;
  /** The language of the runbooks (`fr` writes `README.fr.md`, `phase-N.fr.md`…). @default "en" */
  lang?: Lang | undefined;
  /** The runbooks of the plan before anything ran: empty state, no parity report. @default false */
  initial?: boolean | undefined;
  /**
   * The plan the state is bound to, when the runbooks describe another one: the rehearsal
   * writes the runbooks of the plan as written from a state bound to that plan pointed at
   * its emulators. @default `plan`
   */
  boundTo?: LoadedPlan | undefined;
}

export interface RunbooksWritten {
  outDir: string;
  /** Paths of the files written. */
  files: string[];
}

export interface RunbookCheck {
  outDir: string;
  /** Every file in `outDir` is what would be written. */
  ok: boolean;
  /** Paths of the files that differ or are missing. */
  stale: string[];
}

/** Writes the runbooks into `out`. */
export async function runbooks(options: RunbookOptions = {}): Promise<RunbooksWritten> {
  return withRenderOptions(options, async (settings) => ({
    outDir: settings.outDir!,
    files: await writeRunbooks(settings),
  }));
}

/** Writes nothing; lists the files in `out` that differ from what would be written. */
export async function checkRunbooks(options: RunbookOptions = {}): Promise<RunbookCheck> {
  return withRenderOptions(options, async (settings) => {
    const outDir = settings.outDir!;
    const stale: string[] = [];
    for (const [name, text] of await renderRunbooks(settings)) {
      const current = await readFile(join(outDir, name), 'utf8').catch(() => undefined);
      if (current !== text) stale.push(join(outDir, name));
    }
    return { outDir, ok: stale.length === 0, stale };
  });
}

async function withRenderOptions<T>(
  options: RunbookOptions,
  work: (settings: RenderOptions) => Promise<T>,
): Promise<T> {
  const { plan, state, evidenceDir } = await openForRunbooks(options);
  try {
    return await work({
      plan,
      state,
      outDir: options.out ?? dirname(plan.file),
      html: options.html === true,
      lang: options.lang ?? 'en',
      evidenceDir,
      parity: options.initial ? undefined : await loadParityReport(options.parity),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } finally {
    await state.close();
  }
}

async function openForRunbooks(options: RunbookOptions): Promise<OpenedPlanAndState> {
  if (!options.initial) return openPlanAndState(options, { create: false, boundTo: options.boundTo });
  const plan = await planOf(options.plan);
  return { plan, state: await openSqliteStateStore(':memory:'), stateExists: false, ...migrationPaths(plan, options) };
}
