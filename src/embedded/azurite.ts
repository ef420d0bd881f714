/**
 * Embedded Azurite (Azure Blob) for rehearsals and tests: in this process, in memory, on
 * 127.0.0.1 on a free port, stopped without leaving handles behind.
 */
import { createRequire } from 'node:module';
import { HOST } from './loopback.ts';

const require = createRequire(import.meta.url);

/** Where a running Azurite answers, and the shared-key account it accepts. */
export interface AzuriteHandle {
  /** Blob service URL, e.g. `http://127.0.0.1:PORT/devstoreaccount1`. */
  endpoint: string;
  accountName: string;
  accountKey: string;
  stop(): Promise<void>;
}

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
export async function startAzurite(
  options: {
    /** Most bytes of blob content kept in memory. @default half of the machine's memory (Azurite's own default) */
    memoryLimitBytes?: number;
    /** HTTPS with this certificate and key (PEM files), which Entra ID tokens need. @default plain HTTP */
    https?: { certFile: string; keyFile: string };
    /**
     * Also accept Entra ID bearer tokens, and issue user delegation keys. Azurite checks a
     * token's issuer, audience and lifetime, not its signature. Needs `https`. @default false
     */
    oauth?: boolean;
  } = {},
): Promise<AzuriteHandle> {
  const BlobServer = (require('azurite/dist/src/blob/BlobServer') as { default: AzuriteBlobServerClass }).default;
  const BlobConfiguration = (
    require('azurite/dist/src/blob/BlobConfiguration') as { default: AzuriteBlobConfigurationClass }
  ).default;
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
    HOST,
    0,
    5,
    '__blobstorage__',
    '__blobextents__',
    [], // Loki names only: memory persistence writes no file
    false,
    undefined,
    false,
    undefined, // access log, debug log: silent
    true, // loose: accept headers Azurite does not implement instead of failing
    true, // skipApiVersionCheck: @azure/storage-blob 12.34 sends an x-ms-version Azurite rejects
    options.https?.certFile ?? '',
    options.https?.keyFile ?? '',
    '',
    options.oauth ? 'basic' : undefined,
    false,
    true,
    chunks, // in-memory persistence
  );
  const server = new BlobServer(config);
  await server.start();
  const port = new URL(server.getHttpServerAddress()).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `${options.https ? 'https' : 'http'}://${HOST}:${port}/${constants.EMULATOR_ACCOUNT_NAME}`,
    accountName: constants.EMULATOR_ACCOUNT_NAME,
    accountKey: constants.EMULATOR_ACCOUNT_KEY_STR,
    stop: () => (stopped ??= server.close().then(() => server.clean())),
  };
}

/** Creates a container on an Azure endpoint with a shared key; an existing one is fine. */
export async function createContainer(
  azure: { endpoint: string; accountName: string; accountKey: string },
  name: string,
): Promise<void> {
  const { ContainerClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
  const url = `${azure.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
  await new ContainerClient(
    url,
    new StorageSharedKeyCredential(azure.accountName, azure.accountKey),
  ).createIfNotExists();
}
