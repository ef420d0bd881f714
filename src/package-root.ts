/**
 * Where cloudexit's own files are, found from this module's location upwards: the same
 * answer whether the code runs from `src/` or from the bundle in `dist/` (scripts/build.ts),
 * which sit at different depths. Code that needs package.json or bin/ asks here instead of
 * counting `../` from its own file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'cloudexit.js'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cloudexit's package.json not found above ${start}`);
  }
}

/** The folder holding cloudexit's package.json and bin/. */
export const PACKAGE_ROOT = findRoot();

/** The file npm links as the `cloudexit` command (worker processes are started with it). */
export const CLOUDEXIT_BIN = join(PACKAGE_ROOT, 'bin', 'cloudexit.js');

/**
 * The node flags cloudexit runs with: its shebang's, package.json's scripts' and worker
 * processes'. Why each: the comment at the top of bin/cloudexit.js.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--liftoff-only'];

interface Manifest {
  version: string;
  peerDependencies?: Record<string, string>;
}

let manifest: Manifest | undefined;

/** cloudexit's package.json, read once. */
export function packageManifest(): Manifest {
  manifest ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as Manifest;
  return manifest;
}
