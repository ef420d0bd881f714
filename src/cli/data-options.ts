/**
 * The flags the data commands (inventory, copy, verify) share, parsed into the options of
 * their use case. Flag values are checked while parsing, by the same rules the use cases
 * apply, so that a message names the flag as the user typed it.
 */
import { Option, type Command } from 'commander';
import { bandwidthOf, concurrencyOf } from '../app/limits.ts';
import { DEFAULT_PLAN } from '../app/paths.ts';
import type { SessionOptions } from '../app/session.ts';
import type { CommandIo } from './interrupts.ts';

/** The parsed flags shared by the data commands. */
export interface DataOptions {
  plan: string;
  state?: string;
  dataset?: string[];
  phase?: string;
  evidence?: string;
  concurrency?: number;
  bandwidth?: number;
  json?: boolean;
  progress?: boolean;
}

/**
 * `--state`, as every command that opens a migration's state takes it: a SQLite file or a
 * PostgreSQL URL (src/state/open.ts); the password never goes in the URL shown anywhere.
 */
export const STATE_FLAGS = '--state <file|url>';
export const STATE_HELP =
  "the state: a SQLite file (default: .cloudexit/<migration>.db in the plan's folder) or a postgresql://user@host/db " +
  'URL (password from PGPASSWORD or ~/.pgpass)';

export const concurrencyOption = () =>
  new Option('--concurrency <n>', 'objects in flight (overrides limits.concurrency)').argParser((value: string) =>
    concurrencyOf(value, '--concurrency'),
  );

export const bandwidthOption = (description: string) =>
  new Option('--bandwidth <rate>', description).argParser((value: string) => bandwidthOf(value, '--bandwidth'));

export function addDataOptions(command: Command): Command {
  return command
    .option('--plan <file>', 'migration plan', DEFAULT_PLAN)
    .option(STATE_FLAGS, STATE_HELP)
    .option('--dataset <name...>', 'only these datasets (default: all, or those of --phase)')
    .option('--phase <id>', 'only the datasets of this phase')
    .option(
      '--evidence <dir>',
      "folder for manifests and evidence (default: .cloudexit/evidence/<migration> in the plan's folder)",
    )
    .addOption(concurrencyOption())
    .addOption(
      bandwidthOption(
        'cap on reads (the source when copying, the target in a full verify), e.g. 200MiB/s (overrides limits.bandwidth)',
      ),
    )
    .option('--no-progress', 'no progress display')
    .option('--json', 'print one JSON object with the result on stdout');
}

/** The use case's options from the flags and the command line's progress display and Ctrl-C. */
export function sessionOptionsOf(options: DataOptions, io: CommandIo): SessionOptions {
  return {
    plan: options.plan,
    state: options.state,
    dataset: options.dataset,
    phase: options.phase,
    evidence: options.evidence,
    concurrency: options.concurrency,
    bandwidth: options.bandwidth,
    progress: io.progress,
    signal: io.signal,
  };
}
