/**
 * The `PhaseLeader` conformance suite on both states: SQLite (a state file per test) and
 * PostgreSQL (a database per test on one embedded cluster). Then what only SQLite has to
 * show: how it tells a dead holder from a live one.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { isRefusal } from '../../src/state/contracts/leader.ts';
import { PHASE_LOCK_CLASS } from '../../src/state/postgres-leader.ts';
import { openPostgresStateStore } from '../../src/state/postgres.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { describePhaseLeaderConformance } from './conformance/leader.ts';
import type { CreateStorage } from './conformance/storage.ts';
import { tempDir } from './helpers.ts';

let cluster: EmbeddedCluster;
let admin: pg.Client;

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  admin = new pg.Client({ ...settings('postgres') });
  await admin.connect();
}, 120_000);
afterAll(async () => {
  await admin?.end().catch(() => {});
  await cluster?.stop();
});

function settings(database: string): pg.ClientConfig {
  return { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database };
}

const sqliteFile: CreateStorage<StateStore> = async () => {
  const dir = await tempDir();
  const file = join(dir.path, 'state.db');
  return { connect: () => openSqliteStateStore(file), destroy: dir.remove };
};

const postgresDatabase: CreateStorage<StateStore> = async () => {
  const name = `cx_leader_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    connect: () => openPostgresStateStore(settings(name)),
    destroy: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
};

describePhaseLeaderConformance('SQLite', sqliteFile);
describePhaseLeaderConformance('PostgreSQL', postgresDatabase, {
  childEnv: () => ({ ...process.env, PGPASSWORD: cluster.password }),
});

/** The pid of a process that has exited: no process has it (until the system reuses it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('SQLite: a dead holder, a live one', () => {
  it("replaces the row of a holder whose pid is gone here; the old grant's release leaves the new one", async () => {
    const dir = await tempDir();
    const store = await openSqliteStateStore(join(dir.path, 'state.db'));
    try {
      const ghost = { host: hostname(), pid: deadPid(), command: 'cutover 1' };
      const stale = await store.acquirePhaseLock(1, ghost);
      expect(isRefusal(stale)).toBe(false);
      const taken = await store.acquirePhaseLock(1, { host: hostname(), pid: process.pid, command: 'cutover 1' });
      expect(isRefusal(taken)).toBe(false);
      if (!isRefusal(stale)) await stale.release(); // the dead holder's grant: no longer its row
      const third = await store.acquirePhaseLock(1, { host: hostname(), pid: process.pid, command: 'rollback 1' });
      expect(third).toMatchObject({ heldBy: { pid: process.pid, command: 'cutover 1' } });
    } finally {
      await store.close();
      await dir.remove();
    }
  });

  it('keeps the row of a holder on another host, whatever its pid: it cannot be proven dead from here', async () => {
    const dir = await tempDir();
    const store = await openSqliteStateStore(join(dir.path, 'state.db'));
    try {
      const elsewhere = { host: `not-${hostname()}`, pid: deadPid(), command: 'cutover 1' };
      expect(isRefusal(await store.acquirePhaseLock(1, elsewhere))).toBe(false);
      const refusal = await store.acquirePhaseLock(1, { host: hostname(), pid: process.pid, command: 'cutover 1' });
      expect(refusal).toMatchObject({ heldBy: elsewhere });
    } finally {
      await store.close();
      await dir.remove();
    }
  });
});

describe('PostgreSQL: a holder whose session the server ended', () => {
  it('holds nothing any more, and its release is no error', async () => {
    const storage = await postgresDatabase();
    const [a, b] = [await storage.connect(), await storage.connect()];
    try {
      const me = { host: hostname(), pid: process.pid, command: 'cutover 1' };
      const lock = await a.acquirePhaseLock(1, me);
      expect(isRefusal(lock)).toBe(false);
      // As a server restart or an administrator would: the holder's session ends under it.
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND classid::bigint = $1 AND objid::bigint = 1`,
        [PHASE_LOCK_CLASS],
      );
      expect(rowCount).toBe(1);
      const taken = await b.acquirePhaseLock(1, { ...me, command: 'rollback 1' });
      expect(isRefusal(taken)).toBe(false);
      if (!isRefusal(lock)) await expect(lock.release()).resolves.toBeUndefined();
      // The old grant's release did not free the new holder's lock.
      expect(await a.acquirePhaseLock(1, me)).toMatchObject({ heldBy: { command: 'rollback 1' } });
      if (!isRefusal(taken)) await taken.release();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await storage.destroy();
    }
  });
});
