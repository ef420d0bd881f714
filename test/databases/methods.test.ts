/**
 * Method `dump-restore` end to end between two real PostgreSQL clusters: the fixture
 * (1,000,500-row table, a table without primary key, sequences) on the source, an empty
 * database owned by a non-superuser on the target, as on a managed service.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { createDumpRestore } from '../../src/databases/dump-restore.ts';
import { checkQuiescent, freezeWrites, thawWrites } from '../../src/databases/freeze.ts';
import { createMethod } from '../../src/databases/method.ts';
import { adminClient, createDatabase, FIXTURE_DATABASE, seedCatalog } from './fixture.ts';
import {
  dataset,
  FIXTURE_TABLES,
  methodContext,
  onDatabase,
  recordingProgress,
  rowCounts,
  sequenceValues,
  superuser,
  workDir,
  type Login,
} from './methods-helpers.ts';

let source: EmbeddedCluster;
let target: EmbeddedCluster;
let migrator: Login;
let work: string;
/** Every message, note and detail the tests saw: none may hold a password. */
const seen: string[] = [];

beforeAll(async () => {
  [source, target] = await Promise.all([startEmbeddedCluster(), startEmbeddedCluster()]);
  await createDatabase(source);
  await seedCatalog(source);
  // The target user owns its database but is no superuser, like a managed service's admin.
  const password = randomBytes(18).toString('base64url');
  const admin = adminClient(target);
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE migrator LOGIN PASSWORD '${password}'`);
    await admin.query('CREATE ROLE analyst NOLOGIN');
    await admin.query(`CREATE DATABASE ${FIXTURE_DATABASE} OWNER migrator`);
  } finally {
    await admin.end();
  }
  migrator = { cluster: target, user: 'migrator', password };
  work = await workDir();
}, 300_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  for (const text of seen) {
    expect(text).not.toContain(source.password);
    expect(text).not.toContain(target.password);
    expect(text).not.toContain(migrator.password);
  }
});

const grants = [{ role: 'analyst', privileges: ['SELECT'] }];

describe('dump-restore', () => {
  it('is the default method; preflight passes and lists the table without primary key without blocking', async () => {
    const ds = dataset(superuser(source), migrator, { workDir: work, grants });
    const method = createMethod(methodContext(ds, superuser(source), migrator));
    expect(method.name).toBe('dump-restore');
    const preflight = await method.preflight();
    seen.push(...preflight.problems);
    expect(preflight).toEqual({ ok: true, problems: [], tablesWithoutPrimaryKey: ['public.audit_trail'] });
    expect(await method.lag()).toBeUndefined();
  });

  it("copies every table and sequence, owned by the target user, with the plan's grants, and leaves no dump behind", async () => {
    const progress = recordingProgress();
    const ds = dataset(superuser(source), migrator, { workDir: work, grants });
    const method = createDumpRestore(methodContext(ds, superuser(source), migrator, progress));
    const result = await method.bulkCopy();
    seen.push(...progress.notes, JSON.stringify(result));
    console.info(
      `dump-restore bulk copy of the fixture: ${result.seconds.toFixed(1)} s (${JSON.stringify(result.details)})`,
    );

    expect(result.tables).toBe(4);
    expect(await rowCounts(target, FIXTURE_TABLES)).toEqual(await rowCounts(source, FIXTURE_TABLES));
    expect((await rowCounts(target, ['public.stays']))['public.stays']).toBe(1_000_500);
    expect(await sequenceValues(target)).toEqual(await sequenceValues(source));
    await onDatabase(target, async (client) => {
      const { rows } = await client.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
      expect(rows).toEqual([{ tableowner: 'migrator' }]);
      const {
        rows: [p],
      } = await client.query(`SELECT has_table_privilege('analyst', 'public.stays', 'SELECT') AS sel,
        has_table_privilege('analyst', 'public.stays', 'INSERT') AS ins, has_schema_privilege('analyst', 'public', 'USAGE') AS usage,
        has_sequence_privilege('analyst', 'public.patients_id_seq', 'SELECT') AS seq`);
      expect(p).toEqual({ sel: true, ins: false, usage: true, seq: true });
      const {
        rows: [s],
      } = await client.query(
        `SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = 'stays'`,
      );
      expect(s).toEqual({ analyzed: true });
    });
    expect(await readdir(work)).toEqual([]);
  });

  it('converges when run again over a target that has drifted, and the final sync brings later writes and sequence values', async () => {
    const ds = dataset(superuser(source), migrator, { workDir: work, grants });
    const method = createDumpRestore(methodContext(ds, superuser(source), migrator));
    await onDatabase(target, (c) =>
      c.query(
        `DELETE FROM measurements WHERE patient_id < 100; INSERT INTO audit_trail VALUES (now(), 'stray', 'target only')`,
      ),
    );
    await onDatabase(source, (c) =>
      c.query(`UPDATE stays SET cost = 0 WHERE id <= 10; INSERT INTO patients (pseudo_id, birth_year, created_at, attributes)
      VALUES ('late', 1990, now(), '{}'); SELECT nextval('export_batch'); INSERT INTO stays (patient_id, admitted_at, cost) VALUES (1, now(), 1)`),
    );
    const again = await method.bulkCopy();
    seen.push(JSON.stringify(again));
    expect(await rowCounts(target, FIXTURE_TABLES)).toEqual(await rowCounts(source, FIXTURE_TABLES));
    await onDatabase(source, (c) =>
      c.query(`SELECT nextval('export_batch'); DELETE FROM audit_trail WHERE actor = 'user-1'`),
    );
    // The cutover's order: freeze, final sync (pg_dump reads a read-only database), quiescence.
    const ctx = methodContext(ds, superuser(source), migrator);
    const marker = await freezeWrites(ctx.source, ds);
    const final = await method.finalSync();
    seen.push(JSON.stringify(final));
    expect(await checkQuiescent(ctx.source, ds, marker)).toEqual([]);
    await thawWrites(ctx.source, ds);
    expect(final.details['stage']).toBe('final sync');
    expect(await rowCounts(target, FIXTURE_TABLES)).toEqual(await rowCounts(source, FIXTURE_TABLES));
    expect(await sequenceValues(target)).toEqual(await sequenceValues(source));
    await onDatabase(target, async (client) => {
      const { rows } = await client.query(`SELECT sum(cost)::text AS zero FROM stays WHERE id <= 10`);
      expect(rows).toEqual([{ zero: '0.00' }]);
      const {
        rows: [p],
      } = await client.query(`SELECT has_table_privilege('analyst', 'public.stays', 'SELECT') AS sel`);
      expect(p).toEqual({ sel: true }); // tables were dropped and created again: the grants were applied again
    });
    await method.finish();
    expect(existsSync(`${work}/emc2-catalog`)).toBe(false);
  });

  it('refuses to dump into a folder without room, naming the folder, the sizes and the fix', async () => {
    const ds = dataset(superuser(source), migrator, { workDir: `${work}/not-yet-created` });
    // A factor no disk satisfies: the same check, asked for more than the file system has.
    const method = createDumpRestore(methodContext(ds, superuser(source), migrator), { spaceFactor: 1e9 });
    const preflight = await method.preflight();
    expect(preflight.ok).toBe(false);
    // Before the copy the folder does not exist yet: the check reads the file system that will hold it.
    expect(preflight.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^not enough free space in ${work}/not-yet-created/emc2-catalog \\(file system of ${work}\\) for the dump of emc2-catalog: ` +
            `.+ needed \\(database size .+ × 1000000000 \\+ 256 MiB reserve\\), .+ free; fix: set workDir of dataset emc2-catalog to a folder on a file system with at least .+ free`,
        ),
      ),
    ]);
    const error = await method.bulkCopy().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(
      new RegExp(
        `^not enough free space in ${work}/not-yet-created/emc2-catalog for the dump of emc2-catalog: .+ needed`,
      ),
    );
    expect(existsSync(`${work}/not-yet-created/emc2-catalog`)).toBe(false);
    seen.push(...preflight.problems);
    seen.push(error!.message);
  });

  it('reports a failing pg_dump with its exit code and last stderr lines, secrets masked', async () => {
    // A schema named like the password makes pg_dump print the password in its error.
    const ds = dataset(superuser(source), migrator, { workDir: work, schemas: ['public', source.password] });
    const method = createDumpRestore(methodContext(ds, superuser(source), migrator));
    const error = await method.bulkCopy().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(/^pg_dump failed with exit code 1:\n.*no matching schemas were found for pattern/m);
    expect(error?.message).toContain('***');
    expect(error?.message).not.toContain(source.password);
    seen.push(error!.message);
    expect(existsSync(`${work}/emc2-catalog`)).toBe(false);
  });

  it('names the database and never the password when a login fails', async () => {
    const wrong = { ...migrator, password: `${migrator.password}-wrong` };
    const ds = dataset(superuser(source), wrong, { workDir: work });
    const method = createDumpRestore(methodContext(ds, superuser(source), wrong));
    const preflight = await method.preflight();
    expect(preflight.ok).toBe(false);
    expect(preflight.problems.join('\n')).toMatch(
      /migrator@127\.0\.0\.1:\d+\/emc2_catalog.*password authentication failed/,
    );
    const error = await method.bulkCopy().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(/migrator@127\.0\.0\.1:\d+\/emc2_catalog/);
    for (const text of [...preflight.problems, error!.message]) expect(text).not.toContain(wrong.password);
    seen.push(...preflight.problems, error!.message);
  });
});
