/**
 * The two copiers as the user runs them, each in a child process timed from spawn to
 * exit (cloudexit's module loading counts, as it does for a user).
 *
 * cloudexit is started as `npx cloudexit` starts it: bin/cloudexit.js executed through its
 * shebang, so it runs with the node flags the shebang carries and its compile cache, and
 * with `node` found on PATH where npm puts the pinned Node 24. No flag is known only to
 * the bench.
 *
 * Peak RSS: each copier runs under GNU time (`/usr/bin/time -f '%M %U %S'`), which reports
 * the kernel's own high-water mark (ru_maxrss from wait4) once the process has exited.
 * Chosen over polling VmHWM in /proc every 50 ms because polling can miss the end of the
 * run (the process is gone before the last read) and costs the bench CPU the copiers need.
 * The same report gives the copier's CPU time (user + system), which shows whether a copier
 * is bound by its own CPU on this 2-core machine, where the servers need CPU too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { AZURITE_KEY, AZURITE_ACCOUNT } from './services.ts';
import { freshBundle } from '../bin/fresh-bundle.js';
import type { S3Account } from './targets.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GNU_TIME = '/usr/bin/time';
/** Which code `cloudexit` runs now (bin/fresh-bundle.js): the bundle `npm run bench` builds first, or the sources and why. */
export function cloudexitCode(): string {
  const bundle = freshBundle(ROOT);
  return bundle.entry ? 'the bundle in dist/' : `the sources (${bundle.stale})`;
}
/** The file npm links as the `cloudexit` command. */
export const CLOUDEXIT_BIN = join(ROOT, 'bin/cloudexit.js');
/** Its shebang line, printed with the results so they say how cloudexit was started. */
export const CLOUDEXIT_SHEBANG = readFileSync(CLOUDEXIT_BIN, 'utf8').split('\n', 1)[0]!;

/**
 * The environment `npx` gives the command: the Node running this bench (the Node 24 npm
 * put first on PATH) first on PATH, so the shebang's `env` finds it and not a system Node.
 */
export function cloudexitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: `${dirname(process.execPath)}${delimiter}${env['PATH'] ?? ''}` };
}
/** Output kept per child: enough for an error report, bounded whatever a copier prints. */
const MAX_OUTPUT = 4 * 1024 * 1024;
/** A copier still running after this is killed and the bench fails: the bench stays bounded. */
const RUN_TIMEOUT_MS = 10 * 60_000;

/**
 * cloudexit's limits for the bench, written into the plan: the sample plan's values, kept
 * on purpose because they are what an operator starts from. Part buffers stay within
 * partConcurrency x minPartSize = 20 MiB (the 96 MiB budget is not the binding limit).
 * Measured here on the 256 MiB object (median of 6 rounds): 5 MiB parts against 8 MiB,
 * peak RSS 204 vs 227 MiB and CPU 2.29 vs 2.58 s at the same wall time; 6 MiB in between;
 * partConcurrency 3 was slower, 6 gave nothing (the copy is CPU-bound on 2 cores shared
 * with both servers).
 */
export const CLOUDEXIT_LIMITS = {
  concurrency: 16,
  partConcurrency: 4,
  multipartThreshold: '16MiB',
  minPartSize: '5MiB',
  memoryBudget: '96MiB',
} as const;

/** rclone gets the same concurrency: objects in flight, listings, parts of one object in flight. */
export const RCLONE_FLAGS = [
  '--transfers',
  String(CLOUDEXIT_LIMITS.concurrency),
  '--checkers',
  String(CLOUDEXIT_LIMITS.concurrency),
  '--s3-upload-concurrency',
  String(CLOUDEXIT_LIMITS.partConcurrency),
] as const;

export interface Timed {
  wallMs: number;
  peakRssKiB: number;
  /** User + system CPU time of the copier process. */
  cpuSeconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Kills every copier still running (its whole process group: GNU time and the copier). */
export function killRunning(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Installs rclone and GNU time from Debian when missing; throws with what to do if that fails. */
export function ensureTools(log: (line: string) => void): string {
  const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  const install = (pkg: string) => {
    log(`installing ${pkg} (apt-get install -y ${pkg}) …`);
    const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
    // A fresh machine may have no package lists yet: update only when the first try fails.
    if (!apt(['install', '-y', pkg]) && !(apt(['update']) && apt(['install', '-y', pkg]))) {
      throw new Error(
        `cannot install ${pkg}: \`apt-get install -y ${pkg}\` failed (run the bench as root, or install ${pkg} yourself)`,
      );
    }
  };
  if (!has('rclone', ['version'])) install('rclone');
  if (!has(GNU_TIME, ['-f', '%M', 'true'])) install('time');
  const version = spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim();
  if (!version) throw new Error('rclone is installed but `rclone version` printed nothing');
  return version;
}

/** Runs `command` under GNU time in its own process group; never rejects on a non-zero exit. */
export async function timed(command: string[], env: NodeJS.ProcessEnv, rssFile: string): Promise<Timed> {
  const started = performance.now();
  const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, ...command], {
    env,
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (stdout.length < MAX_OUTPUT) stdout += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < MAX_OUTPUT) stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  }).finally(() => {
    clearTimeout(timer);
    running.delete(child);
  });
  const wallMs = performance.now() - started;
  // GNU time writes "Command exited with non-zero status N" first when the command failed.
  const lines = (await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n');
  const [rss, user, sys] = (lines.at(-1) ?? '').split(' ').map(Number);
  const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : 0);
  return { wallMs, peakRssKiB: finite(rss), cpuSeconds: finite(user) + finite(sys), code, stdout, stderr };
}

export interface Endpoints {
  azurite: string;
  /** The S3 server copied to (s3rver or RGW), with its credentials. */
  target: S3Account;
}

/**
 * A plan for one cloudexit run: the sample EMC2 plan with its source, target, datasets and
 * phases replaced (as test/cli/plan-fixture.ts does), so it goes through the real schema.
 */
export async function writePlan(
  file: string,
  endpoints: Endpoints,
  dataset: string,
  container: string,
  bucket: string,
): Promise<void> {
  const doc = parseDocument(await readFile(join(ROOT, 'runbooks/emc2/plan.yaml'), 'utf8'));
  doc.setIn(
    ['source'],
    doc.createNode({
      kind: 'azure-blob',
      endpoint: endpoints.azurite,
      auth: { method: 'key', accountName: AZURITE_ACCOUNT, accountKeyEnv: 'BENCH_SOURCE_KEY' },
    }),
  );
  doc.setIn(
    ['target'],
    doc.createNode({
      kind: 's3',
      endpoint: endpoints.target.endpoint,
      region: endpoints.target.region,
      forcePathStyle: true,
      auth: { accessKeyIdEnv: 'BENCH_TARGET_KEY_ID', secretAccessKeyEnv: 'BENCH_TARGET_SECRET' },
    }),
  );
  doc.setIn(
    ['datasets'],
    doc.createNode([
      { name: dataset, title: `Bench ${dataset}`, source: { container, prefix: '' }, target: { bucket, prefix: '' } },
    ]),
  );
  doc.setIn(
    ['phases'],
    doc.createNode([
      {
        id: 1,
        name: 'Bench',
        datasets: [dataset],
        plannedCutover: '2026-12-01',
        owners: { decisionMaker: 'bench', opsLead: 'bench', dataOwner: 'bench', dpo: 'bench' },
      },
    ]),
  );
  // The communication plan names the sample's phases, which the bench replaces; it only
  // feeds the runbooks, so the bench plan has none.
  doc.deleteIn(['communication']);
  for (const [key, value] of Object.entries(CLOUDEXIT_LIMITS)) doc.setIn(['limits', key], value);
  await writeFile(file, doc.toString());
}

export interface CloudexitRun extends Timed {
  report: { ok?: boolean; copied?: number; bytesCopied?: number } | undefined;
  /**
   * `cloudexit probe` of the fresh bucket, run first on the same state: a once-per-target
   * cost (it writes throw-away objects, a multipart upload among them) that `copy` would
   * otherwise pay inside the timed run, hiding the per-object figures. Reported on its own.
   */
  probe: Timed;
}

/** The node flags of bin/cloudexit.js's shebang (`#!/usr/bin/env -S node FLAGS`). */
export const SHEBANG_NODE_FLAGS = CLOUDEXIT_SHEBANG.split(/\s+/).filter((word) => word.startsWith('--'));

export interface CloudexitRunOptions {
  /**
   * Node flags (e.g. `--cpu-prof`): node is then started explicitly with the shebang's
   * flags plus these, instead of through the shebang. @default none
   */
  nodeFlags?: readonly string[];
  /** Called once the probe is done, just before the timed copy starts. @default nothing */
  onCopyStart?: () => void;
  /** More environment for both commands, e.g. `CLOUDEXIT_FROM_SOURCE=1`. @default none */
  env?: NodeJS.ProcessEnv;
}

/**
 * `cloudexit probe`, then the timed `cloudexit copy`, on a fresh state database; `dir` is
 * a fresh temp dir for this run.
 */
export async function runCloudexit(
  dir: string,
  endpoints: Endpoints,
  dataset: string,
  container: string,
  bucket: string,
  options: CloudexitRunOptions = {},
): Promise<CloudexitRun> {
  const nodeFlags = options.nodeFlags ?? [];
  const plan = join(dir, 'plan.yaml');
  await writePlan(plan, endpoints, dataset, container, bucket);
  const env = {
    ...cloudexitEnv(process.env),
    BENCH_SOURCE_KEY: AZURITE_KEY,
    BENCH_TARGET_KEY_ID: endpoints.target.accessKeyId,
    BENCH_TARGET_SECRET: endpoints.target.secretAccessKey,
    ...options.env,
  };
  const node = nodeFlags.length > 0 ? [process.execPath, ...SHEBANG_NODE_FLAGS, ...nodeFlags] : [];
  const stateArgs = ['--plan', plan, '--state', join(dir, 'state.db'), '--dataset', dataset];
  const probe = await timed([CLOUDEXIT_BIN, 'probe', ...stateArgs, '--json'], env, join(dir, 'probe-rss'));
  const command = [
    ...node,
    CLOUDEXIT_BIN,
    'copy',
    ...stateArgs,
    '--evidence',
    join(dir, 'evidence'),
    '--no-progress',
    '--json',
  ];
  if (probe.code !== 0) return { ...probe, report: undefined, probe };
  options.onCopyStart?.();
  const run = await timed(command, env, join(dir, 'rss'));
  let report: CloudexitRun['report'];
  try {
    report = JSON.parse(run.stdout) as CloudexitRun['report'];
  } catch {
    /* reported by the caller as a failure, with the output */
  }
  return { ...run, report, probe };
}

/** `rclone copy az:CONTAINER s3:BUCKET` with its configuration in environment variables. */
export async function runRclone(dir: string, endpoints: Endpoints, container: string, bucket: string): Promise<Timed> {
  const emptyConfig = join(dir, 'rclone.conf');
  await writeFile(emptyConfig, '');
  const env = {
    ...process.env,
    RCLONE_CONFIG_AZ_TYPE: 'azureblob',
    RCLONE_CONFIG_AZ_USE_EMULATOR: 'true',
    RCLONE_CONFIG_AZ_ENDPOINT: endpoints.azurite,
    RCLONE_CONFIG_S3_TYPE: 's3',
    RCLONE_CONFIG_S3_PROVIDER: 'Other',
    RCLONE_CONFIG_S3_ACCESS_KEY_ID: endpoints.target.accessKeyId,
    RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: endpoints.target.secretAccessKey,
    RCLONE_CONFIG_S3_ENDPOINT: endpoints.target.endpoint,
    RCLONE_CONFIG_S3_REGION: endpoints.target.region,
    RCLONE_CONFIG_S3_FORCE_PATH_STYLE: 'true',
  };
  // `env -u AWS_CA_BUNDLE`: rclone fails on this machine's bundle setting (LOCAL-SERVICES.md).
  // env execs rclone in place, so GNU time still measures rclone itself.
  const command = [
    'env',
    '-u',
    'AWS_CA_BUNDLE',
    'rclone',
    'copy',
    `az:${container}`,
    `s3:${bucket}`,
    '--config',
    emptyConfig,
    ...RCLONE_FLAGS,
  ];
  return timed(command, env, join(dir, 'rss'));
}
