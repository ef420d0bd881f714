/**
 * The local work folder of a PostgreSQL dataset (`<workDir>/<dataset>/`), where dumps are
 * written, and the free-space check made before any dump starts.
 */
import { rm, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { makeFolder } from '../make-folder.ts';
import { formatBytes } from '../plan/sizes.ts';
import type { PostgresDataset } from '../plan/schema.ts';

/**
 * Free space asked for a dump, as a multiple of `pg_database_size`. A directory-format dump
 * holds compressed table data only (no indexes, no dead rows, no free space), so in practice
 * it is well below the database size; 1.0 keeps a margin for incompressible bytea, whose hex
 * COPY text compresses back to about its raw size.
 */
export const DUMP_SPACE_FACTOR = 1.0;
/** Left free on top of the dump, so that the dump never fills the file system to the brim. */
const SPACE_RESERVE_BYTES = 256 * 1024 * 1024;

/** The dataset's own folder under its `workDir`. */
function datasetFolder(dataset: PostgresDataset): string {
  return join(resolve(dataset.workDir), dataset.name);
}

/** Free bytes for an unprivileged writer where `folder` is or would be created. */
async function freeBytes(folder: string): Promise<{ checked: string; free: number }> {
  let dir = resolve(folder);
  for (;;) {
    try {
      const fs = await statfs(dir);
      return { checked: dir, free: fs.bavail * fs.bsize };
    } catch (err) {
      const parent = dirname(dir);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw err;
      dir = parent; // the folder is created later: its nearest existing parent holds it
    }
  }
}

export interface SpaceCheck {
  ok: boolean;
  needed: number;
  free: number;
  /** A sentence naming the folder, the sizes and the fix, when not ok. */
  problem: string | undefined;
}

/** Checks that the dataset's work folder can hold a dump of a database of `databaseBytes`. */
export async function checkDumpSpace(
  dataset: PostgresDataset,
  databaseBytes: number,
  factor = DUMP_SPACE_FACTOR,
): Promise<SpaceCheck> {
  const folder = datasetFolder(dataset);
  const { checked, free } = await freeBytes(folder);
  const needed = Math.ceil(databaseBytes * factor) + SPACE_RESERVE_BYTES;
  if (free >= needed) return { ok: true, needed, free, problem: undefined };
  const where = checked === folder ? folder : `${folder} (file system of ${checked})`;
  return {
    ok: false,
    needed,
    free,
    problem:
      `not enough free space in ${where} for the dump of ${dataset.name}: ${formatBytes(needed)} needed ` +
      `(database size ${formatBytes(databaseBytes)} × ${factor} + ${formatBytes(SPACE_RESERVE_BYTES)} reserve), ${formatBytes(free)} free; ` +
      `fix: set workDir of dataset ${dataset.name} to a folder on a file system with at least ${formatBytes(needed)} free, or free ${formatBytes(needed - free)} there`,
  };
}

/**
 * A new, empty folder `<dataset folder>/<kind>`, after removing what an interrupted run left
 * in the dataset's folder: a re-run always starts from a fresh dump.
 */
export async function freshFolder(dataset: PostgresDataset, kind: string): Promise<string> {
  const root = datasetFolder(dataset);
  await rm(root, { recursive: true, force: true });
  // Dumps hold health data: only their owner may read them.
  const folder = join(root, kind);
  makeFolder(folder, { mode: 0o700 });
  return folder;
}

/** Removes the dataset's work folder and everything in it. */
export async function removeDatasetFolder(dataset: PostgresDataset): Promise<void> {
  await rm(datasetFolder(dataset), { recursive: true, force: true });
}
