/**
 * The read-and-list SAS the Azure adapter's hot path (azure-read.ts) signs its GETs and
 * its listings with, obtained through the official SDK once and renewed before it expires: a service SAS
 * from the account key, a user-delegation SAS for Entra ID, or the SAS the plan gave.
 * Why a SAS instead of the SDK's own credential: a shared-key signature costs an HMAC and
 * a canonical string per request; a SAS is signed once, and a GET only appends it.
 */
import type { BlobServiceClient } from '@azure/storage-blob';

/** Where the SAS comes from. */
export type SasGrant =
  /** A SAS given by the user: used as is (its owner chose its expiry). */
  | { kind: 'given'; token: string }
  /** A service SAS on the container, signed with the account key. */
  | { kind: 'key'; accountName: string; accountKey: string }
  /**
   * A user-delegation SAS (Entra ID), from a user delegation key the service issues; the
   * client is asked for when the first SAS is signed.
   */
  | { kind: 'delegation'; service: () => Promise<{ client: BlobServiceClient; accountName: string }> };

export interface ReadSasOptions {
  /** Container the SAS grants reads on. */
  container: string;
  /** How long a SAS this adapter signs is valid. @default 3_600_000 (one hour) */
  lifetimeMs?: number;
  /** A SAS is replaced once it has less than this left, so no request carries one about to expire. @default 600_000 */
  renewBeforeMs?: number;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** A SAS and the service version it was signed for (what requests send as `x-ms-version`). */
export interface ReadSas {
  /** The query string, without a leading `?`. A secret: never logged, never in an error. */
  query: string;
  version: string;
}

/**
 * Gives the current SAS, signing a new one when none is left with `renewBeforeMs` to run.
 * Concurrent callers share one signing.
 */
export type ReadSasSource = () => Promise<ReadSas>;

/**
 * The service version sent with a given SAS that names none: the one @azure/storage-blob
 * 12.34 signs for (its SERVICE_VERSION).
 */
const DEFAULT_VERSION = '2026-10-06';
/** Clock skew allowed on the user delegation key's start: Azure refuses a start in its future. */
const SKEW_MS = 5 * 60_000;

export function createReadSasSource(grant: SasGrant, options: ReadSasOptions): ReadSasSource {
  if (grant.kind === 'given') {
    const query = grant.token.replace(/^\?/, '');
    const sas = { query, version: new URLSearchParams(query).get('sv') ?? DEFAULT_VERSION };
    return () => Promise.resolve(sas);
  }
  const signer: Exclude<SasGrant, { kind: 'given' }> = grant;
  const now = options.now ?? Date.now;
  const lifetimeMs = options.lifetimeMs ?? 3_600_000;
  const renewBeforeMs = Math.min(options.renewBeforeMs ?? 600_000, lifetimeMs / 2);
  let current: { sas: ReadSas; expiresAt: number } | undefined;
  let signing: Promise<ReadSas> | undefined;

  async function sign(): Promise<ReadSas> {
    const startedAt = now();
    const expiresOn = new Date(startedAt + lifetimeMs);
    // Loaded when the first SAS is signed. This loads the whole SDK (its SAS module imports
    // the HTTP pipeline; about 55 ms of CPU per run), but builds no client or pipeline.
    const { ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } =
      await import('@azure/storage-blob');
    const values = { containerName: options.container, permissions: ContainerSASPermissions.parse('rl'), expiresOn };
    let params;
    if (signer.kind === 'key') {
      const key = new StorageSharedKeyCredential(signer.accountName, signer.accountKey);
      params = generateBlobSASQueryParameters(values, key);
    } else {
      const startsOn = new Date(startedAt - SKEW_MS);
      const { client, accountName } = await signer.service();
      const key = await client.getUserDelegationKey(startsOn, expiresOn);
      params = generateBlobSASQueryParameters({ ...values, startsOn }, key, accountName);
    }
    const sas = { query: params.toString(), version: params.version };
    current = { sas, expiresAt: expiresOn.getTime() };
    return sas;
  }

  return () => {
    if (current && now() < current.expiresAt - renewBeforeMs) return Promise.resolve(current.sas);
    signing ??= sign().finally(() => {
      signing = undefined;
    });
    return signing;
  };
}
