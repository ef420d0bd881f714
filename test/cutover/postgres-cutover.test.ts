import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordApproval } from '../../src/cutover/approve.ts';
import { runCutover, type CutoverDeps, type HookOutcome } from '../../src/cutover/machine.ts';
import { rollbackPhase } from '../../src/cutover/rollback.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import {
  copyDatabase,
  databaseCutover,
  openDatabase,
  verifyDatabaseDataset,
  type DatabaseCutover,
  type DatabaseOpsContext,
} from '../../src/databases/operations.ts';
import { SILENT } from '../../src/progress.ts';
import { systemClock } from '../../src/plan/clock.ts';
import type { Hooks, Phase, PostgresDataset } from '../../src/plan/schema.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { adminClient, createDatabase, seedCatalog } from '../databases/fixture.ts';
import { createHarness, type Harness } from '../engine/harness.ts';

const PHASE: Phase = {
  id: 1,
  name: 'Catalogue',
  datasets: ['catalog'],
  plannedCutover: '2026-12-07',
  owners: { decisionMaker: 'A', opsLead: 'B', dataOwner: 'C', dpo: 'D' },
};
const HOOKS: Hooks = { freeze: 'f', thaw: 't', switch: 's', rollback: 'r', timeoutSeconds: 60 };
const CLEAN_PARITY = { equivalent: true, differing: [], gaps: [], file: 'parity.json' };
const hook = async (name: string): Promise<HookOutcome> => ({ script: name, exitCode: 0, stdout: '', stderr: '' });

let source: EmbeddedCluster;
let target: EmbeddedCluster;
let dir: string;
let dataset: PostgresDataset;
let h: Harness;

beforeAll(async () => {
  [source, target] = await Promise.all([startEmbeddedCluster(), startEmbeddedCluster()]);
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-pgcut-'));
  await createDatabase(source, 'emc2_catalog');
  await createDatabase(target, 'emc2_catalog');
  await seedCatalog(source, 'emc2_catalog', 50_000);
  process.env['TEST_PG_SOURCE'] = source.password;
  process.env['TEST_PG_TARGET'] = target.password;
  const side = (c: EmbeddedCluster, passwordEnv: string) => ({
    host: c.host,
    port: c.port,
    database: 'emc2_catalog',
    user: c.user,
    passwordEnv,
    sslmode: 'disable' as const,
  });
  dataset = {
    name: 'catalog',
    title: 'Catalogue',
    kind: 'postgres',
    method: 'dump-restore',
    source: side(source, 'TEST_PG_SOURCE'),
    target: side(target, 'TEST_PG_TARGET'),
    schemas: ['public'],
    excludeTables: [],
    grants: [],
    jobs: 2,
    workDir: join(dir, 'work'),
    chunkRows: 10_000,
  };
  h = await createHarness(); // an empty object dataset would block the gates: the phase has the database only
}, 180_000);
afterAll(async () => {
  await h?.close();
  await Promise.all([source?.stop(), target?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function freshState(name: string): Promise<{ state: StateStore; ops: DatabaseOpsContext; db: DatabaseCutover }> {
  const state = await openSqliteStateStore(join(dir, `${name}.db`));
  const ops = { state, progress: SILENT, evidenceDir: join(dir, 'evidence') };
  const handle = openDatabase(dataset, ops);
  expect((await copyDatabase(handle, ops)).status).toBe('copied');
  expect((await verifyDatabaseDataset(handle, ops)).record.status).toBe('verified');
  for (const role of ['decisionMaker', 'opsLead', 'dataOwner', 'dpo'])
    await recordApproval({ state, phase: PHASE, clock: systemClock, actor: 't' }, role);
  return { state, ops, db: databaseCutover(handle, ops) };
}

async function deps(state: StateStore, db: DatabaseCutover): Promise<CutoverDeps> {
  return {
    state,
    phase: PHASE,
    datasets: [],
    databases: [db],
    ctx: await h.context({ state }),
    hooks: HOOKS,
    runHook: hook,
    parity: CLEAN_PARITY,
    commit: true,
    // The recorded hooks are names only: no file to look for.
    hookExists: () => true,
    clock: systemClock,
    actor: 't',
  };
}

describe('cutover of a PostgreSQL dataset', () => {
  it('freezes the source read-only, syncs, verifies, switches and commits', async () => {
    const { state, db } = await freshState('ok');
    const result = await runCutover(await deps(state, db));
    expect(result.stoppedAt).toBeUndefined();
    expect(result.state).toBe('committed');
    // The committed source stays read-only for new sessions: the target is the reference now.
    const client = adminClient(source, 'emc2_catalog');
    await client.connect();
    try {
      await expect(client.query("INSERT INTO audit_trail VALUES (now(), 'x', 'after commit')")).rejects.toThrow(
        /read-only/,
      );
    } finally {
      await client.end();
    }
    await db.thaw(); // for the next test
    await state.close();
  });

  it('aborts when a write reaches the source during the freeze, naming the table; rollback thaws', async () => {
    const { state, db } = await freshState('leak');
    // A session that turns read-only off for itself, as a careless superuser could.
    const leaky: DatabaseCutover = {
      ...db,
      async freeze() {
        const marker = await db.freeze();
        const client = adminClient(source, 'emc2_catalog');
        await client.connect();
        try {
          await client.query('SET default_transaction_read_only = off');
          await client.query('UPDATE patients SET birth_year = birth_year WHERE id = 42');
        } finally {
          await client.end();
        }
        return marker;
      },
    };
    const result = await runCutover(await deps(state, leaky));
    expect(result.stoppedAt?.step).toBe('quiescence');
    expect(result.stoppedAt?.error).toMatch(/catalog: table public\.patients/);
    const back = await rollbackPhase({
      state,
      phase: PHASE,
      hooks: HOOKS,
      runHook: hook,
      clock: systemClock,
      actor: 't',
      databases: [leaky],
    });
    expect(back.outcome).toBe('rolled-back');
    const client = adminClient(source, 'emc2_catalog');
    await client.connect();
    try {
      await client.query("INSERT INTO audit_trail VALUES (now(), 'x', 'after thaw')"); // writable again
    } finally {
      await client.end();
    }
    await state.close();
  });
});
