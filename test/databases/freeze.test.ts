/**
 * The freeze of a source database on a real cluster: sessions ended, new sessions
 * read-only, a write that gets through anyway (a session that turns read-only off for
 * itself) caught by the quiescence check with the table's name, and the thaw.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import type { PgConnection } from '../../src/databases/connection.ts';
import { checkQuiescent, freezeWrites, thawWrites } from '../../src/databases/freeze.ts';
import type { PostgresDataset } from '../../src/plan/schema.ts';
import { adminClient, createDatabase, FIXTURE_DATABASE, seedCatalog } from './fixture.ts';
import { connect, dataset, superuser } from './methods-helpers.ts';

let cluster: EmbeddedCluster;
let conn: PgConnection;
let ds: PostgresDataset;
const open: pg.Client[] = [];

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  await createDatabase(cluster);
  await seedCatalog(cluster, FIXTURE_DATABASE, 10_000);
  conn = connect(superuser(cluster), 'source');
  ds = dataset(superuser(cluster), superuser(cluster));
}, 120_000);

afterAll(async () => {
  for (const client of open) await client.end().catch(() => {});
  await cluster?.stop();
});

/** An application's session on the frozen database. */
async function session(): Promise<pg.Client> {
  const client = adminClient(cluster, FIXTURE_DATABASE);
  client.on('error', () => {}); // ended by the freeze: expected
  await client.connect();
  open.push(client);
  return client;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: Error & { code?: string }) => err,
  );

describe('freeze', () => {
  it('ends open sessions, makes new ones read-only, records write counters, and catches the write that gets through, by table', async () => {
    const before = await session();
    await before.query(`INSERT INTO audit_trail VALUES (now(), 'before', 'written before the freeze')`);

    const marker = await freezeWrites(conn, ds);
    expect(marker.sessionsNotEnded).toEqual([]);
    expect(Object.keys(marker.writes)).toEqual([
      'public.audit_trail',
      'public.measurements',
      'public.patients',
      'public.stays',
    ]);
    // The write just before the freeze is in the baseline: its session flushed its counters as it was ended.
    expect(marker.writes['public.audit_trail']).toBe(5_001);
    expect(await failure(before.query('SELECT 1'))).toBeInstanceOf(Error);

    const during = await session();
    expect(
      await failure(during.query(`INSERT INTO stays (patient_id, admitted_at, cost) VALUES (1, now(), 1)`)),
    ).toMatchObject({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
    expect(await checkQuiescent(conn, ds, marker)).toEqual([]);

    // The setting is a default: a session may switch it off for itself (a superuser could do anything).
    const sneaky = await session();
    await sneaky.query('SET default_transaction_read_only = off');
    await sneaky.query(`INSERT INTO audit_trail VALUES (now(), 'sneaky', 'written during the freeze')`);
    // And one that writes and leaves at once.
    const hitAndRun = await session();
    await hitAndRun.query('SET default_transaction_read_only = off');
    await hitAndRun.query('UPDATE patients SET birth_year = 1950 WHERE id = 1');
    await hitAndRun.end();

    // The sneaky session stays open and idle: its counters are flushed on PostgreSQL's idle timeout, which the check waits for.
    expect(await checkQuiescent(conn, ds, marker)).toEqual(['public.audit_trail', 'public.patients']);
  });

  it('thaws: new sessions write again, sessions opened during the freeze are ended so that they reconnect writable', async () => {
    const frozen = await session();
    expect(await failure(frozen.query(`INSERT INTO audit_trail VALUES (now(), 'x', 'y')`))).toMatchObject({
      code: '25006',
    });
    await thawWrites(conn, ds);
    expect(await failure(frozen.query('SELECT 1'))).toBeInstanceOf(Error);
    const after = await session();
    await after.query(`INSERT INTO audit_trail VALUES (now(), 'after', 'written after the thaw')`);
    const { rows } = await after.query(`SELECT count(*)::int AS n FROM audit_trail WHERE actor = 'after'`);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('freezing twice is harmless, and an excluded table is not watched', async () => {
    const excluding = { ...ds, excludeTables: ['public.audit_trail'] };
    await freezeWrites(conn, excluding);
    const marker = await freezeWrites(conn, excluding);
    expect(Object.keys(marker.writes)).toEqual(['public.measurements', 'public.patients', 'public.stays']);
    await thawWrites(conn, excluding);
  });
});
