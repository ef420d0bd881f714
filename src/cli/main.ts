#!/usr/bin/env node
/**
 * The `cloudexit` command line. Each command lives in `commands/<name>.ts` and registers
 * itself on the program; this file only assembles them and turns errors into exit codes.
 *
 * Registering a command loads its options and help, not its work: each action loads its use
 * case (`src/app/…`) with `import()` when it runs, and the packages that only some runs need
 * (pg, pino, cli-progress) are loaded where they are used. Every run parses its arguments
 * first, and without this every run, `--help` included, evaluated every use case, the plan's
 * schemas (zod), YAML and the PostgreSQL client. test/architecture/startup-imports.test.ts
 * keeps it so.
 */
import { Command } from 'commander';
import { registerCopyCommand } from './commands/copy.ts';
import { registerCutoverCommands } from './commands/cutover.ts';
import { registerDecommissionCommand } from './commands/decommission.ts';
import { registerInventoryCommand } from './commands/inventory.ts';
import { registerRehearseCommand } from './commands/rehearse.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerVerifyCommand } from './commands/verify.ts';
import { EXIT, errorToJson, exitCodeOf, formatError } from '../errors.ts';
import { registerParityCommand } from './commands/parity.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerRunbookCommand } from './commands/runbook.ts';
import { registerProbeCommand } from './commands/probe.ts';
import { registerStateCommands } from './commands/state.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { wasInterrupted } from './interrupts.ts';
import { packageManifest } from '../package-root.ts';
import { configureLog, logError, logExit, type LogOptions } from './log.ts';

/** The version in package.json (read at run time: the same file whether run from src/ or dist/). */
function packageVersion(): string {
  return packageManifest().version;
}

export function buildProgram(): Command {
  const program = new Command('cloudexit')
    .description(
      'Move a warehouse off Azure onto a SecNumCloud-qualified host, dataset by dataset, with proof that every byte arrived.',
    )
    .version(packageVersion(), '-V, --version', 'print the version of cloudexit')
    .option('--verbose', 'on an internal error, print its stack trace; log at debug level')
    .option('--quiet', 'print nothing on stderr but errors (no notes, no progress)')
    .option('--log-file <file>', 'append the notes, errors and exit code as JSON lines to this file (secrets redacted)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    // Before any subcommand exists: commands inherit it only when added afterwards.
    .exitOverride()
    // The log knows its command before the command runs (parseAsync awaits the hook, which
    // loads pino when --log-file asks for a log).
    .hook('preAction', (_program, action) => configureLog(program.opts<LogOptions>(), commandPath(action)));
  // command registrations (one line each)
  registerParityCommand(program);
  registerRehearseCommand(program);
  registerInventoryCommand(program);
  registerProbeCommand(program);
  registerCopyCommand(program);
  registerWorkerCommand(program);
  registerVerifyCommand(program);
  registerAuditCommand(program);
  registerStatusCommand(program);
  registerCutoverCommands(program);
  registerDecommissionCommand(program);
  registerRunbookCommand(program);
  registerStateCommands(program);
  return program;
}

/** `cutover approve` for a subcommand of `cutover`: the names below the program. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Runs the CLI; exported for tests that drive it in-process. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // Ctrl-C: the work in flight was recorded and the report printed; the shell hears 130.
    const exit = wasInterrupted()
      ? EXIT.interrupted
      : typeof process.exitCode === 'number'
        ? process.exitCode
        : EXIT.ok;
    logExit(exit);
    return exit;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    // A usage error stops before any command ran: log it under the words typed.
    // A log file that cannot be opened is itself the error being reported: go on without it.
    await configureLog(program.opts<LogOptions>(), argv.find((a) => !a.startsWith('-')) ?? '').catch(() => {});
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // Commander has printed what was wrong; say where the accepted words are.
      const command = program.commands.find((c) => argv.includes(c.name()));
      process.stderr.write(
        `  fix: ${command ? `run \`cloudexit ${command.name()} --help\` for its options and the values they accept` : 'run `cloudexit --help` for the commands'}\n`,
      );
      logError(err, EXIT.usage, (err as Error).message);
      return EXIT.usage;
    }
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(errorToJson(err))}\n`);
    const verbose = program.opts<LogOptions>().verbose === true;
    process.stderr.write(`${formatError(err, verbose)}\n`);
    logError(err, exitCodeOf(err), formatError(err, false));
    return exitCodeOf(err);
  }
}

/** `cloudexit … | head` closes the pipe early: that is the reader's choice, not an error. */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

if (import.meta.main) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await main(process.argv.slice(2));
}
