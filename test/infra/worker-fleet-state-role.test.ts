/**
 * The state machine's `set-state-role` boot script against a real PostgreSQL: it creates the
 * worker role and the state database once, sets the password from the environment file —
 * quotes and backslashes included — and a worker then logs in with SCRAM.
 *
 * On the machine the script reaches PostgreSQL as `postgres` through `runuser` and peer
 * authentication; here a `runuser` first on PATH plays that part against the test cluster
 * (its superuser password instead of peer authentication). Everything else is the script.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '../../src/embedded/postgres.ts';
import { STATE_DATABASE, STATE_ROLE } from '../../src/infra/worker-fleet-args.ts';
import { setStateRoleScript } from '../../src/infra/worker-fleet-systemd.ts';

const run = promisify(execFile);

let dir: string;
let cluster: EmbeddedCluster;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-state-role-'));
  cluster = await startEmbeddedCluster();
  script = join(dir, 'set-state-role');
  await writeFile(script, setStateRoleScript(STATE_ROLE, STATE_DATABASE), { mode: 0o755 });
  const runuser = join(dir, 'runuser');
  await writeFile(
    runuser,
    '#!/bin/sh\n[ "$1 $2 $3" = "-u postgres --" ] || exit 64\nshift 3\n' +
      'PGPASSWORD="$TEST_SUPERUSER_PASSWORD" exec "$@"\n',
  );
  await chmod(runuser, 0o755);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the script as systemd would, with PGPASSWORD from the environment file. */
async function setRole(password: string): Promise<void> {
  await run('bash', [script], {
    env: {
      PATH: `${dir}:${cluster.bindir}:${process.env['PATH']}`,
      PGPASSWORD: password,
      PGHOST: cluster.host,
      PGPORT: String(cluster.port),
      PGUSER: cluster.user,
      PGDATABASE: 'postgres',
      TEST_SUPERUSER_PASSWORD: cluster.password,
    },
  });
}

async function login(password: string): Promise<string> {
  const client = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    user: STATE_ROLE,
    password,
    database: STATE_DATABASE,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ user: string; db: string }>(
      'SELECT current_user AS user, current_database() AS db',
    );
    return `${rows[0]!.user}@${rows[0]!.db}`;
  } finally {
    await client.end();
  }
}

describe('set-state-role on a real PostgreSQL', () => {
  const first = `it's a "quoted" pass\\word; DROP ROLE postgres; --`;

  it('creates the role and the database; the worker logs in with the password from the environment', async () => {
    await setRole(first);
    expect(await login(first)).toBe(`${STATE_ROLE}@${STATE_DATABASE}`);
    await expect(login('not-the-password')).rejects.toThrow(/password authentication failed/);
  });

  it('runs again at every boot: nothing created twice, a rotated password replaces the old one', async () => {
    const rotated = 'r0tated-Passw0rd';
    await setRole(rotated);
    expect(await login(rotated)).toBe(`${STATE_ROLE}@${STATE_DATABASE}`);
    await expect(login(first)).rejects.toThrow(/password authentication failed/);
  });
});
