/**
 * Embedded s3rver (S3) for rehearsals and tests: on 127.0.0.1 on a free port, with fresh
 * random credentials, stopped without leaving handles behind.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { HOST } from './loopback.ts';
import { startS3rverChild } from './s3rver-child.ts';
import type { S3rverHandle } from './s3rver-handle.ts';

const require = createRequire(import.meta.url);

export type { S3rverHandle } from './s3rver-handle.ts';

export interface StartS3rverOptions {
  /** Directory s3rver keeps objects in. It grows: pass a temp dir and remove it after `stop()`. */
  directory: string;
  /** Buckets created at start. @default [] */
  buckets?: string[];
}

/**
 * Whether this process can use DES, which s3rver needs for ListObjectsV2 continuation
 * tokens. OpenSSL 3 only offers it with the legacy provider, and Node can only load that
 * provider at start (`node --openssl-legacy-provider` or NODE_OPTIONS): there is no API
 * to enable it later. Probing beats reading execArgv/NODE_OPTIONS: an OPENSSL_CONF file
 * can enable it too.
 */
function hasLegacyOpenssl(): boolean {
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
  if (!hasLegacyOpenssl()) return startS3rverChild(serverOptions, credentials);
  const accounts = require('s3rver/lib/models/account') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
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
