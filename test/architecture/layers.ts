/**
 * The layering rules of DESIGN.md ("Layers"), as a pure function over source texts so the
 * test can run it on the real tree and on small fixtures that prove it can fail.
 *
 * Imports are read with the TypeScript parser (not a regex): static imports, `import type`,
 * `export … from`, `import('…')` (also in type positions), `import x = require('…')` and
 * `require('…')`. Relative specifiers are resolved to files of the map; bare specifiers
 * (packages, `node:`) are kept as written.
 */
import { posix } from 'node:path';
import ts from 'typescript';

/**
 * Layers, top to bottom. A module may import a module of its own layer or of any layer
 * below it, never above; between two folders of one layer, only one way (the cycle rule).
 */
export const LAYER_ORDER = [
  'entry', // what users and other programs call: the CLI and the public API
  'app', // use cases and the session
  'embedded', // emulator servers for the rehearsal and the tests
  'report', // status and runbooks, read only
  'cutover', // phase state machine, gates, hooks, approvals
  'engine', // inventory, copy, verify, manifest, retry, budgets: knows no cloud
  'databases', // PostgreSQL datasets
  'model', // plan + window + projection; warehouse spec; Pulumi programs
  'state', // narrow state contracts, SQLite and PostgreSQL
  'audit', // hash chain, canonical JSON, export
  'synthetic', // synthetic warehouse data written through the store contract
  'stores', // ObjectStore contract, capabilities, adapters
  'leaf', // shared leaves that import nothing of ours but other leaves
] as const;

export type Layer = (typeof LAYER_ORDER)[number];

/**
 * THE table: every top-level folder (or file) of src/ and its layer. A folder that is not
 * here fails the test until someone decides where it belongs.
 */
export const SRC_LAYERS: Readonly<Record<string, Layer>> = {
  'index.ts': 'entry', // the public API: beside the CLI, re-exports app/ and contracts; nothing in src/ imports it
  cli: 'entry', // parses arguments, renders text/JSON/progress; only bin/ imports it
  app: 'app', // use cases (inventory, copy, verify, cutover, rehearse, worker…) and the session that wires adapters
  // Emulators (Azurite, s3rver, an embedded PostgreSQL) are test and rehearsal machinery:
  // directly under app/ so that only app/ (rehearse) and the entry points may start one, and
  // nothing the product runs in production (report, cutover, engine…) can. It may use
  // databases/ (to find the PostgreSQL binaries) and stores/.
  embedded: 'embedded',
  report: 'report', // status and runbooks from plan + state (read only)
  cutover: 'cutover', // phase state machine, gates, hooks, approvals
  engine: 'engine', // object datasets: inventory, copy, verify, manifest, retry, budgets — no cloud, no SDK
  databases: 'databases', // PostgreSQL datasets (dump/restore, logical replication, fingerprints)
  plan: 'model', // the migration plan, its window and projection
  warehouse: 'model', // the warehouse spec shared by the Pulumi programs and the plan
  infra: 'model', // Pulumi programs, parity, policy pack
  state: 'state', // narrow contracts by concern + SQLite + PostgreSQL
  audit: 'audit', // hash chain, canonical JSON, export
  // Synthetic warehouse data (objects and a SQL catalog) that app/'s rehearse seeds: it only
  // generates bytes and writes them through the ObjectStore contract (or a plain pg client), so
  // it sits just above stores/ — it must not know the engine, the state or which emulator
  // serves the data (app/ starts the emulators and passes connections in).
  rehearsal: 'synthetic',
  stores: 'stores', // ObjectStore contract, capabilities, Azure Blob and S3 adapters
  'errors.ts': 'leaf', // user errors with a fix, exit codes
  'clock.ts': 'leaf', // the clock, when it leaves plan/ (it is a leaf by DESIGN.md)
  'phase-record.ts': 'leaf', // a phase cutover's steps and states as data: cutover/ writes it, state/ stores it
  'optional-import.ts': 'leaf', // loads an optional peer dependency, or says how to install it
  'make-folder.ts': 'leaf', // a folder and its parents, one level at a time (Node's recursive mkdir can spin)
  'package-root.ts': 'leaf', // where package.json and bin/ are, from src/ or from the bundle in dist/
  'progress.ts': 'leaf', // the progress sink: every layer that works long reports through it, the CLI renders it
  secrets: 'leaf', // redaction of secrets in text
  yaml: 'leaf', // validated YAML loading
};

/** Only these may import src/cli/. */
const CLI_IMPORTERS = ['bin/', 'src/cli/'];

/** The files of src/stores/ the engine may import: contracts, no adapter. */
export const STORE_CONTRACTS: readonly string[] = [
  'src/stores/object-store.ts', // the ObjectStore interface and its records
  'src/stores/store-error.ts', // StoreError, retriable network codes
  'src/stores/etag.ts', // ETag rules (pure computation)
  'src/stores/properties.ts', // object properties shared by the adapters
  'src/stores/capabilities.ts', // the capabilities record
];

/** Packages the engine must not import (SDKs and the clients the adapters are built on). */
export const ENGINE_FORBIDDEN_PACKAGES: readonly RegExp[] = [
  /^@aws-sdk\//,
  /^@azure\//,
  /^@smithy\//,
  /^undici(\/|$)/,
  /^pg(\/|$)/,
  /^pg-/,
  /^@pulumi\//,
  /^@ovhcloud\//,
];

export type Rule = 'unknown-folder' | 'layer' | 'cli' | 'engine-adapter' | 'folder-cycle' | 'unchecked-import';

export interface Violation {
  rule: Rule;
  /** The importing file (for a cycle: the first file of the first edge). */
  file: string;
  /** The imported file or package, when there is one. */
  imported?: string;
  message: string;
}

export type ImportKind = 'import' | 'import type' | 'export from' | 'import()' | 'require()';

export interface ImportRef {
  specifier: string;
  kind: ImportKind;
  line: number;
}

/** Every module a source text imports, with the TypeScript parser. */
export function extractImports(fileName: string, source: string): ImportRef[] {
  const kind = /\.(m|c)?jsx?$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, kind);
  const found: ImportRef[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined, k: ImportKind) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    if (spec && (ts.isStringLiteral(spec) || ts.isNoSubstitutionTemplateLiteral(spec))) {
      found.push({ specifier: spec.text, kind: k, line });
    } else {
      // import(someVariable): we cannot tell where it points, so it cannot pass unnoticed.
      found.push({ specifier: '', kind: k, line });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(
        node,
        node.moduleSpecifier,
        node.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword ? 'import type' : 'import',
      );
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, node.moduleSpecifier, 'export from');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, 'require()');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], 'import()');
    } else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments.length === 1
    ) {
      const arg = node.arguments[0];
      // require(variable) is how createRequire is used for resolution helpers; only literals are imports.
      if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) add(node, arg, 'require()');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, 'import type');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The file a relative specifier names (as Node and tsc resolve it), or the specifier as written for a package. */
export function resolveSpecifier(importer: string, specifier: string, files: ReadonlyMap<string, unknown>): string {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return specifier;
  const base = posix.normalize(posix.join(posix.dirname(importer), specifier));
  const candidates = [
    base,
    base.replace(/\.(m|c)?js$/, '.ts'),
    `${base}.ts`,
    `${base}.js`,
    `${base}/index.ts`,
    `${base}/index.js`,
  ];
  return candidates.find((c) => files.has(c)) ?? base;
}

/** `cli` for src/cli/main.ts, `errors.ts` for src/errors.ts; undefined outside src/. */
export function srcUnit(file: string): string | undefined {
  const m = /^src\/([^/]+)/.exec(file);
  return m?.[1];
}

const rank = (layer: Layer): number => LAYER_ORDER.length - LAYER_ORDER.indexOf(layer);

const describeUnit = (unit: string): string => `src/${unit}${unit.includes('.') ? '' : '/'}`;

interface Edge {
  from: string;
  to: string;
  line: number;
  kind: ImportKind;
}

/**
 * Every layering rule broken by the given files (repository-relative POSIX paths → source).
 * Files under src/ get every rule; bin/, scripts/ and bench/ only the CLI rule.
 */
export function checkLayers(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  const unknown = new Map<string, string>(); // unit → first file seen in or importing it
  const noteUnit = (unit: string, file: string) => {
    if (!(unit in SRC_LAYERS) && !unknown.has(unit)) unknown.set(unit, file);
  };
  // unit → unit → first edge, for the cycle rule
  const graph = new Map<string, Map<string, Edge>>();

  for (const [file, source] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const fromUnit = srcUnit(file);
    if (fromUnit !== undefined) noteUnit(fromUnit, file);
    for (const ref of extractImports(file, source)) {
      const where = `${file}:${ref.line}`;
      if (ref.specifier === '') {
        violations.push({
          rule: 'unchecked-import',
          file,
          message: `${where} has an ${ref.kind} whose specifier is not a string literal: the layering test cannot see where it points — use a literal`,
        });
        continue;
      }
      const target = resolveSpecifier(file, ref.specifier, files);
      const toUnit = srcUnit(target);
      const how = `(${ref.kind} '${ref.specifier}')`;

      // Only bin/ and src/cli/ may import src/cli/ (said once: not also as a layer violation).
      const cliBroken = toUnit === 'cli' && !CLI_IMPORTERS.some((p) => file.startsWith(p));
      if (cliBroken) {
        violations.push({
          rule: 'cli',
          file,
          imported: target,
          message: `${where} imports ${target} ${how}: only bin/ and src/cli/ may import src/cli/ — move what it needs below the CLI (app/ or a leaf)`,
        });
      }
      if (fromUnit === undefined) continue; // bin/, scripts/, bench/: the CLI rule only

      // The engine knows no cloud: store contracts only, no SDK.
      if (fromUnit === 'engine') {
        if (toUnit === 'stores' && !STORE_CONTRACTS.includes(target)) {
          violations.push({
            rule: 'engine-adapter',
            file,
            imported: target,
            message: `${where} imports ${target} ${how}: the engine may import only the store contracts (${STORE_CONTRACTS.join(', ')}), never a concrete adapter — take an ObjectStore from the caller`,
          });
        } else if (toUnit === undefined && ENGINE_FORBIDDEN_PACKAGES.some((re) => re.test(ref.specifier))) {
          violations.push({
            rule: 'engine-adapter',
            file,
            imported: ref.specifier,
            message: `${where} imports the package ${ref.specifier} ${how}: the engine imports no SDK or client library — that belongs in an adapter under src/stores/ (or src/state/, src/databases/)`,
          });
        }
      }

      if (toUnit === undefined) continue; // a package, or outside src/
      noteUnit(toUnit, target);
      if (toUnit === fromUnit) continue;
      const fromLayer = SRC_LAYERS[fromUnit];
      const toLayer = SRC_LAYERS[toUnit];
      if (fromLayer === undefined || toLayer === undefined) continue; // reported as unknown-folder

      if (!cliBroken && rank(toLayer) > rank(fromLayer)) {
        violations.push({
          rule: 'layer',
          file,
          imported: target,
          message: `${where} imports ${target} ${how}: ${describeUnit(fromUnit)} is in layer '${fromLayer}', below ${describeUnit(toUnit)} in layer '${toLayer}' — imports point down only (DESIGN.md "Layers")`,
        });
      }
      let out = graph.get(fromUnit);
      if (!out) graph.set(fromUnit, (out = new Map()));
      if (!out.has(toUnit)) out.set(toUnit, { from: file, to: target, line: ref.line, kind: ref.kind });
    }
  }

  for (const [unit, file] of unknown) {
    violations.push({
      rule: 'unknown-folder',
      file,
      message: `${unit.includes('.') ? file : `${describeUnit(unit)} (${file})`} is not in the layer table: add it to SRC_LAYERS in test/architecture/layers.ts, in the layer it belongs to`,
    });
  }

  for (const cycle of folderCycles(graph)) {
    const edges = cycle.map((unit, i) => graph.get(unit)!.get(cycle[(i + 1) % cycle.length]!)!);
    const first = edges[0]!;
    violations.push({
      rule: 'folder-cycle',
      file: first.from,
      imported: first.to,
      message:
        `folders import each other: ${[...cycle, cycle[0]!].map(describeUnit).join(' → ')} — ` +
        edges.map((e) => `${e.from}:${e.line} imports ${e.to}`).join('; ') +
        ' — one of them must stop (move the shared piece down, or pass it in)',
    });
  }
  return violations;
}

/**
 * One shortest cycle per strongly connected component of the folder graph (Tarjan), so a
 * mutual import is one violation and a three-folder loop inside one layer is caught too.
 */
function folderCycles(graph: ReadonlyMap<string, ReadonlyMap<string, Edge>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])])].sort();
  const strong = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) strong(v);

  return components.map((component) => {
    const members = new Set(component);
    const start = component[0]!;
    // Breadth-first from start back to start, inside the component.
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
        if (!members.has(w)) continue;
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return path;
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    return component; // unreachable: a component of size > 1 has a cycle through start
  });
}
