/**
 * A folder and its missing parents, made one level at a time. Node's own
 * `mkdir(path, { recursive: true })` never returns where the kernel answers ENOENT for a
 * folder whose parent exists (`/proc/anything/x`, seen on Node 20 and 24): it makes the
 * parent again and retries, forever, at full CPU. A path from the user (`--log-file`,
 * `--evidence`, `--out`) must fail with its error instead, so every folder cloudexit makes
 * goes through here. Synchronous: a few `stat`s and `mkdir`s, done before the file they
 * hold is written, and callable from the code that opens the log.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Options of {@link makeFolder}. */
export interface MakeFolderOptions {
  /** Permissions of each folder made (existing ones are left as they are). @default 0o777 minus the umask */
  mode?: number;
}

/** What is at `dir`: a folder, something else, or nothing. */
function lookup(dir: string): 'folder' | 'other' | 'none' {
  try {
    return statSync(dir).isDirectory() ? 'folder' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
}

/** Makes `path` and its missing parents; an error of the file system is thrown as it comes. */
export function makeFolder(path: string, options: MakeFolderOptions = {}): void {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const what = lookup(dir);
    if (what === 'other' && missing.length === 0) {
      // As mkdir says it: the folder cannot be made where a file is.
      throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST', path: dir });
    }
    if (what !== 'none' || dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, options.mode === undefined ? {} : { mode: options.mode });
    } catch (err) {
      // Another process made it meanwhile: not an error.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
