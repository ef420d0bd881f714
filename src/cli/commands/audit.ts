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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { verifyChain, type ChainBreak } from '../../audit/chain.ts';
import { AuditFileError, readAuditJsonl, writeAuditJsonl, writeAuditJsonlFile, type ExportSummary } from '../../audit/jsonl.ts';
import { loadPlan } from '../../plan/load.ts';
import { openSqliteStateStore } from '../../state/sqlite.ts';
import type { AuditEvent, StateStore } from '../../state/state-store.ts';
import { EXIT, UserError } from '../../errors.ts';
import { printJson } from '../output.ts';
import { DEFAULT_PLAN } from '../session.ts';

interface StateOptions {
  plan: string;
  state?: string;
}

/** What `audit verify` found; also its `--json` output. */
export interface AuditVerifyReport {
  ok: boolean;
  /** Where the events came from: the state file or the exported file. */
  source: { kind: 'state' | 'file'; location: string };
  /** Events that chain correctly from the first one. */
  count: number;
  /** Hash of the last of them. */
  head: string | undefined;
  firstBroken?: ChainBreak;
  /** With `--expect-head`: where that hash was found in the log, if anywhere. */
  expectedHead?: { hash: string; foundAtSeq: number | undefined };
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
    .addHelpText('after', `
Examples:
  $ npx cloudexit audit export --out evidence/audit.jsonl
  $ npx cloudexit audit export --state .cloudexit/emc2.db | jq 'select(.phase == 2)'`)
    .action(async (options: StateOptions & { out?: string }) => {
      const store = await openExistingStore(options);
      let summary: ExportSummary;
      try {
        summary = options.out === undefined
          ? await writeAuditJsonl(store.iterateAudit(), process.stdout)
          : await writeAuditJsonlFile(store.iterateAudit(), options.out);
      } finally {
        await store.close();
      }
      // On stderr: stdout is the log itself when no --out is given.
      process.stderr.write(`exported ${summary.count} audit events${options.out ? ` to ${options.out}` : ''}` +
        `${summary.head ? `; head ${summary.head}` : ''}\n`);
    });

  withStateOptions(audit.command('verify'))
    .description('recompute the hash chain and name the first broken link (exit 0 intact, 1 broken, 2 bad input)')
    .option('--file <file>', 'verify an exported JSON Lines file instead of the state file')
    .option('--expect-head <hash>', 'also require this hash (recorded at a sign-off) to be in the log: catches events cut from the end')
    .option('--json', 'print one JSON object with the result on stdout')
    .addHelpText('after', `
Examples:
  $ npx cloudexit audit verify                                    the state file of runbooks/emc2/plan.yaml
  $ npx cloudexit audit verify --file evidence/audit.jsonl --json
  $ npx cloudexit audit verify --file audit.jsonl --expect-head 3f5c…(64 hex digits from the signed runbook)`)
    .action(async (options: StateOptions & { file?: string; expectHead?: string; json?: boolean }) => {
      const expected = options.expectHead?.toLowerCase();
      if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
        throw new UserError(`--expect-head ${options.expectHead} is not a SHA-256 hash`, { fix: 'pass the 64 hexadecimal digits recorded at the sign-off' });
      }
      const report = await verifyAuditLog(options, expected);
      if (options.json) printJson(report);
      else process.stdout.write(`${renderAuditVerify(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}

/** Verifies the log named by the options; bad input becomes a `UserError` (exit 2). */
export async function verifyAuditLog(options: StateOptions & { file?: string }, expectedHead?: string): Promise<AuditVerifyReport> {
  let foundAtSeq: number | undefined;
  // Watches the stream for the anchored hash without holding the log in memory.
  async function* watch(events: AsyncIterable<AuditEvent>): AsyncGenerator<AuditEvent> {
    for await (const event of events) {
      if (event.hash === expectedHead) foundAtSeq = event.seq;
      yield event;
    }
  }
  let source: AuditVerifyReport['source'];
  let verdict: Awaited<ReturnType<typeof verifyChain>>;
  if (options.file !== undefined) {
    source = { kind: 'file', location: options.file };
    try {
      verdict = await verifyChain(watch(readAuditJsonl(options.file)));
    } catch (err) {
      if (!(err instanceof AuditFileError)) throw err;
      throw new UserError(err.message, {
        where: err.line === undefined ? err.file : `${err.file}:${err.line}`,
        fix: 'pass a file written by `cloudexit audit export`; a line that was edited by hand must be restored from the original',
      });
    }
  } else {
    const store = await openExistingStore(options);
    source = { kind: 'state', location: store.location };
    try {
      verdict = await verifyChain(watch(store.iterateAudit()));
    } finally {
      await store.close();
    }
  }
  const report: AuditVerifyReport = { ...verdict, source };
  if (expectedHead !== undefined) {
    // Only meaningful on a sound chain: past a break, the hash may be anywhere or nowhere.
    if (verdict.ok && foundAtSeq === undefined) report.ok = false;
    report.expectedHead = { hash: expectedHead, foundAtSeq };
  }
  return report;
}

/** Lines for a person. */
export function renderAuditVerify(report: AuditVerifyReport): string {
  const from = report.source.kind === 'file' ? report.source.location : `state file ${report.source.location}`;
  const lines: string[] = [];
  if (report.firstBroken) {
    const b = report.firstBroken;
    const at = report.source.kind === 'file' ? `line ${b.position} of ${from}` : `event ${b.seq} in ${from}`;
    lines.push(`audit log BROKEN at ${at}: ${b.reason}`);
    lines.push(report.count === 0
      ? 'no event before it can be trusted'
      : report.count === 1
        ? `the event before it is sound; its hash is ${report.head}`
        : `the ${report.count} events before it chain correctly; the last of them has hash ${report.head}`);
  } else {
    lines.push(`audit log intact: ${report.count} events in ${from}`);
    if (report.head) lines.push(`head: ${report.head}`);
  }
  const anchor = report.expectedHead;
  if (anchor && !report.firstBroken) {
    lines.push(anchor.foundAtSeq === undefined
      ? `the expected head ${anchor.hash} is NOT in this log: events were cut from its end or rewritten, or the hash belongs to another log`
      : `the expected head is event ${anchor.foundAtSeq}${report.count > anchor.foundAtSeq ? `, followed by ${report.count - anchor.foundAtSeq} later events` : ' (the last one)'}`);
  }
  return lines.join('\n');
}

function withStateOptions(command: Command): Command {
  return command
    .option('--plan <file>', 'migration plan, read only to find the default state file', DEFAULT_PLAN)
    .option('--state <file>', 'state database (default: .cloudexit/<migration>.db)');
}

/**
 * Opens the state file, which must exist: opening creates a missing one, and an empty new
 * state file would "verify" as an intact log of 0 events.
 */
async function openExistingStore(options: StateOptions): Promise<StateStore> {
  const path = options.state ?? join('.cloudexit', `${(await loadPlan(options.plan)).migration}.db`);
  if (!existsSync(path)) {
    throw new UserError(`there is no state file at ${path}`, {
      fix: options.state === undefined
        ? 'run from the folder where the migration ran, or pass --state with its state file'
        : 'check the path given to --state, or pass --file with an exported audit log',
    });
  }
  try {
    return await openSqliteStateStore(path);
  } catch (err) {
    throw new UserError((err as Error).message, { where: path });
  }
}
