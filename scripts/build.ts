/**
 * `npm run build` (also run by `npm ci` through `prepare`): bundles the command line —
 * src/cli/main.ts, everything it imports from src/ and the runtime dependencies — into
 * dist/, with a stamp of the files it was made from (bin/fresh-bundle.js).
 *
 * Why: every run of `cloudexit` loaded ~1,100 modules one by one (the cloud SDKs are made
 * of hundreds of small files), each resolved, stat'ed, read and instantiated; a copy spent
 * 0.5–0.7 CPU-s on that before its first request. bin/cloudexit.js runs the bundle when the
 * stamp matches and the sources otherwise, so the bundle is only ever a faster way to run
 * the same files. The emulators, Pulumi and anything else outside `dependencies` stay
 * outside the bundle and load from node_modules when a command asks for them.
 *
 * Without the bundler (an install that left out devDependencies) this says so and exits 0:
 * cloudexit then runs from its sources, as it always could.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { absent, fileStamp, STAMP_FILE, STAMPED_EXTRAS } from '../bin/fresh-bundle.js';
import { rewriteBuiltinImports } from './builtin-imports.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const log = (line: string) => process.stderr.write(`build: ${line}\n`);

let rolldown: typeof import('rolldown').rolldown;
try {
  ({ rolldown } = await import('rolldown'));
} catch {
  log('rolldown is not installed (a production install?): cloudexit will run from its sources');
  process.exit(0);
}

const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
/** Packages only some commands load, and only where installed (optional-import.ts): never bundled. */
const optional = new Set([
  ...Object.keys(manifest.peerDependencies ?? {}),
  ...Object.keys(manifest.devDependencies ?? {}),
]);
/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (id: string) => id.split('/', id.startsWith('@') ? 2 : 1).join('/');

const started = performance.now();
const build = await rolldown({
  input: { main: join(ROOT, 'src/cli/main.ts') },
  platform: 'node',
  // The dependencies and theirs are bundled; optional peers (emulators, Pulumi) and dev
  // tools stay imports resolved from node_modules when a command loads them.
  external: (id) => !id.startsWith('.') && !isAbsolute(id) && optional.has(packageOf(id)),
  logLevel: 'warn',
  // Built-in modules through process.getBuiltinModule, not their ESM facades (builtin-imports.ts).
  plugins: [
    { name: 'builtin-imports', renderChunk: (code) => ({ code: rewriteBuiltinImports(code).code, map: null }) },
  ],
});
await rm(DIST, { recursive: true, force: true });
await mkdir(DIST, { recursive: true });
const output = await build.write({
  dir: DIST,
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  // Stack traces of internal errors point at the sources under --verbose (bin/cloudexit.js).
  sourcemap: true,
});
await build.close();

const sources = new Set<string>();
for (const item of output.output) {
  if (item.type !== 'chunk') continue;
  for (const id of item.moduleIds) {
    if (!isAbsolute(id) || id.includes('/node_modules/')) continue;
    sources.add(relative(ROOT, id));
  }
}
const files = [
  ...[...sources].sort().map((file) => {
    const stamp = fileStamp(ROOT, file);
    if (!stamp) throw new Error(`cannot stamp ${file}: it went into the bundle but is not there`);
    return stamp;
  }),
  // npm's record of node_modules may be missing (another package manager): stamped as absent.
  ...STAMPED_EXTRAS.map((file) => fileStamp(ROOT, file) ?? absent(file)),
];
await writeFile(join(ROOT, STAMP_FILE), `${JSON.stringify({ format: 1, files })}\n`);
const chunks = output.output.filter((o) => o.type === 'chunk').length;
log(
  `dist/ built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${chunks} files from ${sources.size} sources (stamp ${STAMP_FILE})`,
);
