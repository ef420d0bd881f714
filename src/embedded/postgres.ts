/**
 * Embedded PostgreSQL clusters for the rehearsal and the tests: `initdb` into a temporary
 * folder, `postgres` on 127.0.0.1 on a free port with logical decoding enabled, stopped by
 * the postmaster's PID. As root (CI, these machines) every server program runs as the
 * `postgres` user, because initdb refuses root.
 *
 * Authentication is SCRAM with a random password, not `trust`: the tests then exercise the
 * same path as a managed database, passwords included, and prove none leaks.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBinaries, INSTALL_HINT } from '../databases/binaries.ts';
import { freePort, HOST } from './loopback.ts';

const run = promisify(execFile);

export interface EmbeddedCluster {
  host: string;
  port: number;
  /** Superuser. */
  user: string;
  /** Superuser password (a secret: never print it). */
  password: string;
  dataDir: string;
  /** Folder of the server programs and client tools of this cluster's version. */
  bindir: string;
  /** Major version, e.g. 15. */
  version: number;
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a server program, as `postgres` when we are root. */
async function asPostgres(bindir: string, program: string, args: string[]): Promise<void> {
  const file = join(bindir, program);
  await (isRoot() ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args));
}

export async function startEmbeddedCluster(options: StartClusterOptions = {}): Promise<EmbeddedCluster> {
  const bindir = findPostgresBinaries();
  if (!bindir) throw new Error(`PostgreSQL is not installed: ${INSTALL_HINT}`);
  const base = await mkdtemp(join(tmpdir(), 'cloudexit-pg-'));
  const dataDir = join(base, 'data');
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(base, 'pw');
  await writeFile(pwfile, password, { mode: 0o600 });
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(base, Number(stdout), Number(gid));
    await chown(pwfile, Number(stdout), Number(gid));
  }
  try {
    await asPostgres(bindir, 'initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await rm(pwfile, { force: true });
    const port = await freePort();
    const settings = {
      listen_addresses: HOST,
      port: String(port),
      unix_socket_directories: base,
      fsync: 'off',
      wal_level: 'logical',
      max_replication_slots: '16',
      max_wal_senders: '16',
      max_worker_processes: '16',
      max_logical_replication_workers: '8',
      ...options.settings,
    };
    const flags = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    await asPostgres(bindir, 'pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(base, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      flags,
      'start',
    ]);
    const version = Number((await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim());
    let stopped: Promise<void> | undefined;
    return {
      host: HOST,
      port,
      user: 'postgres',
      password,
      dataDir,
      bindir,
      version,
      stop: () => (stopped ??= stopCluster(dataDir).finally(() => rm(base, { recursive: true, force: true }))),
    };
  } catch (err) {
    await stopCluster(dataDir).catch(() => {});
    await rm(base, { recursive: true, force: true });
    throw err;
  }
}

/** Stops the postmaster by the PID in `postmaster.pid` (immediate mode: throwaway clusters have nothing to flush). */
async function stopCluster(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGQUIT'); // immediate shutdown
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, 'SIGKILL');
}
