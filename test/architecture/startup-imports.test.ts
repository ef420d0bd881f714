/**
 * What every run of `cloudexit` evaluates before it knows its command: src/cli/main.ts and
 * everything it imports statically. Each command loads its use case with `import()` when it
 * runs (and with it the plan's schemas and YAML), and packages only some runs need (the
 * PostgreSQL client for a PostgreSQL state, pino for `--log-file`, cli-progress for a live
 * bar) are loaded where they are used; one static import anywhere on the way back would put
 * them into the start of every run (`--help` included) without any test noticing. The same
 * for the copy command on a SQLite state: it must not evaluate the PostgreSQL client; and for
 * the S3 adapter, whose data path does without the AWS SDK client (loaded by the first
 * listing, multipart or tagging call).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { extractImports, resolveSpecifier } from './layers.ts';

const root = join(import.meta.dirname, '..', '..');

function readSources(): Map<string, string> {
  const entries = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
  return new Map(paths.map((p) => [p, readFileSync(join(root, p), 'utf8')]));
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string) => specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * Every package `entry` evaluates through static imports, with the chain of files that
 * reaches it first (breadth first: the shortest). `import type` and `import()` are not
 * followed; `import { type X }` is, as Node keeps it (verbatimModuleSyntax).
 */
function staticPackages(files: ReadonlyMap<string, string>, entry: string): Map<string, string[]> {
  const from = new Map<string, string | undefined>([[entry, undefined]]);
  const packages = new Map<string, string[]>();
  const chain = (file: string) => {
    const path: string[] = [];
    for (let f: string | undefined = file; f !== undefined; f = from.get(f)) path.unshift(f);
    return path;
  };
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const ref of extractImports(file, files.get(file) ?? '')) {
      if (ref.kind !== 'import' && ref.kind !== 'export from') continue;
      const target = resolveSpecifier(file, ref.specifier, files);
      if (!target.startsWith('.') && !target.startsWith('src/')) {
        const name = packageOf(target);
        if (!packages.has(name)) packages.set(name, chain(file));
      } else if (!from.has(target) && files.has(target)) {
        from.set(target, file);
        queue.push(target);
      }
    }
  }
  return packages;
}

/** The packages of `forbidden` that `entry` evaluates, each with the files that pull it in. */
function pulledIn(entry: string, forbidden: readonly string[]): string[] {
  const packages = staticPackages(readSources(), entry);
  return forbidden.filter((p) => packages.has(p)).map((p) => `${p}: ${packages.get(p)!.join(' → ')}`);
}

describe('startup of the real tree', () => {
  test('a bare start (--help, --version) evaluates no use case: neither zod, yaml, pg, pino nor cli-progress', () => {
    expect(pulledIn('src/cli/main.ts', ['zod', 'yaml', 'pg', 'pino', 'cli-progress'])).toEqual([]);
  });

  test('a copy on a SQLite state, without --log-file or a bar, evaluates none of them either', () => {
    expect(pulledIn('src/app/copy.ts', ['pg', 'pino', 'cli-progress'])).toEqual([]);
  });

  test('the S3 adapter loads the AWS SDK client on its first control-plane call, not with the data path', () => {
    expect(pulledIn('src/stores/s3.ts', ['@aws-sdk/client-s3'])).toEqual([]);
  });
});

describe('the walk can fail', () => {
  const files = new Map([
    ['src/cli/main.ts', `import { a } from './a.ts';\nimport type { T } from 'typed-only';\n`],
    ['src/cli/a.ts', `import { b } from '../state/b.ts';\nconst l = await import('lazy');\n`],
    ['src/state/b.ts', `import pg from 'pg';\nexport { x } from 'zod/v4';\n`],
  ]);

  test('follows static imports and re-exports to packages, with the chain', () => {
    const packages = staticPackages(files, 'src/cli/main.ts');
    expect(packages.get('pg')).toEqual(['src/cli/main.ts', 'src/cli/a.ts', 'src/state/b.ts']);
    expect(packages.has('zod')).toBe(true);
  });

  test('does not follow import type or import()', () => {
    const packages = staticPackages(files, 'src/cli/main.ts');
    expect(packages.has('typed-only')).toBe(false);
    expect(packages.has('lazy')).toBe(false);
  });
});
