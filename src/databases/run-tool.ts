/**
 * Runs the PostgreSQL client tools (pg_dump, pg_restore) through zx. The connection comes
 * from the libpq environment only (host, user, database, PGPASSWORD): nothing secret is
 * ever on the command line, where `ps` would show it. The caller's own PG* variables are
 * dropped so that a stray PGSERVICE or PGOPTIONS cannot redirect a dump.
 */
import { join } from 'node:path';
import { $ } from 'zx';
import { redact } from '../secrets/redact.ts';

/** Lines of stderr kept in error messages and in the audit details. */
const TAIL_LINES = 20;

export interface ToolRun {
  /** The end of what the tool printed on stderr (redacted). */
  stderr: string;
  seconds: number;
}

/** A client tool that exited non-zero, or could not start. The message is already redacted. */
class ToolError extends Error {
  override name = 'ToolError';
  readonly tool: string;
  readonly exitCode: number | null;

  constructor(tool: string, exitCode: number | null, message: string) {
    super(message);
    this.tool = tool;
    this.exitCode = exitCode;
  }
}

/** The last `lines` lines of `text`, redacted. */
function tail(text: string, lines = TAIL_LINES): string {
  return redact(text.trimEnd().split('\n').slice(-lines).join('\n'));
}

/** The environment of a client tool: ours without PG*, then the connection's libpq variables. */
function toolEnvironment(libpq: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value;
  // English messages, so that what lands in an error is what the PostgreSQL docs say.
  return { ...env, ...libpq, LC_MESSAGES: 'C' };
}

export interface RunToolOptions {
  signal?: AbortSignal | undefined;
}

/**
 * Runs `bindir/tool args…` with the given libpq environment; resolves with the tail of its
 * stderr, rejects with a `ToolError` naming the tool, its exit code and its last stderr lines.
 */
export async function runTool(
  bindir: string,
  tool: string,
  args: readonly string[],
  libpq: Record<string, string>,
  options: RunToolOptions = {},
): Promise<ToolRun> {
  const started = performance.now();
  const run = $({
    env: toolEnvironment(libpq),
    quiet: true,
    nothrow: true,
    verbose: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let output;
  try {
    output = await run`${join(bindir, tool)} ${args}`;
  } catch (err) {
    // zx rejects even with nothrow when the process cannot be spawned or is aborted.
    const detail = err instanceof Error ? err.message : String(err);
    throw new ToolError(tool, null, `${tool} did not run to completion: ${tail(detail)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (output.exitCode !== 0) {
    const how =
      output.exitCode === null
        ? `was stopped by ${output.signal ?? 'a signal'}`
        : `failed with exit code ${output.exitCode}`;
    const stderr = tail(output.stderr);
    throw new ToolError(tool, output.exitCode, `${tool} ${how}${stderr ? `:\n${stderr}` : ' (nothing on stderr)'}`);
  }
  return { stderr: tail(output.stderr), seconds };
}

/** Major version of a client tool (`pg_dump (PostgreSQL) 15.18` → 15), or undefined when it cannot run. */
export async function toolMajor(bindir: string, tool: string): Promise<number | undefined> {
  const output = await $({ quiet: true, nothrow: true, verbose: false })`${join(bindir, tool)} --version`.catch(
    () => undefined,
  );
  if (!output || output.exitCode !== 0) return undefined;
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(output.stdout);
  return match ? Number(match[1]) : undefined;
}
