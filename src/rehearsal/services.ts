/**
 * Embedded local object stores for rehearsals and tests: Azurite (Azure Blob) and s3rver
 * (S3), listening on 127.0.0.1 on free ports, stopped without leaving handles behind.
 */
import { spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';

/** Where a running Azurite answers, and the shared-key account it accepts. */
export interface AzuriteHandle {
  /** Blob service URL, e.g. `http://127.0.0.1:PORT/devstoreaccount1`. */
  endpoint: string;
  accountName: string;
  accountKey: string;
  stop(): Promise<void>;
}

/** Where a running s3rver answers, and the credentials it accepts. */
export interface S3rverHandle {
  /** e.g. `http://127.0.0.1:PORT`; use path-style addressing. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * `in-process` when this Node runs with the OpenSSL legacy provider, otherwise
   * `child-process` (see {@link startS3rver}).
   */
  mode: 'in-process' | 'child-process';
  stop(): Promise<void>;
}

export interface StartS3rverOptions {
  /** Directory s3rver keeps objects in. It grows: pass a temp dir and remove it after `stop()`. */
  directory: string;
  /** Buckets created at start. @default [] */
  buckets?: string[];
}

/** Source that registers an extra key pair with s3rver in a child process. */
const registerKeyPair = (accessKeyId: string, secretAccessKey: string) => `
  require(${JSON.stringify(require.resolve('s3rver/lib/models/account'))})
    .DUMMY_ACCOUNT.createKeyPair(${JSON.stringify(accessKeyId)}, ${JSON.stringify(secretAccessKey)});`;

// Azurite 3.37.0 internals (pinned in package.json): no typings ship for these deep modules.
interface AzuriteBlobServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}
type AzuriteBlobServerClass = new (config: unknown) => AzuriteBlobServer;
type AzuriteBlobConfigurationClass = new (...args: unknown[]) => unknown;
type MemoryChunkStoreClass = new (sizeLimit: number | undefined) => unknown;

/**
 * Starts Azurite's blob service in this process with in-memory persistence.
 *
 * Why in-process through deep imports: `require('azurite')` loads a VS Code extension, and
 * a child process would cost ~1.4 s per start. Telemetry is never initialised (it lives in
 * Azurite's CLI entry, not in BlobServer), which is what makes shutdown immediate offline.
 */
export async function startAzurite(options: {
  /** Most bytes of blob content kept in memory. @default half of the machine's memory (Azurite's own default) */
  memoryLimitBytes?: number;
} = {}): Promise<AzuriteHandle> {
  const BlobServer = (require('azurite/dist/src/blob/BlobServer') as { default: AzuriteBlobServerClass }).default;
  const BlobConfiguration = (require('azurite/dist/src/blob/BlobConfiguration') as { default: AzuriteBlobConfigurationClass }).default;
  const memory = require('azurite/dist/src/common/persistence/MemoryExtentStore') as {
    MemoryExtentChunkStore: MemoryChunkStoreClass;
    DEFAULT_EXTENT_MEMORY_LIMIT: number;
  };
  const constants = require('azurite/dist/src/blob/utils/constants') as {
    EMULATOR_ACCOUNT_NAME: string;
    EMULATOR_ACCOUNT_KEY_STR: string;
  };
  // A chunk store of its own: Azurite's default one is shared by every server in the process.
  const chunks = new memory.MemoryExtentChunkStore(options.memoryLimitBytes ?? memory.DEFAULT_EXTENT_MEMORY_LIMIT);
  const config = new BlobConfiguration(
    HOST, 0, 5,
    '__blobstorage__', '__blobextents__', [], // Loki names only: memory persistence writes no file
    false, undefined, false, undefined, // access log, debug log: silent
    true, // loose: accept headers Azurite does not implement instead of failing
    true, // skipApiVersionCheck: @azure/storage-blob 12.34 sends an x-ms-version Azurite rejects
    '', '', '', undefined, false,
    true, chunks, // in-memory persistence
  );
  const server = new BlobServer(config);
  await server.start();
  const port = new URL(server.getHttpServerAddress()).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${port}/${constants.EMULATOR_ACCOUNT_NAME}`,
    accountName: constants.EMULATOR_ACCOUNT_NAME,
    accountKey: constants.EMULATOR_ACCOUNT_KEY_STR,
    stop: () => (stopped ??= server.close().then(() => server.clean())),
  };
}

/**
 * Whether this process can use DES, which s3rver needs for ListObjectsV2 continuation
 * tokens. OpenSSL 3 only offers it with the legacy provider, and Node can only load that
 * provider at start (`node --openssl-legacy-provider` or NODE_OPTIONS): there is no API
 * to enable it later. Probing beats reading execArgv/NODE_OPTIONS: an OPENSSL_CONF file
 * can enable it too.
 */
export function hasLegacyOpenssl(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8)).final();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts s3rver in region `us-east-1` with fresh random credentials, so that a test can
 * check that a real-looking secret never leaks (`S3RVER`/`S3RVER` keeps working too).
 *
 * In this process when it runs with the OpenSSL legacy provider; otherwise in a child Node
 * started with `--openssl-legacy-provider`, because without it every truncated listing
 * (more than 1,000 keys) answers 500. Measured: `npx vitest` starts Node without the flag,
 * so tests get the child unless run as `NODE_OPTIONS=--openssl-legacy-provider npx vitest`.
 * The child exits when its stdin closes, so it cannot outlive a crashed parent.
 */
export async function startS3rver(options: StartS3rverOptions): Promise<S3rverHandle> {
  const serverOptions = {
    address: HOST,
    port: 0,
    directory: options.directory,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  };
  const credentials = {
    region: 'us-east-1',
    accessKeyId: `CLOUDEXIT${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  if (hasLegacyOpenssl()) {
    const accounts = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
    accounts.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
    const S3rver = require('s3rver') as new (opts: typeof serverOptions) => {
      run(): Promise<AddressInfo>;
      close(): Promise<void>;
    };
    const server = new S3rver(serverOptions);
    const address = await server.run();
    let stopped: Promise<void> | undefined;
    return {
      endpoint: `http://${HOST}:${address.port}`,
      ...credentials,
      mode: 'in-process',
      stop: () => (stopped ??= server.close()),
    };
  }
  return startS3rverChild(serverOptions, credentials, registerKeyPair(credentials.accessKeyId, credentials.secretAccessKey));
}

async function startS3rverChild(
  serverOptions: object,
  credentials: { region: string; accessKeyId: string; secretAccessKey: string },
  register: string,
): Promise<S3rverHandle> {
  const script = `${register}
    const S3rver = require(${JSON.stringify(require.resolve('s3rver'))});
    const server = new S3rver(${JSON.stringify(serverOptions)});
    server.run().then((address) => {
      process.stdout.write(JSON.stringify({ port: address.port }) + '\\n');
    }, (err) => { console.error(String(err)); process.exit(1); });
    const stop = () => server.close().finally(() => process.exit(0));
    process.stdin.on('end', stop).resume();
    process.on('SIGTERM', stop);
  `;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // 'close', not 'exit': only then are the child's stdio pipes released too.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver child exited with code ${code} before listening`)));
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${port}`,
    ...credentials,
    mode: 'child-process',
    stop: () => (stopped ??= (() => {
      child.stdin!.end();
      // A close stuck on a client's open connection must not hang the caller.
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      return exited.finally(() => clearTimeout(kill));
    })()),
  };
}

/** Creates a container on an Azure endpoint with a shared key; an existing one is fine. */
export async function createContainer(
  azure: { endpoint: string; accountName: string; accountKey: string },
  name: string,
): Promise<void> {
  const { ContainerClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
  const url = `${azure.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
  await new ContainerClient(url, new StorageSharedKeyCredential(azure.accountName, azure.accountKey)).createIfNotExists();
}

/** Creates a bucket on a path-style S3 endpoint; an existing one owned by us is fine. */
export async function createBucket(
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string },
  name: string,
): Promise<void> {
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw err;
  } finally {
    client.destroy();
  }
}
