import type { Command } from 'commander';
import { relative } from 'node:path';
import { DEFAULT_PLAN } from '../../app/paths.ts';
import type { RunbookOptions } from '../../app/runbook.ts';
import { fixedClock, type Clock } from '../../plan/clock.ts';
import { isLang, LANGS, type Lang } from '../../report/i18n/lang.ts';
import { EXIT, UserError } from '../../errors.ts';
import { printJson } from '../output.ts';
import { STATE_FLAGS, STATE_HELP } from '../data-options.ts';

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
  lang: string;
}

function clockOf(asOf: string | undefined): Clock | undefined {
  if (asOf === undefined) return undefined;
  try {
    return fixedClock(asOf);
  } catch {
    throw new UserError(`--as-of ${asOf} is not a date`, {
      fix: 'write a day like 2026-12-01 or an ISO 8601 time like 2026-12-01T21:30:00+01:00',
    });
  }
}

function langOf(lang: string): Lang {
  if (isLang(lang)) return lang;
  throw new UserError(`--lang ${lang} is not a language the runbooks are written in`, {
    fix: `write --lang ${LANGS.join(' or --lang ')} (English is the default)`,
  });
}

export function registerRunbookCommand(program: Command): void {
  program
    .command('runbook')
    .summary('write the cutover runbooks (Markdown, optionally one HTML file) from the plan and the state')
    .description(
      'Writes README.md (window, days left, timeline, status, calendar to decommissioning, burn-down, risks) and one ' +
        'phase-N.md per phase: document control, scope, schedule, the cutover night timed in Europe/Paris (T-minus, freeze, ' +
        'downtime, rollback deadline), the calendar to decommissioning, the risk register, roles, contacts and escalation, ' +
        'the pre-cutover checklist read from the state, business go/no-go criteria, the steps with commands, owners, ' +
        'expected durations and outcomes, the go/no-go, the point of no return, rollback, user acceptance, hypercare, ' +
        'decommissioning, communication, evidence, sign-off and a glossary. --lang fr writes the same in French ' +
        '(README.fr.md, phase-N.fr.md, overview.fr.html). The same plan and state always give the same files: the runbooks ' +
        'describe the last activity recorded in the state, never the day they are generated. ' +
        'Reads only: no secret needed, nothing changed in the state.',
    )
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option(STATE_FLAGS, STATE_HELP)
    .option('--out <dir>', "folder for the runbooks (default: the plan's folder)")
    .option('--as-of <date>', 'describe the migration as of this day or ISO time instead of its last recorded activity')
    .option(
      '--evidence <dir>',
      "folder of the SHA-256 manifests (default: .cloudexit/evidence/<migration> in the plan's folder)",
    )
    .option('--parity <file>', 'saved `cloudexit parity --json` report (default: .cloudexit/parity.json when present)')
    .option('--html', 'also write overview.html: one self-contained page with the timeline, the status and every phase')
    .option(
      '--initial',
      'the runbooks of the plan before anything ran (empty state, no parity report): what is committed',
    )
    .option(
      '--lang <lang>',
      `language of the runbooks: ${LANGS.join(' or ')}; fr writes README.fr.md, phase-N.fr.md, overview.fr.html`,
      'en',
    )
    .option('--check', 'write nothing; exit 1 when the files in --out differ from what would be written')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit runbook --html                    runbooks/emc2/README.md, phase-N.md, overview.html
  $ npx cloudexit runbook --out /tmp/rb --as-of 2026-12-01
  $ npx cloudexit runbook --lang fr --html          the same in French: README.fr.md, phase-N.fr.md, overview.fr.html
  $ npx cloudexit runbook --initial --html --check  are the committed runbooks up to date?`,
    )
    .action(async (options: RunbookCommandOptions) => {
      const { checkRunbooks, runbooks } = await import('../../app/runbook.ts');
      const settings: RunbookOptions = {
        plan: options.plan,
        state: options.state,
        out: options.out,
        clock: clockOf(options.asOf),
        evidence: options.evidence,
        parity: options.parity,
        html: options.html === true,
        initial: options.initial === true,
        lang: langOf(options.lang),
      };
      if (options.check) {
        const check = await checkRunbooks(settings);
        if (options.json) printJson({ ok: check.ok, stale: check.stale });
        else
          process.stdout.write(
            check.ok
              ? `runbooks in ${check.outDir} are up to date\n`
              : `out of date (run the same command without --check):\n${check.stale.map((p) => `  ${p}`).join('\n')}\n`,
          );
        process.exitCode = check.ok ? EXIT.ok : EXIT.failed;
        return;
      }
      const written = await runbooks(settings);
      if (options.json) printJson({ outDir: written.outDir, files: written.files });
      else
        process.stdout.write(
          `runbooks written to ${written.outDir}:\n${written.files.map((p) => `  ${relative(process.cwd(), p) || p}`).join('\n')}\n`,
        );
    });
}
