/**
 * DESIGN.md "Layers": imports point down only, nothing but bin/ and the CLI imports the CLI,
 * the engine imports no adapter and no SDK, and no two folders of src/ import each other.
 * The layer of each folder is in the table at the top of ./layers.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkLayers, extractImports, type Rule, type Violation } from './layers.ts';

const root = join(import.meta.dirname, '..', '..');

/** Repository-relative POSIX paths under `dir` whose names match `pattern`. */
function sources(dir: string, pattern: RegExp, recursive = true): string[] {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { recursive, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && pattern.test(e.name) && !e.parentPath.split(sep).includes('node_modules'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
}

function readTree(): Map<string, string> {
  const paths = [
    ...sources('src', /\.ts$/),
    ...sources('bin', /\.(m|c)?js$/, false),
    ...sources('scripts', /\.(m|c)?[jt]s$/),
    ...sources('bench', /\.ts$/, false),
  ];
  return new Map(paths.map((p) => [p, readFileSync(join(root, p), 'utf8')]));
}

const rules = (violations: Violation[]): Rule[] => violations.map((v) => v.rule);

describe('layers of the real tree', () => {
  test('every import respects DESIGN.md "Layers"', () => {
    const files = readTree();
    expect(files.size).toBeGreaterThan(50); // the walk found the sources
    const violations = checkLayers(files);
    const report = violations.map((v) => `  [${v.rule}] ${v.message}`).join('\n');
    // The count, not the array: the failure then reads as one line per violation.
    expect(violations.length, `layering violations:\n${report}\n`).toBe(0);
  });
});

describe('the checker can fail', () => {
  test('reads static, type-only, re-exported, dynamic and require imports, not comments or strings', () => {
    const refs = extractImports(
      'src/app/x.ts',
      [
        `import { a } from './a.ts';`,
        `import type { B } from '../state/b.ts';`,
        `export { c } from './c.ts';`,
        `export * from './d.ts';`,
        `const e = await import('../engine/e.ts');`,
        `type F = typeof import('../plan/f.ts');`,
        `const g = require('pg');`,
        `// import { no } from '../cli/comment.ts';`,
        "const s = `import('../cli/in-a-string.ts')`;",
        `const dyn = await import(someName);`,
      ].join('\n'),
    );
    expect(refs.map((r) => [r.kind, r.specifier])).toEqual([
      ['import', './a.ts'],
      ['import type', '../state/b.ts'],
      ['export from', './c.ts'],
      ['export from', './d.ts'],
      ['import()', '../engine/e.ts'],
      ['import type', '../plan/f.ts'],
      ['require()', 'pg'],
      ['import()', ''],
    ]);
  });

  test('a clean tree passes', () => {
    const files = new Map([
      ['src/cli/main.ts', `import { run } from '../app/copy.ts';`],
      ['src/app/copy.ts', `import { copy } from '../engine/copy.ts'; import { createS3Store } from '../stores/s3.ts';`],
      [
        'src/engine/copy.ts',
        `import type { ObjectStore } from '../stores/object-store.ts'; import { UserError } from '../errors.ts';`,
      ],
      ['src/stores/object-store.ts', `export interface ObjectStore {}`],
      ['src/stores/s3.ts', `import { S3Client } from '@aws-sdk/client-s3';`],
      ['src/errors.ts', `export class UserError extends Error {}`],
      ['bin/cloudexit.js', `const { main } = await import('../src/cli/main.ts');`],
    ]);
    expect(checkLayers(files)).toEqual([]);
  });

  test('the engine importing a concrete adapter', () => {
    const violations = checkLayers(
      new Map([
        ['src/engine/x.ts', `import { createS3Store } from '../stores/s3.ts';`],
        ['src/stores/s3.ts', ``],
      ]),
    );
    expect(rules(violations)).toEqual(['engine-adapter']);
    expect(violations[0]!.message).toContain('src/engine/x.ts:1 imports src/stores/s3.ts');
    expect(violations[0]!.imported).toBe('src/stores/s3.ts');
  });

  test('the engine importing an SDK, even lazily', () => {
    const violations = checkLayers(
      new Map([
        ['src/engine/a.ts', `const { S3Client } = await import('@aws-sdk/client-s3');`],
        ['src/engine/b.ts', `import { request } from 'undici';`],
        ['src/engine/c.ts', `import type { BlobClient } from '@azure/storage-blob';`],
        ['src/engine/d.ts', `import pg from 'pg';`],
      ]),
    );
    expect(violations.map((v) => [v.rule, v.file, v.imported])).toEqual([
      ['engine-adapter', 'src/engine/a.ts', '@aws-sdk/client-s3'],
      ['engine-adapter', 'src/engine/b.ts', 'undici'],
      ['engine-adapter', 'src/engine/c.ts', '@azure/storage-blob'],
      ['engine-adapter', 'src/engine/d.ts', 'pg'],
    ]);
  });

  test('a lower layer importing a higher one', () => {
    const violations = checkLayers(
      new Map([
        ['src/state/sqlite.ts', `import { runCutover } from '../cutover/machine.ts';`],
        ['src/cutover/machine.ts', ``],
      ]),
    );
    expect(rules(violations)).toEqual(['layer']);
    expect(violations[0]!.message).toMatch(
      /^src\/state\/sqlite\.ts:1 imports src\/cutover\/machine\.ts .*layer 'state', below src\/cutover\/ in layer 'cutover'/,
    );
  });

  test('anything but bin/ and src/cli/ importing src/cli/', () => {
    const violations = checkLayers(
      new Map([
        ['src/cli/session.ts', ``],
        ['src/cli/main.ts', `import { openSession } from './session.ts';`], // allowed
        ['bin/cloudexit.js', `await import('../src/cli/main.ts');`], // allowed
        ['src/index.ts', `export { openSession } from './cli/session.ts';`], // same layer, still not allowed
        ['scripts/hooks/lib.mjs', `import { main } from '../../src/cli/main.ts';`],
        ['bench/copiers.ts', `const { main } = await import('../src/cli/main');`],
        ['src/app/rehearse.ts', `import { openSession } from '../cli/session.ts';`],
      ]),
    );
    expect(violations.map((v) => [v.rule, v.file])).toEqual([
      ['cli', 'bench/copiers.ts'],
      ['cli', 'scripts/hooks/lib.mjs'],
      ['cli', 'src/app/rehearse.ts'], // not also reported as a layer violation
      ['cli', 'src/index.ts'],
    ]);
  });

  test('two folders importing each other, even inside one layer', () => {
    const violations = checkLayers(
      new Map([
        ['src/plan/load.ts', `import { spec } from '../warehouse/spec.ts';`],
        ['src/warehouse/spec.ts', `import type { Plan } from '../plan/load.ts';`],
      ]),
    );
    expect(rules(violations)).toEqual(['folder-cycle']);
    expect(violations[0]!.message).toContain('src/plan/ → src/warehouse/ → src/plan/');
    expect(violations[0]!.message).toContain('src/plan/load.ts:1 imports src/warehouse/spec.ts');
    expect(violations[0]!.message).toContain('src/warehouse/spec.ts:1 imports src/plan/load.ts');
  });

  test('a three-folder loop inside one layer', () => {
    const violations = checkLayers(
      new Map([
        ['src/plan/a.ts', `import '../warehouse/b.ts';`],
        ['src/warehouse/b.ts', `import '../infra/c.ts';`],
        ['src/infra/c.ts', `import '../plan/a.ts';`],
      ]),
    );
    expect(rules(violations)).toEqual(['folder-cycle']);
    expect(violations[0]!.message).toContain('src/infra/ → src/plan/ → src/warehouse/ → src/infra/');
  });

  test('a cycle across layers is both a layer violation and a cycle', () => {
    const violations = checkLayers(
      new Map([
        ['src/audit/export.ts', `import { open } from '../state/sqlite.ts';`],
        ['src/state/sqlite.ts', `import { chain } from '../audit/chain.ts';`],
        ['src/audit/chain.ts', ``],
      ]),
    );
    expect(rules(violations).sort()).toEqual(['folder-cycle', 'layer']);
  });

  test('a folder missing from the layer table', () => {
    const violations = checkLayers(
      new Map([
        ['src/telemetry/metrics.ts', ``],
        ['src/engine/copy.ts', `import { count } from '../telemetry/metrics.ts';`],
        ['src/helpers.ts', ``],
      ]),
    );
    expect(violations.map((v) => [v.rule, v.file])).toEqual([
      ['unknown-folder', 'src/telemetry/metrics.ts'],
      ['unknown-folder', 'src/helpers.ts'],
    ]);
    expect(violations[0]!.message).toContain('src/telemetry/ (src/telemetry/metrics.ts) is not in the layer table');
    expect(violations[1]!.message).toContain('add it to SRC_LAYERS');
  });

  test('an import() whose target cannot be read', () => {
    const violations = checkLayers(new Map([['src/app/x.ts', `const m = await import(\`../\${name}.ts\`);`]]));
    expect(rules(violations)).toEqual(['unchecked-import']);
  });
});
