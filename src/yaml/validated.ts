/**
 * A YAML document people edit, validated by a zod schema: every problem reported at
 * once, each with `file:line:col`, the path inside the document and a fix, because
 * re-running to find the next typo wastes the time of whoever edits the file. Used by the
 * migration plan and the warehouse spec.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { config, type z } from 'zod';
import { UserError } from '../errors.ts';
import { wordIssue } from './zod-words.ts';

// A run validates each document once: zod's fast path (a parser per object schema, built
// with `new Function` on its first use) costs more to build than it saves then. Without
// it the plan's first parse took 66 ms of CPU instead of 78 (median of 4 fresh processes).
config({ jitless: true });

export interface DocumentKind {
  /** How the document is named in messages, e.g. `the plan`. */
  what: string;
  /** A sample showing every field, e.g. `runbooks/emc2/plan.yaml`. */
  sample: string;
}

/** A problem found by a check across fields, at `path` inside the document. */
export interface DocumentProblem {
  path: (string | number)[];
  message: string;
  fix?: string;
}

/**
 * Checks across fields, run on the raw document whether or not the schema accepted it,
 * so that they are reported with the field errors instead of in a second round. They must
 * look only at the pieces they need and skip those that are not valid.
 */
export type CrossChecks = (raw: unknown) => DocumentProblem[];

/** Parses and validates `text`; `file` only names the source in messages. */
export function parseValidatedYaml<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  kind: DocumentKind,
  crossChecks?: CrossChecks,
): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const at = lines.linePos(e.pos[0]);
      return `  ${file}:${at.line}:${at.col}: YAML: ${e.message.split('\n')[0]}`;
    });
    throw new UserError(`${kind.what} is not valid YAML\n${problems.join('\n')}`, {
      fix: 'correct the YAML syntax at the positions shown (indentation, quotes, colons)',
    });
  }
  const raw: unknown = doc.toJS();
  const result = schema.safeParse(raw, { reportInput: true, error: wordIssue });
  const crossProblems: z.core.$ZodIssue[] = (crossChecks?.(raw) ?? []).map((p) => ({
    code: 'custom',
    path: p.path,
    message: p.message,
    ...(p.fix ? { params: { fix: p.fix } } : {}),
  }));
  if (result.success && crossProblems.length === 0) return result.data;
  const issues = [...(result.success ? [] : result.error.issues), ...crossProblems];
  const problems = [...new Set(issues.map((issue) => describeIssue(issue, doc, lines, file)))];
  throw new UserError(
    `${kind.what} has ${problems.length} problem${problems.length > 1 ? 's' : ''}\n${problems.join('\n')}`,
    {
      fix: `correct each line above; the sample ${kind.sample} shows every field`,
    },
  );
}

/** `phases[1].datasets[2]` from `['phases', 1, 'datasets', 2]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, file: string): string {
  const { offset, exact } = locate(doc, issue.path);
  const pos = offset === undefined ? '' : `:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
  // A discriminated union reports a missing `kind`/`method` as a bad value of it.
  const missing =
    (issue.code === 'invalid_type' || (issue.code === 'invalid_union' && 'discriminator' in issue)) && !exact;
  const message = missing ? `missing required field "${String(issue.path.at(-1))}"` : issue.message;
  const fix = fixFor(issue, missing);
  return `  ${file}${pos}: ${formatPath(issue.path) || '(top level)'}: ${message}${fix ? ` (fix: ${fix})` : ''}`;
}

function fixFor(issue: z.core.$ZodIssue, missing: boolean): string | undefined {
  const params = (issue as { params?: Record<string, unknown> }).params;
  if (typeof params?.['fix'] === 'string') return params['fix'];
  if (missing) {
    const parent = formatPath(issue.path.slice(0, -1));
    return `add "${String(issue.path.at(-1))}" ${parent ? `under ${parent}` : 'at the top level'}`;
  }
  if (issue.code === 'unrecognized_keys') return 'remove it or correct its spelling';
  if (issue.code === 'invalid_value') return `write one of: ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options))
    return `write one of: ${issue.options.map(String).join(', ')}`;
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
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}
