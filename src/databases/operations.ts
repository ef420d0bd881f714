/**
 * PostgreSQL datasets as the commands and the cutover see them: one handle per dataset
 * that copies, verifies, freezes and finishes, recording each outcome in the state store
 * (one `DatabaseRecord` per dataset) the way object datasets record their objects.
 */
import { join } from 'node:path';
import type { ProgressSink } from '../progress.ts';
import type { PostgresDataset } from '../plan/schema.ts';
import { redact } from '../secrets/redact.ts';
import type { DatabaseRecord, DatabaseStore } from '../state/contracts/databases.ts';
import { readCatalog, tablesWithoutPrimaryKey } from './catalog.ts';
import { findPostgresBinaries, INSTALL_HINT } from './binaries.ts';
import { resolveConnection, type PgConnection } from './connection.ts';
import type { DatabaseMethod, DatabaseVerification, FreezeMarker } from './contract.ts';
import { checkQuiescent, freezeWrites, thawWrites } from './freeze.ts';
import { createMethod } from './method.ts';
import { verifyDatabase, writeFingerprintEvidence } from './verify.ts';
import { UserError } from '../errors.ts';

export interface DatabaseHandle {
  dataset: PostgresDataset;
  source: PgConnection;
  target: PgConnection;
  method: DatabaseMethod;
}

export interface DatabaseOpsContext {
  /** Where each dataset's record is kept. */
  state: DatabaseStore;
  progress: ProgressSink;
  /** Where the per-table fingerprint evidence goes (`<evidenceDir>/<dataset>/fingerprints.json`). */
  evidenceDir: string;
  signal?: AbortSignal;
}

/** Resolves the passwords (failing with the variable to set) and picks the method. */
export function openDatabase(
  dataset: PostgresDataset,
  ctx: Pick<DatabaseOpsContext, 'progress' | 'signal'>,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseHandle {
  const bindir = findPostgresBinaries();
  if (!bindir)
    throw new UserError(`dataset ${dataset.name} needs the PostgreSQL client tools (pg_dump, pg_restore)`, {
      fix: INSTALL_HINT,
    });
  const source = resolveConnection(dataset.source, `the source database of ${dataset.name}`, env);
  const target = resolveConnection(dataset.target, `the target database of ${dataset.name}`, env);
  const method = createMethod({
    dataset,
    source,
    target,
    bindir,
    progress: ctx.progress,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { dataset, source, target, method };
}

function blank(dataset: PostgresDataset): DatabaseRecord {
  return {
    dataset: dataset.name,
    method: dataset.method,
    status: 'pending',
    tables: 0,
    bytes: 0,
    copiedAt: undefined,
    copySeconds: undefined,
    verification: undefined,
    lag: undefined,
    lastError: undefined,
    updatedAt: new Date().toISOString(),
  };
}

async function update(
  state: DatabaseStore,
  dataset: PostgresDataset,
  patch: Partial<DatabaseRecord>,
): Promise<DatabaseRecord> {
  const record = {
    ...((await state.getDatabase(dataset.name)) ?? blank(dataset)),
    ...patch,
    updatedAt: new Date().toISOString(),
  };
  await state.putDatabase(record);
  return record;
}

export interface DatabaseInventory {
  dataset: string;
  tables: number;
  bytes: number;
  /** schema.table of the tables without a primary key (they block the logical method). */
  withoutPrimaryKey: string[];
}

/** Lists the dataset's tables at the source and records their number and size. */
export async function inventoryDatabase(db: DatabaseHandle, ctx: DatabaseOpsContext): Promise<DatabaseInventory> {
  const tables = await readCatalog(db.source, db.dataset);
  const bytes = tables.reduce((n, t) => n + t.bytes, 0);
  await update(ctx.state, db.dataset, { tables: tables.length, bytes });
  return { dataset: db.dataset.name, tables: tables.length, bytes, withoutPrimaryKey: tablesWithoutPrimaryKey(tables) };
}

/** Measures replication lag now (logical method) and records it; undefined for other methods. */
export async function measureLag(
  db: DatabaseHandle,
  ctx: Pick<DatabaseOpsContext, 'state'>,
): Promise<DatabaseRecord['lag']> {
  const lag = await db.method.lag();
  if (!lag) return undefined;
  const measured = { ...lag, at: new Date().toISOString() };
  await update(ctx.state, db.dataset, { lag: measured });
  return measured;
}

/** Preflight then bulk copy (or, for `logical`, set up replication and wait for the initial sync). */
export async function copyDatabase(db: DatabaseHandle, ctx: DatabaseOpsContext): Promise<DatabaseRecord> {
  ctx.progress.start(`copy ${db.dataset.name} (${db.dataset.method})`, { objects: 0, bytes: 0 });
  try {
    const preflight = await db.method.preflight();
    if (!preflight.ok) throw new Error(`${db.dataset.name}: ${preflight.problems.join('; ')}`);
    const result = await db.method.bulkCopy();
    const lag = await db.method.lag();
    return await update(ctx.state, db.dataset, {
      status: 'copied',
      tables: result.tables,
      bytes: result.bytes,
      copiedAt: new Date().toISOString(),
      copySeconds: result.seconds,
      lastError: undefined,
      verification: undefined,
      lag: lag && { ...lag, at: new Date().toISOString() },
    });
  } catch (err) {
    return await update(ctx.state, db.dataset, {
      status: 'failed',
      lastError: redact(err instanceof Error ? err.message : String(err)),
    });
  } finally {
    ctx.progress.stop();
  }
}

/** Row counts, fingerprints by key range and schema comparison; writes the fingerprint evidence. */
export async function verifyDatabaseDataset(
  db: DatabaseHandle,
  ctx: DatabaseOpsContext,
): Promise<{ record: DatabaseRecord; verification: DatabaseVerification }> {
  ctx.progress.start(`verify ${db.dataset.name}`, { objects: 0, bytes: 0 });
  try {
    const verification = await verifyDatabase(db.source, db.target, db.dataset, { progress: ctx.progress });
    const evidenceFile = join(ctx.evidenceDir, db.dataset.name, 'fingerprints.json');
    const evidenceSha256 = await writeFingerprintEvidence(verification, evidenceFile);
    const mismatches = verification.tables.flatMap((t) => t.mismatches.map((m) => `${t.schema}.${t.table}: ${m}`));
    const record = await update(ctx.state, db.dataset, {
      status: verification.ok ? 'verified' : 'failed',
      lastError: verification.ok
        ? undefined
        : `verification: ${mismatches.length} mismatching key ranges, ${verification.schemaDifferences.length} schema differences`,
      verification: {
        at: new Date().toISOString(),
        ok: verification.ok,
        tablesVerified: verification.tables.filter((t) => t.mismatches.length === 0).length,
        mismatches,
        schemaDifferences: verification.schemaDifferences,
        evidenceFile,
        evidenceSha256,
      },
    });
    return { record, verification };
  } finally {
    ctx.progress.stop();
  }
}

/** The cutover's view of a database: the state machine calls these at its steps. */
export interface DatabaseCutover {
  name: string;
  freeze(): Promise<FreezeMarker>;
  /** Tables written since the freeze. */
  changedSince(marker: FreezeMarker): Promise<string[]>;
  finalSync(): Promise<Record<string, unknown>>;
  /** Mismatches and schema differences, as sentences; empty when verified. */
  verify(): Promise<string[]>;
  /** After the commit: remove replication objects and work files. */
  finish(): Promise<void>;
  thaw(): Promise<void>;
}

export function databaseCutover(db: DatabaseHandle, ctx: DatabaseOpsContext): DatabaseCutover {
  return {
    name: db.dataset.name,
    freeze: () => freezeWrites(db.source, db.dataset),
    changedSince: (marker) => checkQuiescent(db.source, db.dataset, marker),
    async finalSync() {
      const result = await db.method.finalSync();
      await update(ctx.state, db.dataset, {
        status: 'copied',
        copiedAt: new Date().toISOString(),
        verification: undefined,
      });
      return { dataset: db.dataset.name, tables: result.tables, bytes: result.bytes, seconds: result.seconds };
    },
    async verify() {
      const { verification, record } = await verifyDatabaseDataset(db, ctx);
      return verification.ok
        ? []
        : [...(record.verification?.mismatches ?? []), ...verification.schemaDifferences].map(
            (m) => `${db.dataset.name}: ${m}`,
          );
    },
    finish: () => db.method.finish(),
    thaw: () => thawWrites(db.source, db.dataset),
  };
}
