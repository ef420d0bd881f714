/**
 * Errors the user can act on. Like zx, formatting is plain data plus functions: a
 * `UserError` carries what went wrong, where, and the fix; `formatError` turns any error
 * into lines for a terminal and `errorToJson` into an object for `--json`.
 */
import { redact } from './secrets/redact.ts';

/** Exit codes: 0 success, 1 the work failed (mismatch, failed objects), 2 bad input or setup. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A problem with the user's input or environment: nothing was changed. */
export class UserError extends Error {
  override name = 'UserError';
  /** What to do about it. */
  readonly fix: string | undefined;
  /** Where: a file, a `file:line` location, a dataset or a key. */
  readonly where: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { fix?: string; where?: string; exitCode?: number } = {}) {
    super(message);
    this.fix = options.fix;
    this.where = options.where;
    this.exitCode = options.exitCode ?? EXIT.usage;
  }
}

/** Lines to print for an error; internal errors keep their stack only with `verbose`. */
export function formatError(err: unknown, verbose = false): string {
  if (err instanceof UserError) {
    const lines = [`error: ${err.where ? `${err.where}: ` : ''}${err.message}`];
    if (err.fix) lines.push(`  fix: ${err.fix}`);
    return redact(lines.join('\n'));
  }
  if (err instanceof Error) {
    const text = verbose && err.stack ? err.stack : `${err.name}: ${err.message}`;
    return redact(`error: ${text}`);
  }
  return redact(`error: ${String(err)}`);
}

/** The `--json` shape of an error. */
export function errorToJson(err: unknown): { error: { message: string; where?: string; fix?: string } } {
  if (err instanceof UserError) {
    return {
      error: {
        message: redact(err.message),
        ...(err.where ? { where: err.where } : {}),
        ...(err.fix ? { fix: redact(err.fix) } : {}),
      },
    };
  }
  return { error: { message: redact(err instanceof Error ? err.message : String(err)) } };
}

export function exitCodeOf(err: unknown): number {
  return err instanceof UserError ? err.exitCode : EXIT.failed;
}
