#!/usr/bin/env -S node --max-semi-space-size=4 --liftoff-only
// Entry point for `npx cloudexit` and `npm run cloudexit`. The sources are TypeScript run
// directly by Node 24 (type stripping); older Node versions cannot load them, so say so plainly.
//
// The node flags (the same in package.json's scripts and for worker processes:
// src/package-root.ts NODE_FLAGS; V8 reads them when the process starts, so they must be
// node flags: here in the shebang, through `env -S`, which GNU coreutils 8.30+ and macOS
// support and npm's Windows shims read):
// --max-semi-space-size=4 (MiB): by default V8 sizes the young generation from the
//   machine's memory, and during a copy it grows to ~200 MiB of reserved heap, mostly
//   garbage from short-lived response objects. With 4 MiB semi-spaces the peak RSS of a
//   1,000-small-object copy went from ~285 to ~175 MiB at the same CPU (measured with the
//   bench: 1 MiB cost CPU, 16 MiB took RSS back up to ~195, 2 to 8 were alike).
// --liftoff-only: undici parses HTTP with llhttp, a WebAssembly module whose parser is one
//   33 KB function. V8 soon judges it hot and recompiles it with its optimising compiler:
//   140 ms of CPU and ~40 MB of compiler memory on a background thread, in every process
//   (traced with --trace-wasm-compilation-times), even a copy of one object; a larger
//   tiering budget only delays it. Kept on the baseline compiler, a response takes 0.9 µs
//   to parse instead of 0.7 (measured on an S3 PUT answer): a copy of one object went from
//   0.68 to 0.58 CPU-s and 110 to 100 MiB peak RSS (median of 12 paired runs), and 1,000
//   objects from 2.04 to 1.95 CPU-s.
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { freshBundle } from './fresh-bundle.js';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `cloudexit needs Node.js 24 or later (this is ${process.version}).\n` +
      '  fix: run it through npm, which uses the Node 24 pinned in node_modules: `npx cloudexit …` or `npm run cloudexit -- …`\n',
  );
  process.exit(2);
}
// Every run loads the CLI and both cloud SDKs: caching their compiled code (the
// TypeScript after type stripping too) took `--help` from ~0.5 to ~0.2 s of CPU and a
// copy run ~0.3 s of CPU and ~12 MiB of RSS lower, once the first run has filled it. It
// lives with the installed package (node_modules/.cache), never in the repository. Node
// checks each entry against the source and its own version and flags, and quietly runs
// without a cache when the folder cannot be written.
module.enableCompileCache(fileURLToPath(new URL('../node_modules/.cache/cloudexit', import.meta.url)));
// The bundle (dist/, made by `npm ci`) when it was built from the sources as they are now,
// the sources otherwise: the same code, without loading ~1,100 modules one by one
// (bin/fresh-bundle.js, scripts/build.ts). CLOUDEXIT_FROM_SOURCE=1 insists on the sources.
const root = fileURLToPath(new URL('..', import.meta.url));
const verbose = process.argv.includes('--verbose');
const bundle = process.env.CLOUDEXIT_FROM_SOURCE === '1' ? { stale: 'CLOUDEXIT_FROM_SOURCE=1' } : freshBundle(root);
if (bundle.entry && verbose) process.setSourceMapsEnabled(true); // stacks that name src/ files
if (bundle.stale && verbose) process.stderr.write(`note: running from the sources: ${bundle.stale}\n`);
// Literal specifiers (the layering test follows them); '../dist/main.js' is BUNDLE_ENTRY.
const { main, exitQuietlyOnClosedPipe } = /** @type {typeof import('../src/cli/main.ts')} */ (
  bundle.entry ? await import('../dist/main.js') : await import('../src/cli/main.ts')
);
exitQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
