/**
 * A session's PostgreSQL datasets, opened: the database modules are loaded only when there
 * are databases (they pull in the pg client), and each is opened with the session's secrets.
 */
import type { DatabaseCutover, DatabaseHandle, DatabaseOpsContext } from '../databases/operations.ts';
import type { ProgressSink } from '../progress.ts';
import type { Phase, PostgresDataset } from '../plan/schema.ts';
import type { StateStore } from '../state/state-store.ts';
import type { Session } from './session.ts';

export interface OpenedDatabases {
  ops: DatabaseOpsContext;
  handles: DatabaseHandle[];
  operations: typeof import('../databases/operations.ts');
}

/** The session's databases, or undefined when it has none. */
export async function sessionDatabases(session: Session): Promise<OpenedDatabases | undefined> {
  if (session.databases.length === 0) return undefined;
  const operations = await import('../databases/operations.ts');
  const ops = opsContext({
    state: session.state,
    progress: session.ctx.progress,
    evidenceDir: session.evidenceDir,
    signal: session.ctx.signal,
  });
  return { ops, operations, handles: session.databases.map((d) => operations.openDatabase(d, ops, session.env)) };
}

/** What the cutover and the rollback of a phase need from its databases. */
export interface PhaseDatabaseContext {
  state: StateStore;
  progress: ProgressSink;
  evidenceDir: string;
  signal?: AbortSignal | undefined;
  env: NodeJS.ProcessEnv;
}

/** Cutover handles of the phase's PostgreSQL datasets among `databases`. */
export async function phaseDatabaseCutovers(
  phase: Phase,
  databases: readonly PostgresDataset[],
  context: PhaseDatabaseContext,
): Promise<DatabaseCutover[]> {
  const mine = databases.filter((d) => phase.datasets.includes(d.name));
  if (mine.length === 0) return [];
  const { databaseCutover, openDatabase } = await import('../databases/operations.ts');
  const ops = opsContext(context);
  return mine.map((d) => databaseCutover(openDatabase(d, ops, context.env), ops));
}

function opsContext(from: Omit<PhaseDatabaseContext, 'env'>): DatabaseOpsContext {
  return {
    state: from.state,
    progress: from.progress,
    evidenceDir: from.evidenceDir,
    ...(from.signal ? { signal: from.signal } : {}),
  };
}
