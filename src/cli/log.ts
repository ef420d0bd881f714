/**
 * The command line's log: the one place that knows pino. `--log-file <file>` appends JSON
 * lines (time, level, msg, the command, and the fields of each entry) to a file; every
 * string is redacted on its way in, whatever it sits in. `--quiet` keeps notes and progress
 * off stderr (errors still print there); `--verbose` logs at debug level and keeps the
 * stacks of internal errors. Without `--log-file` nothing is logged, and pino is not even
 * loaded: most runs log nothing, and every run would otherwise evaluate pino and its
 * dependencies at startup.
 */
import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { UserError } from '../errors.ts';
import { makeFolder } from '../make-folder.ts';
import { redact } from '../secrets/redact.ts';

export interface LogOptions {
  /** File the JSON lines are appended to (created with its folder). @default none: no log */
  logFile?: string | undefined;
  /** Nothing but errors on stderr. @default false */
  quiet?: boolean | undefined;
  /** Debug level, and the stacks of internal errors. @default false */
  verbose?: boolean | undefined;
}

let logger: Logger | undefined;
let quiet = false;
let verbose = false;

/** Sets the log up for `command` from the global options; a second call changes nothing. */
export async function configureLog(options: LogOptions, command: string): Promise<void> {
  quiet = options.quiet === true;
  verbose = options.verbose === true;
  if (logger || !options.logFile) return;
  const fd = openLogFile(options.logFile);
  const { pino } = await import('pino');
  // A call that set the log up while this one waited for pino wins, as a first call would.
  if (logger) {
    closeSync(fd);
    return;
  }
  logger = pino(
    {
      level: verbose ? 'debug' : 'info',
      base: { command },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Every argument (message and fields alike) is redacted before pino serialises it.
        logMethod(args, method) {
          method.apply(this, args.map(redactDeep) as Parameters<typeof method>);
        },
      },
    },
    // Synchronous: a line is on disk before the process exits, even on `process.exit`.
    pino.destination({ fd, sync: true }),
  );
}

/**
 * The log file opened for appending, its folder created. Opened here rather than by pino's
 * destination: a path that cannot be a file (`/dev/null/x`, `/proc/nope/x`) then gives one
 * line and exit 2, where the destination threw a stack trace from a later tick or retried
 * forever.
 */
function openLogFile(file: string): number {
  try {
    makeFolder(dirname(file));
    return openSync(file, 'a');
  } catch (err) {
    throw new UserError(`cannot open the log file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      where: file,
      fix: 'give --log-file a file in a folder you can write, e.g. --log-file ./cloudexit.log.jsonl',
    });
  }
}

/** Whether `--quiet` asked for nothing but errors on stderr. */
export function isQuiet(): boolean {
  return quiet;
}

/** Whether `--verbose` was given. */
export function isVerbose(): boolean {
  return verbose;
}

/** A note a person would see (also printed by the progress display unless quiet). */
export function logNote(message: string, fields: Record<string, unknown> = {}): void {
  logger?.info(fields, message);
}

/** A note printed on stderr (unless `--quiet`) and logged, outside a progress display. */
export function printNote(message: string, fields: Record<string, unknown> = {}): void {
  if (!quiet) process.stderr.write(`${redact(message)}\n`);
  logNote(message, fields);
}

/** Detail for `--verbose` readers of the log. */
export function logDebug(message: string, fields: Record<string, unknown> = {}): void {
  logger?.debug(fields, message);
}

/** How the command ended, with its exit code. */
export function logExit(exitCode: number): void {
  if (exitCode === 0) logger?.info({ exitCode }, 'finished');
  else logger?.warn({ exitCode }, `finished with exit code ${exitCode}`);
}

/** An error that ended the command, with the exit code it gives; the stack only under `--verbose`. */
export function logError(err: unknown, exitCode: number, message: string): void {
  if (!logger) return;
  const e = err instanceof Error ? err : undefined;
  logger.error(
    {
      exitCode,
      error: {
        type: e?.name ?? typeof err,
        code: (err as { code?: unknown } | undefined)?.code,
        ...(verbose && e?.stack ? { stack: e.stack } : {}),
      },
    },
    message,
  );
}

/** `value` with every string in it redacted, objects and arrays copied. */
function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value instanceof Error) return redactDeep({ type: value.name, message: value.message, stack: value.stack });
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  return value;
}
