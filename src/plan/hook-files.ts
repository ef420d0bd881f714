/**
 * Which hook scripts cloudexit can run, and a check that the plan's hooks exist, made when
 * the plan is loaded: a misspelt hook path found at the switch step, with readers half
 * moved, costs far more than one found when the plan is first read.
 */
import { statSync } from 'node:fs';
import { extname, relative, resolve } from 'node:path';
import type { DocumentProblem } from '../yaml/validated.ts';

/** How a hook script is run, by the end of its name. */
export const HOOK_INTERPRETERS: Readonly<Record<string, 'node' | 'bash'>> = {
  '.mjs': 'node',
  '.js': 'node',
  '.cjs': 'node',
  '.ts': 'node',
  '.mts': 'node',
  '.cts': 'node',
  '.sh': 'bash',
};

/** The hook fields of the plan that name a script. */
export const HOOK_FIELDS = ['freeze', 'thaw', 'switch', 'smokeCheck', 'rollback'] as const;
export type HookField = (typeof HOOK_FIELDS)[number];

/** `node` or `bash` for a script path, `undefined` when cloudexit cannot run it. */
export function hookInterpreter(script: string): 'node' | 'bash' | undefined {
  return HOOK_INTERPRETERS[extname(script)];
}

/** Whether `script`, resolved against `cwd` as the hook runner resolves it, is a file. */
export function hookFileExists(script: string, cwd: string = process.cwd()): boolean {
  try {
    return statSync(resolve(cwd, script)).isFile();
  } catch {
    return false;
  }
}

/**
 * A check of the raw plan: every hook names a file that exists (resolved against `cwd`,
 * the folder cloudexit runs in, as the hook runner does) and that cloudexit knows how to
 * run. A hook that is not a text is left to the schema. `planDir` only serves the fix,
 * when the path is right relative to the plan.
 */
export function checkHookFiles(cwd: string, planDir: string | undefined) {
  return (raw: unknown): DocumentProblem[] => {
    const hooks = (raw as { hooks?: unknown } | null)?.hooks;
    if (typeof hooks !== 'object' || hooks === null) return [];
    const problems: DocumentProblem[] = [];
    for (const field of HOOK_FIELDS) {
      const script = (hooks as Record<string, unknown>)[field];
      if (typeof script !== 'string' || script === '') continue;
      if (hookInterpreter(script) === undefined) {
        problems.push({
          path: ['hooks', field],
          message: `"${script}" is neither a Node script nor a shell script`,
          fix: `name a file ending in ${Object.keys(HOOK_INTERPRETERS).join(', ')} (.sh runs with bash, the others with Node)`,
        });
      } else if (!hookFileExists(script, cwd)) {
        const nextToPlan = planDir !== undefined && hookFileExists(script, planDir);
        problems.push({
          path: ['hooks', field],
          message: `hook file ${resolve(cwd, script)} does not exist (paths are relative to the folder cloudexit runs in, ${cwd})`,
          fix: nextToPlan
            ? `the file is next to the plan: write "${relative(cwd, resolve(planDir, script))}", or run cloudexit from ${planDir}`
            : `correct the path of hooks.${field}, or remove it if this step needs no script`,
        });
      }
    }
    return problems;
  };
}
