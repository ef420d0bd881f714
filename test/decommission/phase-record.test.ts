/**
 * The decommission's fields of a phase record (`decommissioned`, `decommissionApprovals`)
 * come back exactly as put from both state stores, SQLite and PostgreSQL, unset fields as
 * `undefined`; a record without them reads back without them (the conformance suite checks
 * that one's keys).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import type { PhaseRecord } from '../../src/phase-record.ts';
import type { PhaseStore } from '../../src/state/contracts/phases.ts';
import { openPostgresStateStore } from '../../src/state/postgres.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';

const DECOMMISSIONED: PhaseRecord = {
  phaseId: 1,
  state: 'committed',
  done: [{ step: 'commit', at: '2026-12-01T22:00:00.000Z', details: {} }],
  failed: undefined,
  approvals: [],
  frozenAt: '2026-12-01T20:00:00.000Z',
  updatedAt: '2026-12-16T09:00:00.000Z',
  decommissioned: [
    {
      dataset: 'hcl',
      kind: 'objects',
      goneAt: '2026-12-16T09:00:00.000Z',
      residualUntil: undefined,
      objectsLeftAtSource: 0,
      certificate: 'decommission/hcl.certificate.json',
      certificateSha256: 'e'.repeat(64),
    },
    {
      dataset: 'catalog',
      kind: 'postgres',
      goneAt: undefined,
      residualUntil: '2027-01-20T09:00:00.000Z',
      objectsLeftAtSource: 2,
      certificate: 'decommission/catalog.certificate.json',
      certificateSha256: 'f'.repeat(64),
    },
  ],
  decommissionApprovals: [{ role: 'dpo', name: 'Yann Le Goff', at: '2026-12-15T10:00:00.000Z' }],
};

let dir: string;
let cluster: EmbeddedCluster;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-decommission-record-'));
  cluster = await startEmbeddedCluster();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function roundTrip(store: PhaseStore & { close(): Promise<void> }): Promise<void> {
  try {
    await store.putPhase(DECOMMISSIONED);
    const { decommissioned: _d, decommissionApprovals: _a, ...plain } = DECOMMISSIONED;
    await store.putPhase({ ...plain, phaseId: 2 });
    expect(await store.getPhase(1)).toStrictEqual(DECOMMISSIONED);
    const older = await store.getPhase(2);
    expect(older).toStrictEqual({ ...plain, phaseId: 2 });
    expect(Object.keys(older!)).not.toContain('decommissioned');
  } finally {
    await store.close();
  }
}

describe('a phase record with its decommission', () => {
  it('comes back exactly as put from SQLite', async () => {
    await roundTrip(await openSqliteStateStore(join(dir, 'state.db')));
  });

  it('comes back exactly as put from PostgreSQL', async () => {
    const admin = new pg.Client({
      host: cluster.host,
      port: cluster.port,
      user: cluster.user,
      password: cluster.password,
    });
    await admin.connect();
    await admin.query('CREATE DATABASE cx_decommission_record');
    await admin.end();
    const store = await openPostgresStateStore({
      host: cluster.host,
      port: cluster.port,
      user: cluster.user,
      password: cluster.password,
      database: 'cx_decommission_record',
    });
    await roundTrip(store);
  });
});
