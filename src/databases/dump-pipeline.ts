/**
 * pg_dump → local folder → pg_restore, the way OVHcloud documents moving into its managed
 * PostgreSQL. The directory format is what lets both sides run in parallel: `pg_dump -j`
 * writes one file per table, and `pg_restore -j` needs a seekable archive (it cannot read
 * a pipe). Ownership and privileges are not carried (`--no-owner --no-privileges`): the
 * target user owns what it restores, and the plan's grants are applied afterwards.
 *
 * Re-runs converge: `--clean --if-exists` drops each dumped object before creating it again
 * (a no-op on the first run), except the schemas themselves, which are left out of the
 * restore list. `DROP SCHEMA public` would fail as soon as the target's schema holds
 * anything else, needs ownership of the schema, and would lose the target's own settings
 * of it (owner, USAGE for other roles); cloudexit creates missing schemas instead.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MethodContext } from './contract.ts';
import { libpqEnvironment } from './connection.ts';
import { quoteIdent, withClient } from './sql.ts';
import { runTool } from './run-tool.ts';

/** A pg_dump name pattern matching exactly `name` (inside double quotes nothing is a wildcard). */
function exactPattern(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** pg_dump arguments selecting the dataset: its listed tables or its schemas (all must exist), minus its exclusions. */
function selectionArgs(ctx: MethodContext): string[] {
  const args = ['--strict-names'];
  const qualified = (table: string) => {
    const dot = table.indexOf('.');
    return `${exactPattern(table.slice(0, dot))}.${exactPattern(table.slice(dot + 1))}`;
  };
  // pg_dump ignores --schema once a --table is given: a table list selects on its own.
  if (ctx.dataset.tables) for (const table of ctx.dataset.tables) args.push(`--table=${qualified(table)}`);
  else for (const schema of ctx.dataset.schemas) args.push(`--schema=${exactPattern(schema)}`);
  for (const table of ctx.dataset.excludeTables) args.push(`--exclude-table=${qualified(table)}`);
  return args;
}

/** A libpq connection string naming only the database (host, user and password stay in the environment). */
function dbnameArg(database: string): string {
  return `--dbname=dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Creates the dataset's schemas that the target lacks (the restore list leaves schemas out). */
async function ensureTargetSchemas(ctx: MethodContext): Promise<void> {
  await withClient(ctx.target, 'creating schemas', async (client) => {
    const { rows } = await client.query<{ nspname: string }>(
      'SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])',
      [ctx.dataset.schemas],
    );
    const present = new Set(rows.map((r) => r.nspname));
    for (const schema of ctx.dataset.schemas)
      if (!present.has(schema)) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  });
}

/** Writes the archive's table of contents without the schema entries, for `pg_restore -L`. */
async function restoreList(ctx: MethodContext, archive: string, listFile: string): Promise<void> {
  const raw = `${listFile}.raw`;
  await runTool(ctx.bindir, 'pg_restore', ['--list', `--file=${raw}`, archive], {}, { signal: ctx.signal });
  const lines = (await readFile(raw, 'utf8')).split('\n');
  // `4; 2615 2200 SCHEMA - public owner` and `5; 0 0 COMMENT - SCHEMA public owner`
  const kept = lines.map((line) => (/^\d+; \d+ \d+ (SCHEMA|COMMENT - SCHEMA) /.test(line) ? `;${line}` : line));
  await writeFile(listFile, kept.join('\n'));
}

/** Total size of the files in a folder (a directory-format dump has no subfolders). */
async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(folder)) total += (await stat(join(folder, name))).size;
  return total;
}

export interface DumpRestoreRun {
  dumpSeconds: number;
  restoreSeconds: number;
  dumpBytes: number;
  /** The end of each tool's stderr (redacted), when it printed anything. */
  stderr: Record<string, string>;
}

/**
 * Dumps the dataset's objects from the source into `folder` (an empty folder) and
 * restores them into the target. `schemaOnly` moves the definitions without rows, for
 * logical replication, which copies rows but not DDL.
 */
export async function dumpAndRestore(
  ctx: MethodContext,
  folder: string,
  options: { schemaOnly?: boolean } = {},
): Promise<DumpRestoreRun> {
  const jobs = String(ctx.dataset.jobs);
  const archive = join(folder, 'archive');
  const common = ['--no-owner', '--no-privileges'];
  const dumpArgs = options.schemaOnly
    ? ['--format=custom', '--schema-only', ...common, ...selectionArgs(ctx), `--file=${archive}`]
    : ['--format=directory', `--jobs=${jobs}`, ...common, ...selectionArgs(ctx), `--file=${archive}`];
  const dump = await runTool(ctx.bindir, 'pg_dump', dumpArgs, libpqEnvironment(ctx.source), { signal: ctx.signal });
  const dumpBytes = options.schemaOnly ? (await stat(archive)).size : await folderBytes(archive);

  const listFile = join(folder, 'restore.list');
  await restoreList(ctx, archive, listFile);
  await ensureTargetSchemas(ctx);
  const restoreArgs = [
    ...(options.schemaOnly ? [] : [`--jobs=${jobs}`]),
    ...common,
    '--clean',
    '--if-exists',
    '--exit-on-error',
    `--use-list=${listFile}`,
    dbnameArg(ctx.target.endpoint.database),
    archive,
  ];
  const restore = await runTool(ctx.bindir, 'pg_restore', restoreArgs, libpqEnvironment(ctx.target), {
    signal: ctx.signal,
  });
  const stderr: Record<string, string> = {};
  if (dump.stderr) stderr['pg_dump'] = dump.stderr;
  if (restore.stderr) stderr['pg_restore'] = restore.stderr;
  return { dumpSeconds: dump.seconds, restoreSeconds: restore.seconds, dumpBytes, stderr };
}
