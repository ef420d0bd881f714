/**
 * Azurite and s3rver for the benchmark, each in a child process of its own: neither
 * copier shares a process (or an event loop) with a server, and the bench process only
 * orchestrates, so both copiers face the same servers under the same conditions.
 * Started once for the whole bench on 127.0.0.1 with port 0; the real port is read from
 * what each server prints. Stopped by PID (SIGTERM, then SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = (name: string) => `${ROOT}node_modules/.bin/${name}`;
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** The public, well-known key of the Azure Storage emulator's account (documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' } as const;

export interface Service {
  /** e.g. `http://127.0.0.1:PORT/devstoreaccount1` for Azurite, `http://127.0.0.1:PORT` for s3rver. */
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** Azurite's blob service with in-memory persistence (flags from shared/LOCAL-SERVICES.md). */
export function startAzurite(): Promise<Service> {
  const args = [
    BIN('azurite-blob'),
    '--inMemoryPersistence',
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    '0',
    // --skipApiVersionCheck: the SDK's x-ms-version is newer than Azurite knows; --disableTelemetry:
    // offline, shutdown would otherwise hang ~2 minutes.
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
    '--disableTelemetry',
  ];
  return startChild(
    'azurite',
    args,
    process.env,
    /successfully listens on (http:\/\/127\.0\.0\.1:\d+)/,
    (url) => `${url}/${AZURITE_ACCOUNT}`,
  );
}

/** s3rver keeping objects in `directory` (a temp dir the caller removes after stop). */
export function startS3rver(directory: string): Promise<Service> {
  // The legacy provider gives s3rver DES, which its ListObjectsV2 continuation tokens need:
  // without it every listing past 1,000 keys answers 500.
  const env = { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --openssl-legacy-provider`.trim() };
  const args = [BIN('s3rver'), '-d', directory, '-a', '127.0.0.1', '-p', '0', '--silent'];
  return startChild('s3rver', args, env, /listening on (127\.0\.0\.1:\d+)/, (address) => `http://${address}`);
}

function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  endpointOf: (match: string) => string,
): Promise<Service> {
  // process.execPath: the Node 24 npm put first on PATH, not the system Node 20.
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<Service>((resolve, reject) => {
    let output = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start: ${why}\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      // Keep draining its pipes so a chatty server never blocks on a full pipe.
      child.stdout!.off('data', onData).resume();
      child.stderr!.off('data', onData).resume();
      resolve({ endpoint: endpointOf(match[1]!), pid: child.pid!, stop: () => stopChild(child, exited) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_GRACE_MS);
  });
  if ((await Promise.race([exited, grace])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
