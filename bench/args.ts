/**
 * The checks the bench scripts make of their flags: a bad value is bad input (exit 2, the
 * flag named), said before any server starts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { targetUnavailable, type TargetKind } from './targets.ts';

/** Writes the message and exits 2. */
function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** The flags `options` declares, as parseArgs reads them (strict: nothing else). */
export type BenchArgs<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O; strict: true }>
>['values'];

/**
 * The flags of the bench script `script` (its `import.meta.url`) from the command line.
 * `--help` (or `-h`) prints the script's doc comment, which is its usage, and exits 0. An
 * unknown flag, a flag without its value or a stray argument exits 2 with one line naming it
 * and the usage: parseArgs throws those as errors, which used to reach the user as a stack trace.
 */
export function benchArgs<const O extends ParseArgsOptionsConfig>(script: string, options: O): BenchArgs<O> {
  const argv = process.argv.slice(2);
  const doc = docOf(script);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${doc}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const problem = usageProblem(err);
    if (problem === undefined) throw err;
    // The doc comment opens with the usage line, in backticks.
    const usage = doc.split('\n')[0]!.replace(/`/g, '');
    refuse(`${problem}; usage: ${usage} (--help says more)`);
  }
}

/** What parseArgs found wrong with the command line, naming the argument; undefined for any other error. */
function usageProblem(err: unknown): string | undefined {
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  // parseArgs quotes the argument first: "Unknown option '--x'", "Option '--rounds <value>' argument missing".
  const arg = /'([^']*)'/.exec(message)?.[1]?.replace(/ <value>$/, '') ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `${arg}: not an option of this bench`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `${arg}: unexpected argument (every argument is a --flag, with its value after it)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take/.test(message) ? `${arg}: takes no value` : `${arg}: needs a value`;
    default:
      return undefined;
  }
}

/** The first doc comment of the file at `url`, without its comment marks. */
function docOf(url: string): string {
  const text = readFileSync(fileURLToPath(url), 'utf8');
  const body = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
  return body
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** `--name text` as a whole number from 1 to `max`. */
export function positive(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) refuse(`--${name} ${text}: expected a whole number from 1 to ${max}`);
  return n;
}

/** `--name text` as one of `choices`. */
export function oneOf<const C extends string>(name: string, text: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(text)) refuse(`--${name} ${text}: expected ${choices.join(' or ')}`);
  return text as C;
}

/** `--target text` as a target this machine can start. */
export function targetOf(text: string): TargetKind {
  const kind = oneOf('target', text, ['s3rver', 'rgw']);
  const unavailable = targetUnavailable(kind);
  if (unavailable) refuse(`--target ${kind}: ${unavailable}`);
  return kind;
}
