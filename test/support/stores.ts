/**
 * Adapters bound to fresh, uniquely named containers and buckets on the servers the
 * global setup started, so test files and tests never see each other's objects.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createContainer } from '../../src/embedded/azurite.ts';
import { createBucket } from '../../src/embedded/s3rver.ts';
import { createAzureBlobStore, type AzureBlobStoreOptions, type AzureCredential } from '../../src/stores/azure-blob.ts';
import type { CapabilityOverrides } from '../../src/stores/capabilities.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { createS3Store, type S3StoreOptions } from '../../src/stores/s3.ts';

/** A name valid as an Azure container and an S3 bucket: lower case, digits, `-`, 3–63 chars. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** How a test reaches the server: through a fault proxy, with its own connection settings. */
export interface Via {
  /** `http://127.0.0.1:PORT` of a proxy in front of the server. @default the server itself */
  origin?: string;
  /** @default the adapter's default */
  maxSockets?: number;
  /** @default the adapter's default */
  requestTimeoutMs?: number;
}

export interface StoreUnderTest {
  store: ObjectStore;
  /** Secret values that must never appear in an error. */
  secrets: string[];
  /** Another adapter instance on the same container or bucket, as a later session would open. */
  reopen(via?: Via): ObjectStore;
}

/** Origin (`http://127.0.0.1:PORT`) of the shared Azurite. */
export function azuriteOrigin(): string {
  return new URL(inject('azurite').endpoint).origin;
}

/** Origin of the shared s3rver. */
export function s3rverOrigin(): string {
  return inject('s3rver').endpoint;
}

/** An Azure adapter on a new container of the shared Azurite. */
export async function freshAzureStore(
  options: {
    /** How the adapter authenticates, possibly for the new container's name (a container SAS). @default the account key */
    credential?: AzureCredential | ((container: string) => AzureCredential);
    via?: Via;
  } & Partial<Pick<AzureBlobStoreOptions, 'listPageSize' | 'requestTimeoutMs'>> = {},
): Promise<StoreUnderTest & { container: string }> {
  const azurite = inject('azurite');
  const container = uniqueName('az');
  await createContainer(azurite, container);
  const { via, credential: _credential, ...rest } = options;
  const credential = typeof options.credential === 'function' ? options.credential(container) : options.credential;
  const open = (v: Via | undefined) =>
    createAzureBlobStore({
      ...rest,
      ...tuning(v),
      endpoint: v?.origin ? `${v.origin}${new URL(azurite.endpoint).pathname}` : azurite.endpoint,
      container,
      credential: credential ?? { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
    });
  const secrets = [azurite.accountKey];
  if (credential?.kind === 'sas')
    secrets.push(credential.sasToken, new URLSearchParams(credential.sasToken).get('sig') ?? '');
  return { store: open(via), secrets, reopen: open, container };
}

/** Origin of the shared Ceph RGW. */
export function rgwOrigin(): string {
  return inject('rgw').endpoint;
}

/** The S3 servers of the suite: s3rver (a fast fake) and Ceph RGW (a real implementation). */
export type S3Server = 's3rver' | 'rgw';

/**
 * What each S3 server of the suite does beyond the S3 adapter's declared (conservative)
 * capabilities, as `cloudexit probe` measures it — test/stores/probe.test.ts asserts the
 * probe finds exactly these, and the conformance suite that the servers really behave so.
 * Stores of `freshS3Store` get them, as the app passes a probe report to its target.
 */
export const S3_SERVER_CAPABILITIES: Readonly<Record<S3Server, CapabilityOverrides>> = {
  s3rver: {
    etag: { single: 'md5', multipart: 'whole-md5', reportedAtComplete: true },
    checksContentMd5: false,
    metadataNames: 'kept',
    // The largest size the probe tries: s3rver sets no limit of its own.
    metadataLimitBytes: 12_288,
    tagging: true,
  },
  rgw: {
    etag: { single: 'md5', multipart: 'part-md5s', reportedAtComplete: false },
    checksContentMd5: true,
    metadataNames: 'underscore-to-hyphen',
    // The largest size the probe tries (16 KiB is refused and the connection closed).
    metadataLimitBytes: 12_288,
    tagging: true,
    // RGW 16.2 refuses a PUT whose If-None-Match: * or (unquoted) If-Match fails: 412.
    conditionalWrites: { ifNoneMatch: true, ifMatch: true },
  },
};

/** An S3 adapter on a new bucket of the shared s3rver, or of the shared RGW. */
export async function freshS3Store(
  options: {
    via?: Via;
    server?: S3Server;
    /** `declared`: the adapter's own capabilities, as on a target nobody probed. @default S3_SERVER_CAPABILITIES[server] */
    capabilities?: CapabilityOverrides | 'declared';
  } & Partial<Pick<S3StoreOptions, 'listPageSize' | 'requestTimeoutMs' | 'flexibleChecksums'>> = {},
): Promise<StoreUnderTest & { bucket: string }> {
  const server = options.server ?? 's3rver';
  const s3rver = inject(server);
  const bucket = uniqueName('s3');
  await createBucket(s3rver, bucket);
  const { via, server: _server, capabilities: chosen, ...rest } = options;
  const capabilities = chosen === 'declared' ? undefined : (chosen ?? S3_SERVER_CAPABILITIES[server]);
  const open = (v: Via | undefined) =>
    createS3Store({
      ...rest,
      ...tuning(v),
      ...(capabilities ? { capabilities } : {}),
      endpoint: v?.origin ?? s3rver.endpoint,
      region: s3rver.region,
      bucket,
      forcePathStyle: true,
      credentials: { accessKeyId: s3rver.accessKeyId, secretAccessKey: s3rver.secretAccessKey },
    });

  return { store: open(via), secrets: [s3rver.secretAccessKey], reopen: open, bucket };
}

function tuning(via: Via | undefined): { maxSockets?: number; requestTimeoutMs?: number } {
  const out: { maxSockets?: number; requestTimeoutMs?: number } = {};
  if (via?.maxSockets !== undefined) out.maxSockets = via.maxSockets;
  if (via?.requestTimeoutMs !== undefined) out.requestTimeoutMs = via.requestTimeoutMs;
  return out;
}
