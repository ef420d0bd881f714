#!/usr/bin/env node
/**
 * An example of the zx scripts ops engineers write around cloudexit: one phase through
 * copy, full verification and status, with the library's use cases (not the command line),
 * a short report, and a non-zero exit when something failed.
 *
 *   npx node scripts/migrate-phase.mjs --phase 1
 *   npx node scripts/migrate-phase.mjs --phase 2 --plan runbooks/emc2/plan.yaml --state .cloudexit/emc2.db
 *
 * (`npx node`: the Node 24 of node_modules, which runs the TypeScript sources directly.)
 * Secrets come from the environment variables the plan names, as for the CLI. Ctrl-C stops
 * after the work in flight (run it again to finish). Exit 0 when every object and database
 * of the phase is copied and verified, 1 when something failed, 2 on bad input.
 */
import { argv, echo } from 'zx';
import { copy, EXIT, status, UserError, verify } from '../src/index.ts';

if (argv.phase === undefined) {
  echo('usage: npx node scripts/migrate-phase.mjs --phase <id> [--plan <file>] [--state <file>] [--evidence <dir>]');
  process.exit(EXIT.usage);
}

const abort = new AbortController();
process.once('SIGINT', () => abort.abort(new Error('interrupted by SIGINT')));
const options = {
  plan: argv.plan,
  state: argv.state,
  evidence: argv.evidence,
  phase: String(argv.phase),
  signal: abort.signal,
  // Notes (retries, skipped objects) on stderr; the report below is on stdout.
  progress: { start() {}, advance() {}, stop() {}, note: (message) => process.stderr.write(`${message}\n`) },
};

try {
  process.exitCode = await migratePhase(options);
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  echo(`error: ${err.where ? `${err.where}: ` : ''}${err.message}${err.fix ? `\n  fix: ${err.fix}` : ''}`);
  process.exitCode = err.exitCode;
}

async function migratePhase(options) {
  const copied = await copy(options);
  echo(
    `copy: ${copied.copied} objects copied (${copied.bytesCopied} bytes), ${copied.failed} failed${copied.interrupted ? ', interrupted' : ''}`,
  );
  // A full verification of a half-copied phase would only list what is missing.
  const verified = copied.ok ? await verify({ ...options, mode: 'full' }) : undefined;
  if (verified)
    echo(
      `verify full: ${verified.verified} objects verified, ${verified.mismatches} mismatches, ${verified.notCopied} not copied`,
    );
  for (const d of verified?.datasets ?? []) {
    for (const m of d.mismatches) echo(`  mismatch: ${d.dataset}: ${m.targetKey}: ${m.problem}`);
  }
  const report = await status({ plan: options.plan, state: options.state });
  const phase = report.phases.find((p) => String(p.id) === options.phase);
  echo(
    `status: phase ${phase.id} (${phase.name}) ${phase.state}: ${phase.copiedObjects}/${phase.objects} copied, ` +
      `${phase.verifiedFullObjects} verified in full, ${report.window.daysLeft} days left in the window`,
  );
  const ok = copied.ok && verified?.ok === true;
  echo(ok ? `phase ${phase.id} is ready for its cutover` : `phase ${phase.id} is NOT ready: run this script again`);
  return ok ? EXIT.ok : EXIT.failed;
}
