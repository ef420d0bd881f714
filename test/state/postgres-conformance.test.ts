/**
 * The PostgreSQL state store against every state contract's conformance suite, exactly as
 * test/state/conformance.test.ts runs them on SQLite: one embedded cluster for the file,
 * a fresh database per test. Then what only a shared server has to show: many pools
 * appending to one audit chain at once, and many stores opening a new database at once.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import {
  openPostgresStateStore,
  POSTGRES_AUDIT_PAGE_SIZE,
  POSTGRES_MIGRATIONS,
  POSTGRES_OBJECT_PAGE_SIZE,
  type PostgresStateStore,
} from '../../src/state/postgres.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { sampleInput } from '../audit/helpers.ts';
import { describeAuditLogConformance } from './conformance/audit.ts';
import { describeMigrationBindingConformance } from './conformance/binding.ts';
import { describeDatabaseStoreConformance } from './conformance/databases.ts';
import { describeObjectLedgerConformance } from './conformance/objects.ts';
import { describePhaseStoreConformance } from './conformance/phases.ts';
import { describeProbeLogConformance } from './conformance/probes.ts';
import { describeRunLogConformance } from './conformance/runs.ts';
import type { CreateStorage } from './conformance/storage.ts';
import { describeUploadLogConformance } from './conformance/uploads.ts';
import { collect } from './helpers.ts';

let cluster: EmbeddedCluster;
let admin: pg.Client;

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  admin = new pg.Client(settings('postgres'));
  await admin.connect();
}, 120_000);

afterAll(async () => {
  await admin?.end().catch(() => {});
  await cluster?.stop();
});

/** Connection settings of the superuser on `database`. */
function settings(database: string): pg.ClientConfig {
  return { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database };
}

/** A new, empty database with a random name; `drop` removes it once its handles are closed. */
async function createDatabase(): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `cx_state_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    name,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name}${cluster.version >= 13 ? ' WITH (FORCE)' : ''}`);
    },
  };
}

/** A database per test; every handle is a store with its own pool on it. */
const postgresDatabase: CreateStorage<StateStore> = async () => {
  const db = await createDatabase();
  return { connect: () => openPostgresStateStore(settings(db.name)), destroy: db.drop };
};

describeMigrationBindingConformance('PostgreSQL', postgresDatabase);
describeRunLogConformance('PostgreSQL', postgresDatabase);
describeObjectLedgerConformance('PostgreSQL', postgresDatabase, { pageSize: POSTGRES_OBJECT_PAGE_SIZE });
describeUploadLogConformance('PostgreSQL', postgresDatabase);
describeAuditLogConformance('PostgreSQL', postgresDatabase, { pageSize: POSTGRES_AUDIT_PAGE_SIZE });
describePhaseStoreConformance('PostgreSQL', postgresDatabase);
describeDatabaseStoreConformance('PostgreSQL', postgresDatabase);
describeProbeLogConformance('PostgreSQL', postgresDatabase);

describe('PostgreSQL state: many processes on one database', () => {
  it('migrates once when stores open a new database at the same moment', async () => {
    const db = await createDatabase();
    const stores: PostgresStateStore[] = [];
    try {
      stores.push(...(await Promise.all([1, 2, 3].map(() => openPostgresStateStore(settings(db.name))))));
      const client = new pg.Client(settings(db.name));
      await client.connect();
      try {
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      } finally {
        await client.end();
      }
      // Opening again changes nothing and every store works on the one schema.
      stores.push(await openPostgresStateStore(settings(db.name)));
      await stores[0]!.startRun({ command: 'copy', scope: 's' });
      expect(await stores[3]!.listRuns()).toHaveLength(1);
    } finally {
      for (const s of stores) await s.close();
      await db.drop();
    }
  });

  it('keeps one linear chain when two pools append 50 events each in parallel', async () => {
    const db = await createDatabase();
    const [a, b] = await Promise.all([
      openPostgresStateStore(settings(db.name), { poolSize: 8 }),
      openPostgresStateStore(settings(db.name), { poolSize: 8 }),
    ]);
    try {
      const appends = [a, b].flatMap((store, s) =>
        Array.from({ length: 50 }, (_, i) => store.appendAudit(sampleInput(i + 1, { actor: `worker-${s}` }))),
      );
      const returned = await Promise.all(appends);
      expect(returned.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const events = await collect(a.iterateAudit());
      expect(events).toHaveLength(100);
      expect(await verifyChain(events)).toMatchObject({ ok: true, count: 100 });
      expect(events.filter((e) => e.actor === 'worker-0')).toHaveLength(50);
      // Each append returned the event exactly as stored.
      const bySeq = new Map(events.map((e) => [e.seq, e]));
      for (const e of returned) expect(bySeq.get(e.seq)).toStrictEqual(e);
      expect(await b.auditHead()).toStrictEqual(events.at(-1));
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });

  it('refuses to change or delete an audit event, and names the store without its password', async () => {
    const db = await createDatabase();
    const url = `postgresql://${cluster.user}:${encodeURIComponent(cluster.password)}@${cluster.host}:${cluster.port}/${db.name}`;
    const store = await openPostgresStateStore(url);
    const client = new pg.Client(settings(db.name));
    await client.connect();
    try {
      expect(store.location).toBe(`postgresql://${cluster.user}@${cluster.host}:${cluster.port}/${db.name}`);
      expect(store.location).not.toContain(cluster.password);
      await store.appendAudit(sampleInput(1));
      await expect(client.query("UPDATE audit_events SET actor = 'mallory'")).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
      await expect(client.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
      // An insert that does not follow the head is refused, even without the head lock.
      const [head] = await collect(store.iterateAudit());
      await expect(
        client.query(
          `INSERT INTO audit_events (seq, time, actor, phase, step, outcome, details, prev_hash, hash)
           VALUES (3, 't', 'a', NULL, 's', 'ok', '{}', $1, $2)`,
          [head!.hash, 'f'.repeat(64)],
        ),
      ).rejects.toThrow(/must follow the last one/);
      expect(await verifyChain(store.iterateAudit())).toMatchObject({ ok: true, count: 1 });
    } finally {
      await client.end();
      await store.close();
      await db.drop();
    }
  });
});
