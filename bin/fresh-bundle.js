// Whether dist/ (the bundle scripts/build.ts makes at `npm ci`) was built from the files
// as they are now. bin/cloudexit.js runs the bundle only then, and the sources otherwise:
// an edited source file is never shadowed by an older build, and a clone without a build
// (or an install without the bundler) still runs. Plain JavaScript: it runs before any
// TypeScript is loaded. The stamp lists every source file that went into the bundle with
// its size and modification time (what `make` compares), plus package.json and npm's
// record of node_modules, which every install rewrites; checking them costs ~300 stat calls.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written by scripts/build.ts next to the bundle. */
export const STAMP_FILE = 'dist/stamp.json';
/** The bundle's entry: src/cli/main.ts with everything it imports from src/ and the dependencies. */
export const BUNDLE_ENTRY = 'dist/main.js';
/** Files outside src/ whose change makes the bundle stale. */
export const STAMPED_EXTRAS = ['package.json', 'node_modules/.package-lock.json'];

/** `[path relative to root, size, mtimeMs]` of `file`, or undefined when it cannot be read. */
export function fileStamp(root, file) {
  try {
    const stat = statSync(join(root, file));
    return [file, stat.size, stat.mtimeMs];
  } catch {
    return undefined;
  }
}

/** The stamp of a file that is not there (an extra such as npm's record, under another package manager). */
export function absent(file) {
  return [file, -1, -1];
}

/**
 * `{ entry }` (absolute path of the bundle's entry) when the bundle matches every stamped
 * file, otherwise `{ stale }`: why not, in words, for `--verbose`.
 */
export function freshBundle(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8'));
  } catch {
    return { stale: `no bundle (${STAMP_FILE}); \`npm run build\` makes one` };
  }
  if (stamp?.format !== 1 || !Array.isArray(stamp.files))
    return { stale: `${STAMP_FILE} is not a stamp this version reads` };
  for (const [file, size, mtimeMs] of stamp.files) {
    const now = fileStamp(root, file) ?? absent(file);
    if (now[1] !== size || now[2] !== mtimeMs) return { stale: `${file} changed since the bundle was built` };
  }
  return { entry: join(root, BUNDLE_ENTRY) };
}
