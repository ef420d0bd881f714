/**
 * `cloudexit audit export` and `cloudexit audit verify`: hand the hash-chained audit log to
 * an auditor as JSON Lines, and recompute its chain (from the state file or from an
 * export) naming the first broken link. Exit 0 intact, 1 broken, 2 bad input.
 *
 * Unlike the data commands this needs no secret and no connection: the plan is read only
 * to find the default state file, and not at all when `--state` or `--file` is given, so
 * an auditor holding just a state file or an export can run it.
 */
import type { Command } from 'commander';
import type { AuditVerifyReport } from '../../app/audit.ts';
import { DEFAULT_PLAN } from '../../app/paths.ts';
import { EXIT } from '../../errors.ts';
import { printNote } from '../log.ts';
import { printJson } from '../output.ts';
import { STATE_FLAGS, STATE_HELP } from '../data-options.ts';

interface StateFlags {
  plan: string;
  state?: string;
}

export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .summary('export and verify the hash-chained audit log')
    .description(
      'Every cutover step, approval and hook run is recorded as an audit event that carries the SHA-256 of the ' +
        'event before it. `export` writes the log as JSON Lines; `verify` recomputes every hash and link and names ' +
        'the first event that was altered, removed or moved. See docs/audit.md for checking a log with jq and sha256sum only.',
    );

  withStateOptions(audit.command('export'))
    .description('write the audit log as JSON Lines, one event per line, keys in canonical order')
    .option('--out <file>', 'write to this file (replaced whole, never left half-written) instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit audit export --out evidence/audit.jsonl
  $ npx cloudexit audit export --state runbooks/emc2/.cloudexit/emc2.db | jq 'select(.phase == 2)'`,
    )
    .action(async (options: StateFlags & { out?: string }) => {
      const { auditExport } = await import('../../app/audit.ts');
      const summary = await auditExport({
        plan: options.plan,
        state: options.state,
        to: options.out ?? process.stdout,
      });
      // On stderr: stdout is the log itself when no --out is given.
      printNote(
        `exported ${summary.count} audit events${options.out ? ` to ${options.out}` : ''}` +
          `${summary.head ? `; head ${summary.head}` : ''}`,
      );
    });

  withStateOptions(audit.command('verify'))
    .description('recompute the hash chain and name the first broken link (exit 0 intact, 1 broken, 2 bad input)')
    .option('--file <file>', 'verify an exported JSON Lines file instead of the state file')
    .option(
      '--expect-head <hash>',
      'also require this hash (recorded at a sign-off) to be in the log: catches events cut from the end',
    )
    .option('--json', 'print one JSON object with the result on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudexit audit verify                                    the state file of runbooks/emc2/plan.yaml
  $ npx cloudexit audit verify --file evidence/audit.jsonl --json
  $ npx cloudexit audit verify --file audit.jsonl --expect-head 3f5c…(64 hex digits from the signed runbook)`,
    )
    .action(async (options: StateFlags & { file?: string; expectHead?: string; json?: boolean }) => {
      const { anchorHashOf, auditVerify } = await import('../../app/audit.ts');
      const expectHead =
        options.expectHead === undefined ? undefined : anchorHashOf(options.expectHead, '--expect-head');
      const report = await auditVerify({ plan: options.plan, state: options.state, file: options.file, expectHead });
      if (options.json) printJson(report);
      else process.stdout.write(`${renderAuditVerify(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}

/** Lines for a person. */
export function renderAuditVerify(report: AuditVerifyReport): string {
  const from = report.source.kind === 'file' ? report.source.location : `state file ${report.source.location}`;
  const lines: string[] = [];
  if (report.firstBroken) {
    const b = report.firstBroken;
    const at = report.source.kind === 'file' ? `line ${b.position} of ${from}` : `event ${b.seq} in ${from}`;
    lines.push(`audit log BROKEN at ${at}: ${b.reason}`);
    lines.push(
      report.count === 0
        ? 'no event before it can be trusted'
        : report.count === 1
          ? `the event before it is sound; its hash is ${report.head}`
          : `the ${report.count} events before it chain correctly; the last of them has hash ${report.head}`,
    );
  } else {
    lines.push(`audit log intact: ${report.count} events in ${from}`);
    if (report.head) lines.push(`head: ${report.head}`);
  }
  const anchor = report.expectedHead;
  if (anchor && !report.firstBroken) {
    lines.push(
      anchor.foundAtSeq === undefined
        ? `the expected head ${anchor.hash} is NOT in this log: events were cut from its end or rewritten, or the hash belongs to another log`
        : `the expected head is event ${anchor.foundAtSeq}${report.count > anchor.foundAtSeq ? `, followed by ${report.count - anchor.foundAtSeq} later events` : ' (the last one)'}`,
    );
  }
  return lines.join('\n');
}

function withStateOptions(command: Command): Command {
  return command
    .option('--plan <file>', 'migration plan, read only to find the default state file', DEFAULT_PLAN)
    .option(STATE_FLAGS, STATE_HELP);
}
