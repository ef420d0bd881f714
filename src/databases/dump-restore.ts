/**
 * Method `dump-restore` (the default): parallel `pg_dump -Fd` of the dataset into a local
 * work folder, parallel `pg_restore` into the target, the plan's grants, ANALYZE. The final
 * sync is the same copy again, run while the source is frozen; there is no lag to report.
 */
import { formatBytes } from '../plan/sizes.ts';
import { redact } from '../secrets/redact.ts';
import type { BulkCopyResult, DatabaseMethod, MethodContext, Preflight } from './contract.ts';
import { dumpAndRestore } from './dump-pipeline.ts';
import { listTables, tablesWithoutPrimaryKey } from './catalog.ts';
import { analyzeTables, applyGrants, databaseSize, missingSchemas, serverMajor } from './moved-objects.ts';
import { withClient } from './sql.ts';
import { toolMajor } from './run-tool.ts';
import { checkDumpSpace, DUMP_SPACE_FACTOR, freshFolder, removeDatasetFolder } from './work-dir.ts';

export interface DumpRestoreOptions {
  /** Free space asked for, as a multiple of the source database size. @default DUMP_SPACE_FACTOR */
  spaceFactor?: number;
}

const message = (err: unknown) => redact(err instanceof Error ? err.message : String(err));

/**
 * Checks shared by both methods: client tools at least as new as the source server (pg_dump
 * refuses older-major clients and cannot dump into an older server), both databases
 * reachable, the dataset's schemas present on the source. Returns the source facts it read.
 */
export async function commonPreflight(
  ctx: MethodContext,
  problems: string[],
): Promise<{ databaseBytes: number; tablesWithoutPrimaryKey: string[] } | undefined> {
  const [dumpMajor, restoreMajor] = await Promise.all([
    toolMajor(ctx.bindir, 'pg_dump'),
    toolMajor(ctx.bindir, 'pg_restore'),
  ]);
  if (dumpMajor === undefined || restoreMajor === undefined) {
    problems.push(
      `pg_dump and pg_restore must be installed in ${ctx.bindir}; fix: install the PostgreSQL client tools (Debian: apt-get install -y postgresql-client)`,
    );
  }
  let facts: { databaseBytes: number; tablesWithoutPrimaryKey: string[] } | undefined;
  let sourceMajor: number | undefined;
  try {
    facts = await withClient(ctx.source, 'preflight', async (client) => {
      sourceMajor = await serverMajor(client);
      const missing = await missingSchemas(client, ctx.dataset);
      if (missing.length > 0)
        problems.push(
          `the source database ${ctx.source.label} has no schema ${missing.join(', ')}; fix: correct schemas of dataset ${ctx.dataset.name}`,
        );
      const tables = await listTables(client, ctx.dataset);
      if (tables.length === 0 && missing.length === 0)
        problems.push(`dataset ${ctx.dataset.name} moves no table: its schemas are empty or every table is excluded`);
      return { databaseBytes: await databaseSize(client), tablesWithoutPrimaryKey: tablesWithoutPrimaryKey(tables) };
    });
  } catch (err) {
    problems.push(`cannot reach the source: ${message(err)}`);
  }
  try {
    const targetMajor = await withClient(ctx.target, 'preflight', serverMajor);
    if (sourceMajor !== undefined && targetMajor < sourceMajor) {
      problems.push(
        `the target runs PostgreSQL ${targetMajor}, older than the source's ${sourceMajor}: a dump does not restore into an older major version; fix: create the target with PostgreSQL ${sourceMajor} or later`,
      );
    }
  } catch (err) {
    problems.push(`cannot reach the target: ${message(err)}`);
  }
  if (sourceMajor !== undefined && dumpMajor !== undefined && dumpMajor < sourceMajor) {
    problems.push(
      `pg_dump ${dumpMajor} (in ${ctx.bindir}) is older than the source server (PostgreSQL ${sourceMajor}) and cannot dump it; fix: install the PostgreSQL ${sourceMajor} client tools or later`,
    );
  }
  return facts;
}

export function createDumpRestore(ctx: MethodContext, options: DumpRestoreOptions = {}): DatabaseMethod {
  const { dataset } = ctx;
  const factor = options.spaceFactor ?? DUMP_SPACE_FACTOR;

  async function copy(stage: 'bulk copy' | 'final sync'): Promise<BulkCopyResult> {
    const started = performance.now();
    const { tables, databaseBytes } = await withClient(ctx.source, 'listing the tables', async (client) => ({
      tables: await listTables(client, dataset),
      databaseBytes: await databaseSize(client),
    }));
    if (tables.length === 0)
      throw new Error(`dataset ${dataset.name} moves no table: its schemas are empty or every table is excluded`);
    const bytes = tables.reduce((sum, t) => sum + t.bytes, 0);
    // A fresh folder first: a dump left by an interrupted run must not count against the check.
    const folder = await freshFolder(dataset, 'dump');
    try {
      const space = await checkDumpSpace(dataset, databaseBytes, factor);
      if (!space.ok) throw new Error(space.problem);
      ctx.progress.note(
        `${dataset.name}: ${stage}, pg_dump of ${tables.length} tables (${formatBytes(bytes)}) with ${dataset.jobs} jobs, then pg_restore`,
      );
      const run = await dumpAndRestore(ctx, folder);
      const grants = await withClient(ctx.target, 'grants and ANALYZE', async (client) => {
        const applied = await applyGrants(client, dataset);
        await analyzeTables(client, tables);
        return applied;
      });
      return {
        tables: tables.length,
        bytes,
        seconds: (performance.now() - started) / 1000,
        details: {
          method: 'dump-restore',
          stage,
          jobs: dataset.jobs,
          databaseBytes,
          dumpBytes: run.dumpBytes,
          dumpSeconds: run.dumpSeconds,
          restoreSeconds: run.restoreSeconds,
          grants: grants.length,
          ...(Object.keys(run.stderr).length > 0 ? { stderr: run.stderr } : {}),
        },
      };
    } finally {
      // Dumps hold health data: none is left behind, whatever happened (a re-run dumps again).
      await removeDatasetFolder(dataset);
    }
  }

  return {
    name: 'dump-restore',
    async preflight(): Promise<Preflight> {
      const problems: string[] = [];
      const facts = await commonPreflight(ctx, problems);
      if (facts) {
        const space = await checkDumpSpace(dataset, facts.databaseBytes, factor);
        if (space.problem) problems.push(space.problem);
      }
      return { ok: problems.length === 0, problems, tablesWithoutPrimaryKey: facts?.tablesWithoutPrimaryKey ?? [] };
    },
    bulkCopy: () => copy('bulk copy'),
    lag: async () => undefined,
    finalSync: () => copy('final sync'),
    finish: () => removeDatasetFolder(dataset),
  };
}
