/**
 * Reads and validates a plan file. Every problem is reported at once, each with the
 * file, line and column, the path inside the document and what to do, because a plan
 * is edited by people and re-running to find the next mistake wastes their time.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../errors.ts';
import { parseValidatedYaml } from '../yaml/validated.ts';
import { checkHookFiles } from './hook-files.ts';
import { planCrossChecks, planSchema, type Plan } from './schema.ts';

export type LoadedPlan = Plan & {
  /** The file the plan came from, for messages and for paths relative to it. */
  readonly file: string;
};

/**
 * Loads `file`; throws a `UserError` listing every problem. Hook scripts are checked too:
 * each must exist, resolved against `cwd` as the hook runner resolves it, and end in an
 * extension cloudexit can run.
 */
export async function loadPlan(file: string, cwd: string = process.cwd()): Promise<LoadedPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the plan: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      where: file,
      fix: 'pass --plan with the path of a plan file (the sample is runbooks/emc2/plan.yaml)',
    });
  }
  const checkHooks = checkHookFiles(cwd, dirname(file));
  const checks = (raw: unknown) => [...planCrossChecks(raw), ...checkHooks(raw)];
  return { ...parseValidatedYaml(text, file, planSchema, PLAN_KIND, checks), file };
}

const PLAN_KIND = { what: 'the plan', sample: 'runbooks/emc2/plan.yaml' };

/** Parses and validates plan text; `file` only names the source in messages. Hook files are not looked for. */
export function parsePlan(text: string, file: string): Plan {
  return parseValidatedYaml(text, file, planSchema, PLAN_KIND, planCrossChecks);
}
