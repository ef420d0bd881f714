/**
 * `--approve ROLE --as NAME`, as `cutover` and `decommission` take it: a go is recorded with
 * the name of the person who gave it, so a missing or blank `--as` is bad input.
 */
import { UserError } from '../errors.ts';

/** The name given with `--as`, or a `UserError` (exit 2) whose fix shows `command` with it. */
export function approverName(as: string | undefined, command: string): string {
  if (!as?.trim())
    throw new UserError('--approve needs --as: the name of the person giving the go', {
      fix: `add --as "First Last", e.g. \`${command} --as "Jeanne Martin"\``,
    });
  return as;
}
