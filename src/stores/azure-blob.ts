/**
 * ObjectStore on Azure Blob Storage (block blobs), the source side of a migration.
 * Multipart uploads map to staged blocks committed as one block list.
 */
import { randomBytes } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import { Readable } from 'node:stream';
import type { TokenCredential } from '@azure/identity';
import type { BlobHTTPHeaders, BlobServiceClient, ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import type {
  CompletedPart,
  ObjectHeaders,
  ObjectInfo,
  ObjectStore,
  OpenedObject,
  ReadOptions,
  WriteConditions,
  WriteMeta,
  WriteResult,
} from './object-store.ts';
import { createAzureReader } from './azure-read.ts';
import type { ListedBlob } from './azure-list-xml.ts';
import { createReadSasSource, type SasGrant } from './azure-sas.ts';
import { mapBodyErrors } from './http/body-errors.ts';
import { header, httpDate, prefixedHeaders } from './http/undici-pool.ts';
import { isListedAnswer, mergeCapabilities, type CapabilityOverrides, type StoreCapabilities } from './capabilities.ts';
import { decodeMetadata, encodeMetadata } from './metadata-encoding.ts';
import { lowerCaseNames, totalSize, unquote } from './properties.ts';
import {
  RETRIABLE_NETWORK_CODES,
  StoreError,
  notSupportedError,
  storeErrorFrom,
  uploadGoneError,
} from './store-error.ts';

/** How the adapter authenticates. */

/** Blobs asked for in a listing's first page (at most `listPageSize`). */
const FIRST_PAGE_SIZE = 200;
export type AzureCredential =
  /** Shared key of the storage account. */
  | { kind: 'key'; accountName: string; accountKey: string }
  /** A SAS token (with or without the leading `?`), scoped to the container or account. */
  | { kind: 'sas'; sasToken: string }
  /**
   * Entra ID: `DefaultAzureCredential` (environment, workload or managed identity, Azure
   * CLI), or the token credential given. Reads use a user-delegation SAS (azure-sas.ts).
   */
  | {
      kind: 'entra';
      /** Where tokens come from. @default DefaultAzureCredential, loaded on the first token request */
      tokens?: TokenCredential;
    };

export interface AzureBlobStoreOptions {
  /** Blob service URL: `https://ACCOUNT.blob.core.windows.net` or `http://127.0.0.1:PORT/devstoreaccount1` (Azurite). */
  endpoint: string;
  /** Container the store is bound to. */
  container: string;
  /** How to authenticate. Never appears in `description` or error messages. */
  credential: AzureCredential;
  /**
   * Most concurrent connections to the service, per connection pool: one for reads (undici,
   * signed with a SAS), one for the SDK's other calls. @default 50
   */
  maxSockets?: number;
  /** Time allowed for one request until its response headers arrive, upload body included. @default 300_000 */
  requestTimeoutMs?: number;
  /** Blobs per listing page (the service allows up to 5,000). @default 5000 */
  listPageSize?: number;
  /** Replaces fields of {@link AZURE_DECLARED_CAPABILITIES}. @default AZURE_DECLARED_CAPABILITIES, unchanged */
  capabilities?: CapabilityOverrides;
  /**
   * How long the read SAS the adapter signs itself (account key, Entra ID) is valid; it is
   * renewed with a sixth of this, at most 10 minutes, left. A SAS given as the credential is used as is.
   * @default 3_600_000
   */
  readSasLifetimeMs?: number;
}

/** What Azure Blob Storage does, from its documentation and measured on Azurite 3.37. */
export const AZURE_DECLARED_CAPABILITIES: StoreCapabilities = Object.freeze({
  // Azure ETags are version tags (`0x8DC…`), never an MD5: the blob's Content-MD5 proves content.
  etag: Object.freeze({ single: 'opaque', multipart: 'opaque', reportedAtComplete: true }),
  // A transactional Content-MD5 that does not match is refused (Md5Mismatch), on Put Blob and Put Block.
  checksContentMd5: true,
  // Names are C# identifiers: Azure refuses `-` (400 InvalidMetadata, measured on Azurite),
  // so the adapter writes every `-` as `_`, and names come back that way.
  metadataNames: 'hyphen-to-underscore',
  // Names and values together (Azure's documented limit; Azurite 3.37 does not enforce it).
  metadataLimitBytes: 8192,
  // Headers carry ASCII (Azurite answers 403 to a Latin-1 value): encoded as RFC 2047 words.
  metadataValuesUtf8: false,
  // Blob index tags (Set/Get Blob Tags; Azurite 3.37 has them). Not on accounts with a
  // hierarchical namespace (ADLS Gen2), and a SAS needs the `t` permission: probe there.
  tagging: true,
  // Put Block List sets headers and metadata when the blocks are committed.
  metadataAtComplete: true,
  checksumSha256: 'unknown',
  // Staged blocks expire after 7 days (or go at the blob's next commit); there is no upload
  // to list, and the commit then answers InvalidBlockList.
  uploadGone: Object.freeze({
    listParts: Object.freeze([]),
    uploadPart: Object.freeze([]),
    complete: Object.freeze(['InvalidBlockList']),
  }),
  // Put Blob documents If-None-Match: * and If-Match, but a service is trusted with them only
  // once the probe saw it refuse (Azurite answers 409 BlobAlreadyExists to If-None-Match: *).
  conditionalWrites: Object.freeze({ ifNoneMatch: false, ifMatch: false }),
});

/** Azure limits for block blobs (service version 2019-12-12 and later). */
const LIMITS = { maxParts: 50_000, minPartSize: 1, maxPartSize: 4000 * 1024 * 1024 } as const;
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const GENERIC_ERROR_NAMES = new Set(['Error', 'RestError', 'AbortError', 'TypeError']);

/** Creates an ObjectStore bound to one Azure Blob container. */
export function createAzureBlobStore(options: AzureBlobStoreOptions): ObjectStore {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const description = `azure-blob ${endpoint}/${options.container}`;
  const timeoutMs = options.requestTimeoutMs ?? 300_000;
  const pageSize = options.listPageSize ?? 5000;
  const { credential } = options;

  const sasQuery = credential.kind === 'sas' ? credential.sasToken.replace(/^\?/, '') : undefined;
  const containerUrl = `${endpoint}/${encodeURIComponent(options.container)}`;
  // The SDK's clients, made by the first call that needs one. Reads and listings go through
  // `reader` (undici, with a SAS signed once: azure-read.ts), so a copy from Azure never
  // builds a client or a pipeline.
  let sdk: Promise<SdkClients> | undefined;
  const clients = () => (sdk ??= sdkClients(endpoint, containerUrl, sasQuery, credential, options.maxSockets));
  const blob = async (key: string) => (await clients()).container.getBlockBlobClient(key);
  const grant: SasGrant =
    credential.kind === 'key'
      ? { kind: 'key', accountName: credential.accountName, accountKey: credential.accountKey }
      : credential.kind === 'sas'
        ? { kind: 'given', token: credential.sasToken }
        : {
            kind: 'delegation',
            service: async () => {
              const { service, container } = await clients();
              return { client: service, accountName: container.accountName };
            },
          };
  const lifetimeMs = options.readSasLifetimeMs ?? 3_600_000;
  const reader = createAzureReader({
    containerUrl,
    description,
    maxSockets: options.maxSockets,
    requestTimeoutMs: timeoutMs,
    sas: createReadSasSource(grant, {
      container: options.container,
      lifetimeMs,
      renewBeforeMs: Math.min(600_000, lifetimeMs / 6),
    }),
  });

  /**
   * Runs one SDK call under the request deadline and maps its failure. `deadline` is
   * passed by a listing, whose pages share the signal given when the iterator was made.
   */
  async function call<T>(
    op: string,
    key: string | undefined,
    run: (signal: AbortSignal) => Promise<T>,
    deadline = new AbortController(),
  ): Promise<T> {
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      return await run(deadline.signal);
    } catch (err) {
      throw toStoreError(err, op, key, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  function toStoreError(err: unknown, op: string, key: string | undefined, timedOut = false): StoreError {
    if (err instanceof StoreError) return err;
    // RestError: `code` is the service's x-ms-error-code, or a Node code for network failures.
    const e = err as {
      statusCode?: number;
      code?: string;
      name?: string;
      response?: { headers?: { get(name: string): string | undefined } };
    };
    return storeErrorFrom({
      op,
      key,
      store: description,
      timedOut,
      status: e.statusCode,
      // Without a code, a specific class name (CredentialUnavailableError, …) is the best label.
      storeCode: e.code ?? (e.name && !GENERIC_ERROR_NAMES.has(e.name) ? e.name : undefined),
      retryAfter: e.response?.headers?.get('retry-after'),
    });
  }

  const blockId = (uploadId: string, partNumber: number) =>
    Buffer.from(`${uploadId}-${String(partNumber).padStart(5, '0')}`).toString('base64');

  function checkUploadId(uploadId: string): void {
    // Azure refuses a blob whose blocks have ids of different lengths: ids must all come from this scheme.
    if (!UPLOAD_ID.test(uploadId))
      throw new RangeError(`not an upload id of ${description}: ${JSON.stringify(uploadId)}`);
  }

  /** The adapter behaving per `capabilities`, on the shared pipeline and its connections. */
  function storeWith(capabilities: StoreCapabilities): ObjectStore {
    const utf8 = capabilities.metadataValuesUtf8;
    const writeMetadata = (metadata: Record<string, string>) => azureNames(utf8 ? metadata : encodeMetadata(metadata));
    const readMetadata = (metadata: Record<string, string> | undefined) => {
      const named = lowerCaseNames(metadata);
      return named && !utf8 ? decodeMetadata(named) : named;
    };
    const tagging = (op: string, key: string) => {
      if (!capabilities.tagging)
        throw notSupportedError(op, key, description, 'blob index tags are not available on this account');
    };

    async function head(key: string): Promise<ObjectInfo | undefined> {
      try {
        const p = await call('head', key, async (abortSignal) => (await blob(key)).getProperties({ abortSignal }));
        return {
          key,
          size: p.contentLength ?? 0,
          etag: unquote(p.etag),
          md5: hex(p.contentMD5),
          lastModified: p.lastModified ?? new Date(0),
          ...headers(p),
          metadata: readMetadata(p.metadata),
        } satisfies ObjectInfo;
      } catch (err) {
        if (err instanceof StoreError && err.code === 'NotFound') return undefined;
        throw err;
      }
    }

    return {
      description,
      limits: LIMITS,
      capabilities,

      withCapabilities(overrides) {
        return storeWith(mergeCapabilities(capabilities, overrides));
      },

      async *list(prefix) {
        // Through the lean reader (azure-read.ts, azure-list-xml.ts). A short first page: a copy
        // fed by the listing (engine/copy.ts) starts on it while the next ones are prepared.
        let marker: string | undefined;
        let size = Math.min(pageSize, FIRST_PAGE_SIZE);
        do {
          const page = await reader.listPage(prefix, marker, size);
          for (const blob of page.blobs) yield listedInfo(blob, readMetadata);
          marker = page.nextMarker;
          size = pageSize;
        } while (marker);
      },

      head,

      async read(key, { range, ifMatch }: ReadOptions = {}): Promise<OpenedObject> {
        if (range?.length === 0) {
          // Azure reads a zero count as "to the end": answer an empty range from a HEAD.
          const info = await head(key);
          if (!info)
            throw storeErrorFrom({ op: 'read', key, store: description, status: 404, storeCode: 'BlobNotFound' });
          if (ifMatch !== undefined && info.etag !== unquote(ifMatch)) {
            throw storeErrorFrom({ op: 'read', key, store: description, status: 412, storeCode: 'ConditionNotMet' });
          }
          return { body: Readable.from([]), info: { ...info, md5: undefined } };
        }
        const res = await reader.get(key, range, ifMatch === undefined ? undefined : `"${unquote(ifMatch)}"`);
        const wire = (name: string) => header(res.headers, name);
        const info: ObjectInfo = {
          key,
          size: totalSize(wire('content-range')) ?? Number(wire('content-length') ?? 0),
          etag: unquote(wire('etag')),
          lastModified: httpDate(wire('last-modified')),
          ...headers({
            contentType: wire('content-type'),
            contentEncoding: wire('content-encoding'),
            contentLanguage: wire('content-language'),
            contentDisposition: wire('content-disposition'),
            cacheControl: wire('cache-control'),
          }),
          metadata: readMetadata(prefixedHeaders(res.headers, 'x-ms-meta-')),
        };
        const md5 = range ? undefined : hexOfBase64(wire('x-ms-blob-content-md5') ?? wire('content-md5'));
        if (md5) info.md5 = md5;
        // Once headers have arrived, a dropped connection (or any failure of the body) means a
        // premature end: worth another attempt.
        const body = mapBodyErrors(res.body, (err) =>
          storeErrorFrom({
            op: 'read',
            key,
            store: description,
            timedOut: (err as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT',
            storeCode: networkCode(err) ?? 'ERR_STREAM_PREMATURE_CLOSE',
          }),
        );
        return { body, info };
      },

      async put(key, body, md5, meta, conditions): Promise<WriteResult> {
        const res = await call('put', key, async (abortSignal) =>
          (await blob(key)).upload(body, body.byteLength, {
            abortSignal,
            transactionalContentMD5: md5,
            blobHTTPHeaders: httpHeaders(meta, meta.md5 ?? md5),
            metadata: writeMetadata(meta.metadata),
            ...(conditions ? { conditions: writeConditions(conditions) } : {}),
          }),
        ).catch((err: unknown) => {
          // Azure refuses If-None-Match: * on an existing blob with 409 BlobAlreadyExists: the
          // same refusal as a failed If-Match (412), one neutral code for both.
          if (conditions?.ifNoneMatch && err instanceof StoreError && err.storeCode === 'BlobAlreadyExists')
            throw storeErrorFrom({ op: 'put', key, store: description, status: 412, storeCode: 'BlobAlreadyExists' });
          throw err;
        });
        return { etag: unquote(res.etag), etagSource: 'response' };
      },

      // Nothing exists on Azure until a block is staged; `meta` is applied at commit.
      async createMultipart() {
        return randomBytes(16).toString('hex');
      },

      async uploadPart(key, uploadId, partNumber, body, md5) {
        checkUploadId(uploadId);
        const res = await call('uploadPart', key, async (abortSignal) =>
          (await blob(key)).stageBlock(blockId(uploadId, partNumber), body, body.byteLength, {
            abortSignal,
            transactionalContentMD5: md5,
          }),
        );
        // A block has no ETag: the MD5 the service confirmed for it is the closest proof.
        return hex(res.contentMD5) ?? Buffer.from(md5).toString('hex');
      },

      async completeMultipart(key, uploadId, parts: readonly CompletedPart[], meta) {
        checkUploadId(uploadId);
        const ids = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => blockId(uploadId, p.partNumber));
        try {
          const res = await call('completeMultipart', key, async (abortSignal) =>
            (await blob(key)).commitBlockList(ids, {
              abortSignal,
              blobHTTPHeaders: httpHeaders(meta, meta.md5),
              metadata: writeMetadata(meta.metadata),
            }),
          );
          return { etag: unquote(res.etag), etagSource: 'response' };
        } catch (err) {
          // There is no upload to ask about: a 4xx the capabilities list is the answer.
          const clientError =
            err instanceof StoreError && err.status !== undefined && err.status >= 400 && err.status < 500;
          if (clientError && isListedAnswer(capabilities.uploadGone.complete, err))
            throw uploadGoneError(err, description);
          throw err;
        }
      },

      // Azure cannot drop staged blocks: it discards uncommitted blocks after 7 days, or at
      // the next commit of the blob. Nothing to do, and nothing that can fail.
      async abortMultipart() {},

      async putTags(key, tags) {
        tagging('putTags', key);
        await call('putTags', key, async (abortSignal) => (await blob(key)).setTags({ ...tags }, { abortSignal }));
      },

      async getTags(key) {
        tagging('getTags', key);
        try {
          const res = await call('getTags', key, async (abortSignal) => (await blob(key)).getTags({ abortSignal }));
          return { ...res.tags };
        } catch (err) {
          if (err instanceof StoreError && err.code === 'NotFound') return undefined;
          throw err;
        }
      },

      async delete(key) {
        await call('delete', key, async (abortSignal) => (await blob(key)).deleteIfExists({ abortSignal }));
      },

      // Azure ETags are opaque; the whole-object Content-MD5 (`md5`) proves content instead.
      expectedEtag() {
        return undefined;
      },
    };
  }

  return storeWith(mergeCapabilities(AZURE_DECLARED_CAPABILITIES, options.capabilities));
}

/**
 * Metadata names as Azure accepts them: C# identifiers, so every `-` is written `_`
 * (`cloudexit-sha256` becomes `cloudexit_sha256`; capabilities.metadataNames says so).
 * Two names that would collide are refused rather than one value silently dropped.
 */
function azureNames(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    const azure = name.replace(/-/g, '_');
    if (azure in out)
      throw new RangeError(`metadata names "${name}" and another one are both "${azure}" on Azure Blob Storage`);
    out[azure] = value;
  }
  return out;
}

interface SdkClients {
  container: ContainerClient;
  service: BlobServiceClient;
}

/** The SDK's clients on one pipeline: keep-alive connections, one try (the engine retries). */
async function sdkClients(
  endpoint: string,
  containerUrl: string,
  sasQuery: string | undefined,
  credential: AzureCredential,
  maxSockets = 50,
): Promise<SdkClients> {
  const [sdk, http, https] = await Promise.all([
    import('@azure/storage-blob'),
    import('node:http'),
    import('node:https'),
  ]);
  const auth =
    credential.kind === 'key'
      ? new sdk.StorageSharedKeyCredential(credential.accountName, credential.accountKey)
      : credential.kind === 'sas'
        ? new sdk.AnonymousCredential()
        : entraTokens(credential);
  const agentOptions = { keepAlive: true, maxSockets };
  // `agent` is honoured by core-rest-pipeline's createPipelineFromOptions, to which
  // storage-blob forwards its pipeline options, but StoragePipelineOptions does not declare it.
  const pipelineOptions: StoragePipelineOptions & { agent: HttpAgent } = {
    // One try: the engine owns the retry policy, and SDK retries would multiply its attempts.
    retryOptions: { maxTries: 1 },
    keepAliveOptions: { enable: true },
    agent: endpoint.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions),
  };
  const pipeline = sdk.newPipeline(auth, pipelineOptions);
  return {
    container: new sdk.ContainerClient(sasQuery === undefined ? containerUrl : `${containerUrl}?${sasQuery}`, pipeline),
    service: new sdk.BlobServiceClient(endpoint, pipeline),
  };
}

/**
 * The token credential of an Entra ID credential: the one given, or `DefaultAzureCredential`
 * loaded on the first token request. `@azure/identity` takes about 200 ms to import
 * (measured), which every run would pay although only Entra sign-in needs it: key and SAS
 * runs never load it. Errors (CredentialUnavailableError, …) reach the caller from getToken
 * exactly as before.
 */
export function entraTokens(credential: Extract<AzureCredential, { kind: 'entra' }>): TokenCredential {
  if (credential.tokens) return credential.tokens;
  let loaded: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      loaded ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
      return (await loaded).getToken(scopes, options);
    },
  };
}

function networkCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && RETRIABLE_NETWORK_CODES.has(code) ? code : undefined;
}

function httpHeaders(meta: WriteMeta, md5: Uint8Array | undefined): BlobHTTPHeaders {
  return {
    blobContentType: meta.contentType,
    blobContentEncoding: meta.contentEncoding,
    blobContentLanguage: meta.contentLanguage,
    blobContentDisposition: meta.contentDisposition,
    blobCacheControl: meta.cacheControl,
    blobContentMD5: md5,
  };
}

function headers(p: ObjectHeaders & { contentType?: string }): ObjectHeaders {
  const out: ObjectHeaders = {};
  if (p.contentType) out.contentType = p.contentType;
  if (p.contentEncoding) out.contentEncoding = p.contentEncoding;
  if (p.contentLanguage) out.contentLanguage = p.contentLanguage;
  if (p.contentDisposition) out.contentDisposition = p.contentDisposition;
  if (p.cacheControl) out.cacheControl = p.cacheControl;
  return out;
}

/** A blob of a List Blobs page as the ObjectStore contract gives it (as head() does from headers). */
function listedInfo(
  blob: ListedBlob,
  readMetadata: (metadata: Record<string, string> | undefined) => Record<string, string> | undefined,
): ObjectInfo {
  const p = blob.properties;
  return {
    key: blob.name,
    size: Number(p['Content-Length'] ?? 0),
    etag: unquote(p['Etag']),
    md5: hexOfBase64(p['Content-MD5']),
    lastModified: httpDate(p['Last-Modified']),
    ...headers({
      contentType: p['Content-Type'],
      contentEncoding: p['Content-Encoding'],
      contentLanguage: p['Content-Language'],
      contentDisposition: p['Content-Disposition'],
      cacheControl: p['Cache-Control'],
    }),
    // Azurite leaves <Metadata> out for a blob without any, Azure sends it empty: both are {} as from head().
    metadata: readMetadata(blob.metadata ?? {}),
  };
}

function hexOfBase64(base64: string | undefined): string | undefined {
  return base64 ? hex(Buffer.from(base64, 'base64')) : undefined;
}

function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes && bytes.byteLength > 0 ? Buffer.from(bytes).toString('hex') : undefined;
}

/** Conditions as the SDK sends them: ETags quoted, as Azure reports them. */
function writeConditions(conditions: WriteConditions): { ifNoneMatch?: string; ifMatch?: string } {
  const out: { ifNoneMatch?: string; ifMatch?: string } = {};
  if (conditions.ifNoneMatch !== undefined) out.ifNoneMatch = conditions.ifNoneMatch;
  if (conditions.ifMatch !== undefined) out.ifMatch = `"${conditions.ifMatch}"`;
  return out;
}
