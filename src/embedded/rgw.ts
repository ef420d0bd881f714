/**
 * An embedded Ceph RADOS Gateway: a real S3 implementation (the one many sovereign hosts
 * run), started without Docker from Debian's packages — one monitor, one OSD and radosgw,
 * all on 127.0.0.1, all in one temporary folder, each started in its own session and stopped
 * by PID. s3rver is a fake that accepts what real servers refuse; RGW is where the copy path
 * proves it holds on a real server (recipe measured in shared/LOCAL-SERVICES.md).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort, HOST } from './loopback.ts';

const run = promisify(execFile);

/** The Debian packages that hold the three daemons and their admin tools. */
const RGW_PACKAGES = ['ceph-mon', 'ceph-osd', 'radosgw'] as const;
export const RGW_INSTALL_HINT = `apt-get install -y --no-install-recommends ${RGW_PACKAGES.join(' ')}`;

/** Whether the programs an embedded RGW needs are installed. */
export function rgwInstalled(): boolean {
  return [
    '/usr/bin/ceph-mon',
    '/usr/bin/ceph-osd',
    '/usr/bin/radosgw',
    '/usr/bin/monmaptool',
    '/usr/bin/radosgw-admin',
    '/usr/bin/ceph',
  ].every((p) => existsSync(p));
}

export interface RgwHandle {
  /** e.g. `http://127.0.0.1:PORT`; use path-style addressing. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The folder holding the cluster (its logs are there while it runs). */
  directory: string;
  stop(): Promise<void>;
}

export interface StartRgwOptions {
  /**
   * `memstore` keeps objects in the OSD's memory (fast; right for tests of MiB-sized objects);
   * `bluestore` writes them to a sparse file in the cluster folder (for GiB-sized objects).
   * @default 'memstore'
   */
  objectStore?: 'memstore' | 'bluestore';
  /** Capacity of the OSD in bytes. @default 4 GiB (memstore), 16 GiB (bluestore, a sparse file) */
  capacityBytes?: number;
  /** Called with each step, for progress notes. @default no notes */
  onStep?: (step: string) => void;
}

interface Daemon {
  name: string;
  child: ChildProcess;
}

/** ceph.conf for a one-host cluster with authentication off: throwaway, loopback only. */
function cephConf(
  dir: string,
  fsid: string,
  ports: { v1: number; v2: number; rgw: number },
  options: Required<Pick<StartRgwOptions, 'objectStore' | 'capacityBytes'>>,
): string {
  const osd =
    options.objectStore === 'memstore'
      ? ['osd objectstore = memstore', `memstore device bytes = ${options.capacityBytes}`]
      : // Not inside the osd data dir: bluestore's symlink there would loop (ELOOP).
        [
          'osd objectstore = bluestore',
          `bluestore block path = ${dir}/osd/ceph-0.block`,
          'bluestore block create = true',
          `bluestore block size = ${options.capacityBytes}`,
        ];
  return [
    '[global]',
    `fsid = ${fsid}`,
    `mon host = [v2:${HOST}:${ports.v2},v1:${HOST}:${ports.v1}]`,
    `public addr = ${HOST}`,
    `cluster addr = ${HOST}`,
    'auth cluster required = none',
    'auth service required = none',
    'auth client required = none',
    `run dir = ${dir}/run`,
    `admin socket = ${dir}/run/$cluster-$name.asok`,
    `log file = ${dir}/log/$cluster-$name.log`,
    'osd pool default size = 1',
    'osd pool default min size = 1',
    'osd pool default pg num = 8',
    'mon allow pool size one = true',
    'mon warn on pool no redundancy = false',
    'osd crush chooseleaf type = 0',
    // Cold start 15 s → under 3 s.
    'paxos propose interval = 0.1',
    '[mon]',
    `mon data = ${dir}/mon/$cluster-$id`,
    '[osd]',
    `osd data = ${dir}/osd/$cluster-$id`,
    ...osd,
    '[client.rgw.x]',
    `rgw frontends = beast endpoint=${HOST}:${ports.rgw}`,
    `rgw data = ${dir}/rgw/$cluster-$id`,
    // radosgw's own defaults are cephx and secure messenger: without these it never listens.
    'auth client required = none',
    'ms mon client mode = crc',
    '',
  ].join('\n');
}

/** Starts a daemon in the foreground (`-f`) of its own session, its output to a log file. */
function startDaemon(dir: string, name: string, program: string, args: string[]): Daemon {
  const log = openSync(join(dir, 'log', `${name}.out`), 'a');
  try {
    const child = spawn(program, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    return { name, child };
  } finally {
    closeSync(log);
  }
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  daemons: readonly Daemon[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = daemons.find((d) => d.child.exitCode !== null || d.child.signalCode !== null);
    if (dead) throw new Error(`embedded RGW: ${dead.name} exited while waiting for ${what}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`embedded RGW: timed out waiting for ${what}`);
    await sleep(100);
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopDaemons(daemons: readonly Daemon[]): Promise<void> {
  for (const daemon of [...daemons].reverse()) {
    const { child } = daemon;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // radosgw can take 5–7 s to stop right after its start; past 15 s it is killed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Starts a one-OSD Ceph cluster and radosgw on 127.0.0.1 with an S3 user of fresh random
 * credentials. Takes about 3 s on these machines. Needs root (the daemons write their
 * folders as the current user, which Debian's packages expect to be ceph or root).
 */
export async function startRgw(options: StartRgwOptions = {}): Promise<RgwHandle> {
  if (!rgwInstalled()) throw new Error(`Ceph RGW is not installed: ${RGW_INSTALL_HINT}`);
  const objectStore = options.objectStore ?? 'memstore';
  const capacityBytes = options.capacityBytes ?? (objectStore === 'memstore' ? 4 * 2 ** 30 : 16 * 2 ** 30);
  const step = options.onStep ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), 'cloudexit-rgw-'));
  const daemons: Daemon[] = [];
  try {
    for (const sub of ['run', 'log', 'mon/ceph-a', 'osd/ceph-0', 'rgw/ceph-rgw.x'])
      await mkdir(join(dir, sub), { recursive: true });
    const ports = { v1: await freePort(), v2: await freePort(), rgw: await freePort() };
    const fsid = randomUUID();
    const conf = join(dir, 'ceph.conf');
    await writeFile(conf, cephConf(dir, fsid, ports, { objectStore, capacityBytes }));
    const c = ['-c', conf];
    step('ceph monitor');
    await run('monmaptool', [
      '--create',
      '--fsid',
      fsid,
      '--addv',
      'a',
      `[v2:${HOST}:${ports.v2},v1:${HOST}:${ports.v1}]`,
      join(dir, 'monmap'),
    ]);
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    daemons.push(startDaemon(dir, 'mon', 'ceph-mon', [...c, '-i', 'a', '-f']));
    step('ceph OSD');
    const osdUuid = randomUUID();
    await run('ceph', [...c, '--connect-timeout', '30', 'osd', 'new', osdUuid], { timeout: 60_000 });
    await run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid], { timeout: 120_000 });
    daemons.push(startDaemon(dir, 'osd', 'ceph-osd', [...c, '-i', '0', '-f']));
    await waitFor(
      'the OSD to be up',
      async () => {
        const { stdout } = await run('ceph', [...c, 'osd', 'stat', '-f', 'json'], { timeout: 10_000 });
        return (JSON.parse(stdout) as { num_up_osds?: number }).num_up_osds === 1;
      },
      60_000,
      daemons,
    );
    step('radosgw');
    daemons.push(startDaemon(dir, 'rgw', 'radosgw', [...c, '-n', 'client.rgw.x', '-f']));
    await waitFor(`radosgw on port ${ports.rgw}`, () => portOpen(ports.rgw), 120_000, daemons);
    const accessKeyId = `CLOUDEXIT${randomBytes(6).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(30).toString('base64url');
    await run(
      'radosgw-admin',
      [
        ...c,
        'user',
        'create',
        '--uid=cloudexit',
        '--display-name=cloudexit',
        `--access-key=${accessKeyId}`,
        `--secret-key=${secretAccessKey}`,
      ],
      { timeout: 60_000 },
    );
    let stopped: Promise<void> | undefined;
    return {
      endpoint: `http://${HOST}:${ports.rgw}`,
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey,
      directory: dir,
      stop: () => (stopped ??= stopDaemons(daemons).then(() => rm(dir, { recursive: true, force: true }))),
    };
  } catch (err) {
    await stopDaemons(daemons);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
