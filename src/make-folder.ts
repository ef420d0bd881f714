/**
 * A folder and its missing parents, made one level at a time. Node's own
 * `mkdir(path, { recursive: true })` never returns where the kernel answers ENOENT for a
 * folder whose parent exists (`/proc/anything/x`, seen on Node 20 and 24): it makes the
 * parent again and retries, forever, at full CPU. A path from the user (`--log-file`,
 * `--evidence`, `--out`) must fail with its error instead, so every folder cloudexit makes
 * goes through here. Synchronous: a few `stat`s and `mkdir`s, done before the file they
 * hold is written, and callable from the code that opens the log. A failure half-way
 * removes the folders already made: nothing is left of a path that could not be made.
 */
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
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

/**
 * Makes `path` and its missing parents, and returns the folders it made, outermost first
 * (for a caller that undoes them). An error of the file system is thrown as it comes, with
 * the `path` it was about.
 */
export function makeFolder(path: string, options: MakeFolderOptions = {}): string[] {
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
  const made: string[] = [];
  for (const dir of missing) {
    try {
      mkdirSync(dir, options.mode === undefined ? {} : { mode: options.mode });
      made.push(dir);
    } catch (err) {
      // Another process made it meanwhile: not an error.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && lookup(dir) === 'folder') continue;
      removeFolders(made);
      throw err;
    }
  }
  return made;
}

/** Removes folders made by {@link makeFolder}, innermost first; one that is not empty any more stays. */
export function removeFolders(made: readonly string[]): void {
  for (const dir of [...made].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty (someone wrote there meanwhile) or gone: left as it is.
    }
  }
}
