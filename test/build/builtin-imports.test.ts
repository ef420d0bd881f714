/**
 * scripts/builtin-imports.ts: the bundle's imports of Node's built-in modules become
 * process.getBuiltinModule calls that bind the same values, line for line; what it cannot
 * rewrite safely it leaves alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinImportLine, rewriteBuiltinImports } from '../../scripts/builtin-imports.ts';
import { PACKAGE_ROOT } from '../../src/package-root.ts';

const dir = mkdtempSync(join(tmpdir(), 'cloudexit-builtins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('builtinImportLine', () => {
  it.each([
    ['import fs from "node:fs";', 'const fs = process.getBuiltinModule("node:fs");'],
    [
      'import { Agent, request as request$1 } from "node:http";',
      'const { Agent, request: request$1 } = process.getBuiltinModule("node:http");',
    ],
    [
      'import Stream, { Readable } from "node:stream";',
      'const Stream = process.getBuiltinModule("node:stream"), { Readable } = Stream;',
    ],
    [
      'import { pipeline } from "node:stream/promises";',
      'const { pipeline } = process.getBuiltinModule("node:stream/promises");',
    ],
  ])('%s', (line, expected) => {
    expect(builtinImportLine(line)).toBe(expected);
  });

  it.each([
    'import * as zlib$1 from "node:zlib";', // a namespace object is not the exports object
    'export { Agent } from "node:http";',
    'import { a } from "./chunk-abc.js";',
    'import {',
    'import { x as } from "node:fs";',
    'import "node:fs";',
  ])('leaves %s alone', (line) => {
    expect(builtinImportLine(line)).toBeUndefined();
  });
});

describe('rewriteBuiltinImports', () => {
  it('keeps every line where it was (the source map stays right) and counts what it rewrote', () => {
    const code = ['import fs from "node:fs";', 'import { a } from "./a.js";', '', 'console.log(fs, a);'].join('\n');
    const out = rewriteBuiltinImports(code);
    expect(out.rewritten).toBe(1);
    expect(out.code.split('\n')).toHaveLength(4);
    expect(out.code.split('\n').slice(1)).toEqual(code.split('\n').slice(1));
  });

  it('binds the values the imports bound, and Node does not load its own undici for node:http', () => {
    const imports = [
      'import http, { Agent, request as get } from "node:http";',
      'import { createHash } from "node:crypto";',
      'import fs from "node:fs";',
    ].join('\n');
    const check = (file: string) =>
      [
        `globalThis.seen = { http, Agent, get, createHash, fs };`,
        `const undici = process.moduleLoadList.some((m) => m.includes('deps/undici'));`,
        `process.stdout.write(JSON.stringify({ undici }));`,
        `export {};`,
        `// ${file}`,
      ].join('\n');
    const compare = join(dir, 'compare.mjs');
    writeFileSync(join(dir, 'esm.mjs'), `${imports}\n${check('esm')}`);
    writeFileSync(join(dir, 'rewritten.mjs'), `${rewriteBuiltinImports(imports).code}\n${check('rewritten')}`);
    writeFileSync(
      compare,
      [
        `import http from 'node:http'; import crypto from 'node:crypto'; import fs from 'node:fs';`,
        `await import(process.argv[2]);`,
        `const s = globalThis.seen;`,
        `const same = s.http === http && s.Agent === http.Agent && s.get === http.request && s.createHash === crypto.createHash && s.fs === fs;`,
        `process.stdout.write(' ' + JSON.stringify({ same }));`,
      ].join('\n'),
    );
    const run = (file: string) => {
      // The module alone first (what it loads), then beside the ESM imports (what it binds).
      const alone = spawnSync(process.execPath, [join(dir, file)], { encoding: 'utf8' });
      const beside = spawnSync(process.execPath, [compare, join(dir, file)], { encoding: 'utf8' });
      return { alone: alone.stdout + alone.stderr, same: beside.stdout.split(' ').at(-1) + beside.stderr };
    };
    expect(run('esm.mjs')).toEqual({ alone: '{"undici":true}', same: '{"same":true}' });
    expect(run('rewritten.mjs')).toEqual({ alone: '{"undici":false}', same: '{"same":true}' });
  });
});

describe('the bundle npm test built', () => {
  it('has no import of a built-in module left that the build could rewrite', () => {
    const dist = join(PACKAGE_ROOT, 'dist');
    const chunks = readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(10);
    const left = chunks.filter((f) => rewriteBuiltinImports(readFileSync(join(dist, f), 'utf8')).rewritten > 0);
    expect(left).toEqual([]);
    const all = chunks.map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
    expect(all).toContain('= process.getBuiltinModule("node:http")');
  });
});
