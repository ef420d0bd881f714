/**
 * Reads and validates a plan file. Every problem is reported at once, each with the
 * file, line and column, the path inside the document and what to do, because a plan
 * is edited by people and re-running to find the next mistake wastes their time.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../cli/errors.ts';
import { planSchema, type Plan } from './schema.ts';

export type LoadedPlan = Plan & {
  /** The file the plan came from, for messages and for paths relative to it. */
  readonly file: string;
};

/** Loads `file`; throws a `UserError` listing every problem. */
export async function loadPlan(file: string): Promise<LoadedPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the plan: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      where: file,
      fix: 'pass --plan with the path of a plan file (the sample is runbooks/emc2/plan.yaml)',
    });
  }
  return { ...parsePlan(text, file), file };
}

/** Parses and validates plan text; `file` only names the source in messages. */
export function parsePlan(text: string, file: string): Plan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const at = lines.linePos(e.pos[0]);
      return `${file}:${at.line}:${at.col}: YAML: ${e.message.split('\n')[0]}`;
    });
    throw new UserError(`the plan is not valid YAML\n${problems.join('\n')}`, {
      fix: 'correct the YAML syntax at the positions shown (indentation, quotes, colons)',
    });
  }
  const result = planSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, doc, lines, file));
  throw new UserError(`the plan has ${problems.length} problem${problems.length > 1 ? 's' : ''}\n${problems.join('\n')}`, {
    fix: 'correct each line above; the sample plan runbooks/emc2/plan.yaml shows every field',
  });
}

/** `phases[1].datasets[2]` from `['phases', 1, 'datasets', 2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, file: string): string {
  const path = issue.path;
  const { offset, exact } = locate(doc, path);
  const pos = offset === undefined ? '' : `:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
  const where = `${file}${pos}: ${formatPath(path) || '(top level)'}`;
  const missing = issue.code === 'invalid_type' && !exact;
  const message = missing ? `missing required field "${String(path.at(-1))}"` : issue.message;
  const fix = fixFor(issue, missing);
  return `  ${where}: ${message}${fix ? ` (fix: ${fix})` : ''}`;
}

function fixFor(issue: z.core.$ZodIssue, missing: boolean): string | undefined {
  if (issue.code === 'custom' && typeof issue.params?.['fix'] === 'string') return issue.params['fix'];
  if (missing) {
    const parent = formatPath(issue.path.slice(0, -1));
    return `add "${String(issue.path.at(-1))}" ${parent ? `under ${parent}` : 'at the top level'}`;
  }
  if (issue.code === 'unrecognized_keys') return 'remove it or correct its spelling';
  return undefined;
}

/** Offset of the node at `path`, or of its nearest existing ancestor (`exact` false). */
function locate(doc: Document, path: readonly PropertyKey[]): { offset: number | undefined; exact: boolean } {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const part of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === part);
      next = pair?.value ?? (pair ? pair.key : undefined);
    } else if (isSeq(node) && typeof part === 'number') next = node.items[part];
    if (next === undefined || next === null) return { offset, exact: false };
    node = next;
    offset = rangeStart(node) ?? offset;
  }
  return { offset, exact: true };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}
