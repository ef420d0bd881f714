/**
 * `--state postgresql://…` through the real CLI, against a real PostgreSQL cluster the suite
 * starts: every command opens the PostgreSQL state as it opens a SQLite file; read-only
 * commands create nothing; a password never appears; bad input is exit 2 naming `--state`.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { seedSource } from '../app/helpers.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli, type CliResult } from './run-cli.ts';
import { onDatabase } from '../databases/methods-helpers.ts';

let cluster: EmbeddedCluster;
let dir: string;
let plan: PlanFixture;

/** The state URL without the password (given through PGPASSWORD or ~/.pgpass). */
const urlOf = (database: string) => `postgresql://${cluster.user}@${cluster.host}:${cluster.port}/${database}`;
/** The state URL with the password in it: what an operator should not do, and must not see echoed. */
const urlWithPassword = (database: string) =>
  `postgresql://${cluster.user}:${encodeURIComponent(cluster.password)}@${cluster.host}:${cluster.port}/${database}`;

const withPassword = () => ({ ...plan.env, PGPASSWORD: cluster.password });
const cli = (args: string[], env: NodeJS.ProcessEnv = withPassword()) => runCli([...args, '--plan', plan.file], env);

const admin = <T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> =>
  onDatabase(cluster, work, database);

const createDatabase = (name: string) => admin('postgres', (c) => c.query(`CREATE DATABASE ${name}`));
const tablesIn = (database: string) =>
  admin(database, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    return rows[0]!.n;
  });

function expectNoPassword(...results: CliResult[]): void {
  for (const r of results) {
    expect(r.stdout).not.toContain(cluster.password);
    expect(r.stderr).not.toContain(cluster.password);
  }
}

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-pgstate-'));
  plan = await writeTestPlan(dir, ['one']);
  await seedSource(plan, 'one', 4, 1500);
  await createDatabase('cx_empty');
  await createDatabase('cx_state');
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('--state postgresql://… through the CLI', () => {
  it('status on a database with no state reads "not started" and creates nothing there', async () => {
    const r = await cli(['status', '--state', urlWithPassword('cx_empty'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.started).toBe(false);
    expect(report.statePath).toBe(urlOf('cx_empty'));
    expectNoPassword(r);
    expect(await tablesIn('cx_empty')).toBe(0);
    const audit = await cli(['audit', 'verify', '--state', urlOf('cx_empty'), '--json']);
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain(`there is no state in ${urlOf('cx_empty')}`);
    expect(await tablesIn('cx_empty')).toBe(0);
  });

  it('copy, verify, status, runbook and audit work on the PostgreSQL state, the password in PGPASSWORD', async () => {
    const state = urlOf('cx_state');
    const copy = await cli(['copy', '--state', state, '--evidence', join(dir, 'evidence'), '--json']);
    expect(copy.code, copy.stderr).toBe(0);
    const verify = await cli(['verify', '--mode', 'full', '--state', state, '--evidence', join(dir, 'evidence')]);
    expect(verify.code, verify.stderr).toBe(0);
    const status = await cli(['status', '--state', state, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ started: true, statePath: state });
    expect(JSON.parse(status.stdout).phases[0]).toMatchObject({ copiedObjects: 4, verifiedFullObjects: 4 });

    const out = join(dir, 'runbooks');
    const runbook = await cli(['runbook', '--state', state, '--out', out]);
    expect(runbook.code, runbook.stderr).toBe(0);
    const files = await readdir(out, { recursive: true });
    expect(files.length).toBeGreaterThan(0);
    for (const f of files.filter((name) => name.endsWith('.md'))) {
      expect(await readFile(join(out, f), 'utf8')).not.toContain(cluster.password);
    }

    const exported = await cli(['audit', 'export', '--state', state]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n').length).toBeGreaterThan(0);
    const verified = await cli(['audit', 'verify', '--state', urlWithPassword('cx_state'), '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout).source).toEqual({ kind: 'state', location: state });
    expectNoPassword(copy, verify, status, runbook, exported, verified);
  });

  it('state rebind works on the PostgreSQL state and names it without the password', async () => {
    const r = await cli(['state', 'rebind', '--state', urlWithPassword('cx_state'), '--reason', 'test', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ statePath: urlOf('cx_state'), conflicts: [] });
    expectNoPassword(r);
    const nothing = await cli(['state', 'rebind', '--state', urlOf('cx_empty'), '--reason', 'test']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain(`there is no state at ${urlOf('cx_empty')}`);
    expect(await tablesIn('cx_empty')).toBe(0);
  });

  it('finds the password in ~/.pgpass', async () => {
    const home = join(dir, 'home');
    await rm(home, { recursive: true, force: true });
    await mkdir(home);
    const pgpass = join(home, '.pgpass');
    await writeFile(pgpass, `${cluster.host}:${cluster.port}:*:${cluster.user}:${cluster.password}\n`);
    await chmod(pgpass, 0o600);
    const env: NodeJS.ProcessEnv = { ...plan.env, HOME: home };
    delete env['PGPASSWORD'];
    const r = await cli(['status', '--state', urlOf('cx_state'), '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).started).toBe(true);
    expectNoPassword(r);
  });

  it.each([
    ['a URL that cannot be parsed', 'postgresql://u:s3cret-word@[::1/db', /is not a valid URL/],
    ['a URL without a database', 'postgresql://someone:s3cret-word@127.0.0.1:5432/', /names no database/],
  ])('refuses %s with exit 2, naming --state and the fix, never the password', async (_what, url, message) => {
    const r = await cli(['status', '--state', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('--state');
    expect(r.stderr).toContain('fix: pass --state postgresql://USER@HOST:PORT/DATABASE');
    expect(r.stderr).not.toContain('s3cret-word');
  });

  it('refuses a wrong password and a server that is not there with exit 2, changing nothing', async () => {
    await createDatabase('cx_untouched');
    const wrong = await cli(['copy', '--state', urlOf('cx_untouched')], {
      ...plan.env,
      PGPASSWORD: 'not-the-password',
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--state postgresql:\/\/[^ ]*cx_untouched: cannot open the PostgreSQL state/);
    expect(wrong.stderr).toMatch(/fix: .*PGPASSWORD or ~\/\.pgpass/);
    expect(wrong.stderr).not.toContain('not-the-password');
    expect(await tablesIn('cx_untouched')).toBe(0);

    const closed = await cli(['status', '--state', `postgresql://${cluster.user}@127.0.0.1:1/cx_state`, '--json']);
    expect(closed.code).toBe(2);
    expect(JSON.parse(closed.stdout).error.where).toBe(`--state postgresql://${cluster.user}@127.0.0.1:1/cx_state`);
  });
});
