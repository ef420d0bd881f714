import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fixedClock, type Clock } from '../../plan/clock.ts';
import { loadPlan } from '../../plan/load.ts';
import { renderRunbooks, writeRunbooks } from '../../report/runbook.ts';
import { openSqliteStateStore } from '../../state/sqlite.ts';
import { EXIT, UserError } from '../../errors.ts';
import { printJson } from '../output.ts';
import { loadParityReport } from '../parity-report.ts';
import { DEFAULT_PLAN, openPlanAndState } from '../session.ts';

interface RunbookCommandOptions {
  plan: string;
  state?: string;
  out?: string;
  asOf?: string;
  evidence?: string;
  parity?: string;
  html?: boolean;
  initial?: boolean;
  check?: boolean;
  json?: boolean;
}

function clockOf(asOf: string | undefined): Clock | undefined {
  if (asOf === undefined) return undefined;
  try {
    return fixedClock(asOf);
  } catch {
    throw new UserError(`--as-of ${asOf} is not a date`, { fix: 'write a day like 2026-12-01 or an ISO 8601 time like 2026-12-01T21:30:00+01:00' });
  }
}

export function registerRunbookCommand(program: Command): void {
  program
    .command('runbook')
    .summary('write the cutover runbooks (Markdown, optionally one HTML file) from the plan and the state')
    .description(
      'Writes README.md (window, days left, timeline, status, risks) and one phase-N.md per phase: scope, schedule, roles, ' +
        'the pre-cutover checklist read from the state, the steps with commands, owners, expected durations and outcomes, the ' +
        'go/no-go, the point of no return, rollback, communication, evidence and sign-off. The same plan and state always give ' +
        'the same files: the runbooks describe the last activity recorded in the state, never the day they are generated. ' +
        'Reads only: no secret needed, nothing changed in the state.',
    )
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option('--state <file>', 'state database (default: .cloudexit/<migration>.db)')
    .option('--out <dir>', 'folder for the runbooks (default: the plan\'s folder)')
    .option('--as-of <date>', 'describe the migration as of this day or ISO time instead of its last recorded activity')
    .option('--evidence <dir>', 'folder of the SHA-256 manifests (default: .cloudexit/evidence/<migration>)')
    .option('--parity <file>', 'saved `cloudexit parity --json` report (default: .cloudexit/parity.json when present)')
    .option('--html', 'also write overview.html: one self-contained page with the timeline, the status and every phase')
    .option('--initial', 'the runbooks of the plan before anything ran (empty state, no parity report): what is committed')
    .option('--check', 'write nothing; exit 1 when the files in --out differ from what would be written')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', `
Examples:
  $ npx cloudexit runbook --html                    runbooks/emc2/README.md, phase-N.md, overview.html
  $ npx cloudexit runbook --out /tmp/rb --as-of 2026-12-01
  $ npx cloudexit runbook --initial --html --check  are the committed runbooks up to date?`)
    .action(async (options: RunbookCommandOptions) => {
      const clock = clockOf(options.asOf);
      const { plan, state } = options.initial
        ? { plan: await loadPlan(options.plan), state: await openSqliteStateStore(':memory:') }
        : await openPlanAndState(options, false);
      const outDir = options.out ?? dirname(plan.file);
      try {
        const settings = {
          plan, state, outDir, html: options.html === true,
          ...(clock ? { clock } : {}),
          ...(options.evidence ? { evidenceDir: options.evidence } : {}),
          parity: options.initial ? undefined : await loadParityReport(options.parity),
        };
        if (options.check) {
          const stale: string[] = [];
          for (const [name, text] of await renderRunbooks(settings)) {
            const current = await readFile(join(outDir, name), 'utf8').catch(() => undefined);
            if (current !== text) stale.push(join(outDir, name));
          }
          if (options.json) printJson({ ok: stale.length === 0, stale });
          else process.stdout.write(stale.length === 0 ? `runbooks in ${outDir} are up to date\n` : `out of date (run the same command without --check):\n${stale.map((p) => `  ${p}`).join('\n')}\n`);
          process.exitCode = stale.length === 0 ? EXIT.ok : EXIT.failed;
          return;
        }
        const written = await writeRunbooks(settings);
        if (options.json) printJson({ outDir, files: written });
        else process.stdout.write(`runbooks written to ${outDir}:\n${written.map((p) => `  ${relative(process.cwd(), p) || p}`).join('\n')}\n`);
      } finally {
        await state.close();
      }
    });
}
