/**
 * Where this machine's PostgreSQL programs live: the dump and restore methods need pg_dump
 * and pg_restore for real work, the embedded clusters need initdb and pg_ctl.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folder holding initdb, pg_ctl, pg_dump and pg_restore, or undefined when PostgreSQL is not installed. */
export function findPostgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  }
  for (const dir of (process.env['PATH'] ?? '').split(':'))
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_dump'))) return dir;
  return undefined;
}

/** What to tell someone whose machine has no PostgreSQL. */
export const INSTALL_HINT = 'install PostgreSQL (Debian: `apt-get install -y postgresql`), then run again';
