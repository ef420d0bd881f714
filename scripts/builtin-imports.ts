/**
 * Rewrites a bundle chunk's static imports of Node's built-in modules
 * (`import { Agent } from "node:http";`) as `process.getBuiltinModule` calls
 * (`const { Agent } = process.getBuiltinModule("node:http");`).
 *
 * Why: to import a built-in module as ESM, Node builds an ESM facade of it and reads every
 * one of its exports, lazy getters included. node:http's `WebSocket`, `CloseEvent` and
 * `MessageEvent` getters load Node's own copy of undici, fs's `ReadStream` loads its
 * streams: work a run pays although nothing it does uses them. `process.getBuiltinModule`
 * (Node 22.3+) returns the module's exports object as `require` would, with no facade.
 *
 * Safe because a built-in module is ready before any of ours runs and never imports back:
 * reading its exports where the import stood gives the values the import would have bound.
 * Only single-line default and named imports are rewritten, one line for one line, so the
 * chunk's source map stays right; anything else (namespace imports, re-exports) is left
 * as it is, which is still correct, only slower to load.
 */

const IMPORT = /^import (.+) from "(node:[a-z0-9_/]+)";$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `{ a, b as c }` → `{ a, b: c }`; undefined when the clause is not a plain list of names. */
function destructuring(named: string): string | undefined {
  const inner = /^\{(.*)\}$/.exec(named.trim())?.[1];
  if (inner === undefined) return undefined;
  const parts: string[] = [];
  for (const item of inner.split(',')) {
    const words = item.trim().split(/\s+/);
    if (words.length === 1 && IDENTIFIER.test(words[0]!)) parts.push(words[0]!);
    else if (words.length === 3 && words[1] === 'as' && IDENTIFIER.test(words[0]!) && IDENTIFIER.test(words[2]!))
      parts.push(`${words[0]}: ${words[2]}`);
    else if (!(words.length === 1 && words[0] === '')) return undefined;
  }
  return `{ ${parts.join(', ')} }`;
}

/** The rewritten line, or undefined to leave it as it is. */
export function builtinImportLine(line: string): string | undefined {
  const match = IMPORT.exec(line);
  if (!match) return undefined;
  const [, clause, specifier] = match as unknown as [string, string, string];
  const module = `process.getBuiltinModule(${JSON.stringify(specifier)})`;
  if (IDENTIFIER.test(clause)) return `const ${clause} = ${module};`;
  const comma = clause.indexOf(',');
  const defaultName = comma > 0 ? clause.slice(0, comma).trim() : '';
  if (IDENTIFIER.test(defaultName)) {
    const names = destructuring(clause.slice(comma + 1));
    return names && `const ${defaultName} = ${module}, ${names} = ${defaultName};`;
  }
  const names = destructuring(clause);
  return names && `const ${names} = ${module};`;
}

/** The chunk with each import of a built-in module it can rewrite rewritten, and how many were. */
export function rewriteBuiltinImports(code: string): { code: string; rewritten: number } {
  let rewritten = 0;
  const lines = code.split('\n').map((line) => {
    const out = builtinImportLine(line);
    if (out === undefined) return line;
    rewritten++;
    return out;
  });
  return { code: lines.join('\n'), rewritten };
}
