/**
 * zod's own issue wording ("Invalid input: expected number, received string") turned into
 * sentences a plan or spec editor can act on: what the field must be and what was found.
 * A message a schema sets itself (a regex hint, a cross-check) is kept as it is.
 */
import type { z } from 'zod';

/** Longest piece of a found value echoed back, so a pasted secret or a long text stays out. */
const ECHO_LIMIT = 40;

/** A per-parse zod error map: our sentence for every issue the schema did not word itself. */
export function wordIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${expectedType(String(issue.expected), issue.inst)}, found ${found(issue.input)}`;
    case 'invalid_value':
      return `must be ${oneOf(issue.values)}, found ${found(issue.input)}`;
    case 'too_small':
      return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false, issue.input);
    case 'too_big':
      return tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false, issue.input);
    case 'invalid_format':
      return issue.format === 'url'
        ? `must be a URL such as "https://host.example", found ${found(issue.input)}`
        : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}, found ${found(issue.input)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      return invalidUnion(issue);
    case 'invalid_key':
      return 'has a key that is not accepted';
    case 'invalid_element':
      return 'has an element that is not accepted';
    default:
      return 'is not valid here';
  }
}

/** What the value found was, in words: `the text "8"`, `the number 3`, `a list of 2 items`. */
export function found(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    if (value === '') return 'an empty text';
    const shown = value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value;
    return `the text "${shown}"`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value instanceof Date) return `the date ${value.toISOString().slice(0, 10)}`;
  if (typeof value === 'object') return 'a group of fields';
  return `a ${typeof value}`;
}

function expectedType(expected: string, inst: unknown): string {
  if (expected === 'number' && isInteger(inst)) return 'a whole number';
  const words: Record<string, string> = {
    string: 'a text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a group of fields',
    date: 'a date',
    undefined: 'left out',
    null: 'empty',
  };
  return words[expected] ?? `a ${expected}`;
}

/** Whether a zod number schema carries an integer check (`z.number().int()`). */
function isInteger(inst: unknown): boolean {
  const zod = (inst as { _zod?: { def?: { checks?: unknown[] }; bag?: { format?: string } } } | undefined)?._zod;
  if (zod?.bag?.format?.includes('int')) return true;
  return (zod?.def?.checks ?? []).some((check) => {
    const format = (check as { _zod?: { def?: { format?: string } } })._zod?.def?.format;
    return typeof format === 'string' && format.includes('int');
  });
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v)));
  return shown.length === 1 ? shown[0]! : `one of ${shown.join(', ')}`;
}

function tooSmall(origin: string, minimum: number, inclusive: boolean, input: unknown): string {
  if (origin === 'string')
    return minimum <= 1 ? 'must not be empty' : `must be at least ${minimum} characters long, found ${found(input)}`;
  if (origin === 'array') return `must list at least ${minimum} item${minimum === 1 ? '' : 's'}, found ${found(input)}`;
  return `must be ${inclusive ? 'at least' : 'more than'} ${minimum}, found ${found(input)}`;
}

function tooBig(origin: string, maximum: number, inclusive: boolean, input: unknown): string {
  if (origin === 'string') return `must be at most ${maximum} characters long, found ${found(input)}`;
  if (origin === 'array') return `must list at most ${maximum} item${maximum === 1 ? '' : 's'}, found ${found(input)}`;
  return `must be ${inclusive ? 'at most' : 'less than'} ${maximum}, found ${found(input)}`;
}

function invalidUnion(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidUnion>): string {
  if (issue.discriminator !== undefined) {
    const input = issue.input as Record<string, unknown> | undefined;
    const value = input && typeof input === 'object' ? input[issue.discriminator] : undefined;
    const options = (issue as { options?: readonly unknown[] }).options ?? [];
    return `must be ${oneOf(options)}, found ${found(value)}`;
  }
  // Each branch's first type issue says what that branch wanted: "a text or a number".
  const wanted = new Set<string>();
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first?.code === 'invalid_type' && first.path.length === 0) wanted.add(expectedType(first.expected, undefined));
    else if (first?.code === 'invalid_value' && first.path.length === 0) wanted.add(oneOf(first.values));
  }
  return wanted.size > 0
    ? `must be ${[...wanted].join(' or ')}, found ${found(issue.input)}`
    : `matches none of the accepted forms, found ${found(issue.input)}`;
}
