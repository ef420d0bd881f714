/**
 * Method `logical` end to end between two real PostgreSQL clusters (wal_level = logical):
 * preflight, schema then publication and subscription, initial copy, streaming, lag, and
 * the cutover's freeze → final sync (lag 0, sequences) → finish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { checkQuiescent, freezeWrites, thawWrites } from '../../src/databases/freeze.ts';
import { createMethod } from '../../src/databases/method.ts';
import { createDatabase, seedCatalog } from './fixture.ts';
import {
  dataset,
  eventually,
  FIXTURE_TABLES,
  methodContext,
  onDatabase,
  recordingProgress,
  rowCounts,
  sequenceValues,
  superuser,
  workDir,
} from './methods-helpers.ts';

let source: EmbeddedCluster;
let target: EmbeddedCluster;
let work: string;
const seen: string[] = [];
const MOVED = FIXTURE_TABLES.filter((t) => t !== 'public.audit_trail');

beforeAll(async () => {
  [source, target] = await Promise.all([startEmbeddedCluster(), startEmbeddedCluster()]);
  await Promise.all([createDatabase(source).then(() => seedCatalog(source)), createDatabase(target)]);
  await onDatabase(target, (c) => c.query('CREATE ROLE analyst NOLOGIN'));
  work = await workDir();
}, 300_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  for (const text of seen) {
    expect(text).not.toContain(source.password);
    expect(text).not.toContain(target.password);
  }
});

const replicationObjects = async () => ({
  subscriptions: await onDatabase(target, async (c) => (await c.query('SELECT subname FROM pg_subscription')).rows),
  publications: await onDatabase(source, async (c) => (await c.query('SELECT pubname FROM pg_publication')).rows),
  slots: await onDatabase(source, async (c) => (await c.query('SELECT slot_name FROM pg_replication_slots')).rows),
});

describe('logical', () => {
  it('preflight lists the table without primary key as blocking, and the copy refuses it', async () => {
    const method = createMethod(
      methodContext(
        dataset(superuser(source), superuser(target), { method: 'logical', workDir: work }),
        superuser(source),
        superuser(target),
      ),
    );
    expect(method.name).toBe('logical');
    const preflight = await method.preflight();
    seen.push(...preflight.problems);
    expect(preflight.ok).toBe(false);
    expect(preflight.tablesWithoutPrimaryKey).toEqual(['public.audit_trail']);
    expect(preflight.problems).toEqual([
      expect.stringMatching(
        /^1 table has no primary key, which method logical needs to replicate updates and deletes: public\.audit_trail; fix: /,
      ),
    ]);
    await expect(method.bulkCopy()).rejects.toThrow(/public\.audit_trail/);
    expect(await method.lag()).toBeUndefined();
    expect(await replicationObjects()).toEqual({ subscriptions: [], publications: [], slots: [] });
  });

  it('with that table excluded: copies every table, streams later writes, reports the lag, and reuses its set-up when run again', async () => {
    const progress = recordingProgress();
    const ds = dataset(superuser(source), superuser(target), {
      method: 'logical',
      workDir: work,
      excludeTables: ['public.audit_trail'],
      grants: [{ role: 'analyst', privileges: ['SELECT'] }],
    });
    const method = createMethod(methodContext(ds, superuser(source), superuser(target), progress));
    const preflight = await method.preflight();
    expect(preflight).toEqual({ ok: true, problems: [], tablesWithoutPrimaryKey: [] });

    const result = await method.bulkCopy();
    seen.push(...progress.notes, JSON.stringify(result));
    console.info(
      `logical bulk copy (initial sync) of the fixture: ${result.seconds.toFixed(1)} s (${JSON.stringify(result.details)})`,
    );
    expect(result).toMatchObject({ tables: 3, details: { setup: 'created', publication: 'cloudexit_emc2_catalog' } });
    expect(progress.notes).toContain('emc2-catalog: 3/3 tables copied');
    expect(await rowCounts(target, MOVED)).toEqual(await rowCounts(source, MOVED));
    expect(await rowCounts(target, ['public.audit_trail'])).toEqual({ 'public.audit_trail': -1 });
    expect(
      await onDatabase(
        target,
        async (c) => (await c.query(`SELECT has_table_privilege('analyst', 'public.stays', 'SELECT') AS ok`)).rows[0],
      ),
    ).toEqual({ ok: true });

    await onDatabase(source, (c) =>
      c.query(`INSERT INTO patients (pseudo_id, birth_year, created_at, attributes) VALUES ('streamed', 1977, now(), '{"a": 1}');
      UPDATE stays SET cost = 42 WHERE id = 7; DELETE FROM measurements WHERE patient_id = 3`),
    );
    await eventually('the writes reach the target', async () => {
      const { rows } = await onDatabase(target, (c) =>
        c.query(`SELECT (SELECT count(*) FROM patients WHERE pseudo_id = 'streamed') AS p,
        (SELECT cost::text FROM stays WHERE id = 7) AS cost, (SELECT count(*) FROM measurements WHERE patient_id = 3) AS m`),
      );
      return rows[0].p === '1' && rows[0].cost === '42.00' && rows[0].m === '0';
    });
    await eventually('the lag reaches 0', async () => (await method.lag())?.caughtUp === true);
    expect(await method.lag()).toMatchObject({ bytes: expect.any(Number) });

    const again = await method.bulkCopy();
    expect(again.details['setup']).toBe('reused');
    expect(await rowCounts(target, MOVED)).toEqual(await rowCounts(source, MOVED));
  });

  it('at the cutover: frozen source, final sync to lag 0 with sequence values, then the replication objects are gone', async () => {
    const ds = dataset(superuser(source), superuser(target), {
      method: 'logical',
      workDir: work,
      excludeTables: ['public.audit_trail'],
    });
    const ctx = methodContext(ds, superuser(source), superuser(target));
    const method = createMethod(ctx);
    // Sequences move on the source but logical replication does not carry them.
    await onDatabase(source, (c) =>
      c.query(`SELECT nextval('export_batch'), nextval('export_batch');
      INSERT INTO stays (patient_id, admitted_at, cost) VALUES (2, now(), 3.5)`),
    );
    const marker = await freezeWrites(ctx.source, ds);
    expect(Object.keys(marker.writes)).toEqual(MOVED);

    const final = await method.finalSync();
    seen.push(JSON.stringify(final));
    expect(final.details).toMatchObject({ stage: 'final sync', sequences: 3 });
    expect(await rowCounts(target, MOVED)).toEqual(await rowCounts(source, MOVED));
    const [src, tgt] = [await sequenceValues(source), await sequenceValues(target)];
    expect(tgt).toEqual(src);
    expect(Object.keys(tgt)).toEqual(['export_batch', 'patients_id_seq', 'stays_id_seq']);
    expect(await checkQuiescent(ctx.source, ds, marker)).toEqual([]);

    await method.finish();
    expect(await replicationObjects()).toEqual({ subscriptions: [], publications: [], slots: [] });
    await method.finish(); // nothing left to remove: still fine
    await thawWrites(ctx.source, ds);
  });
});
