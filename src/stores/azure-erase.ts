/**
 * `SourceEraser` on Azure Blob Storage: lists a container's blobs with their versions,
 * snapshots and soft-deleted items (`List Blobs` with `include=versions,snapshots,deleted`,
 * service version 2019-12-12 or later), deletes a blob with its snapshots
 * (`x-ms-delete-snapshots: include`), a version (`versionid=`) or a snapshot (`snapshot=`),
 * and purges a soft-deleted version or snapshot (`deletetype=permanent`, 2020-02-10 or
 * later; only where the account allows permanent delete). The SDK offers no permanent delete
 * on purpose (its maintainers fear accidents), so the purge adds the query parameter to the
 * item's URL and sends an ordinary Delete Blob through the same pipeline.
 *
 * Azurite 3.37 has snapshots but neither versions nor soft delete (nor permanent delete):
 * those paths are tested through a proxy in front of Azurite that answers as Azure's REST
 * documentation says (test/decommission/azure-answer-proxy.ts).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { TokenCredential } from '@azure/identity';
import {
  AnonymousCredential,
  BlobClient,
  ContainerClient,
  StorageSharedKeyCredential,
  newPipeline,
  type BlobItem,
  type Pipeline,
} from '@azure/storage-blob';
import { entraTokens, type AzureCredential } from './azure-blob.ts';
import type { EraseOutcome, ErasureCapabilities, PurgeOutcome, SourceEntry, SourceEraser } from './source-eraser.ts';

/** What an Azure storage account can hold and let a client remove (whether it does is the account's setting). */
export const AZURE_ERASURE_CAPABILITIES: ErasureCapabilities = Object.freeze({
  versions: true,
  snapshots: true,
  softDelete: true,
  purgeVersionsAndSnapshots: true,
});

export interface AzureEraserOptions {
  /** Blob service URL: `https://ACCOUNT.blob.core.windows.net` or `http://127.0.0.1:PORT/devstoreaccount1` (Azurite). */
  endpoint: string;
  /** The container whose blobs are erased. */
  container: string;
  /** How to authenticate. Never appears in `description` or error messages. */
  credential: AzureCredential;
  /** Items per listing page (the service allows up to 5,000). @default 5000 */
  listPageSize?: number;
}

/** Creates an eraser bound to one Azure Blob container. */
export function createAzureEraser(options: AzureEraserOptions): SourceEraser {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const { container, pipeline } = containerClient(endpoint, options.container, options.credential);
  const pageSize = options.listPageSize ?? 5000;

  /** The client of one item: the blob, one of its versions or one of its snapshots. */
  const itemClient = (entry: SourceEntry): BlobClient => {
    const blob = container.getBlobClient(entry.key);
    if (entry.snapshot !== undefined) return blob.withSnapshot(entry.snapshot);
    return entry.versionId !== undefined ? blob.withVersion(entry.versionId) : blob;
  };

  return {
    description: `azure-blob ${endpoint}/${options.container}`,
    capabilities: AZURE_ERASURE_CAPABILITIES,
    async *list(prefix) {
      const pages = container
        .listBlobsFlat({ prefix, includeSnapshots: true, includeVersions: true, includeDeleted: true })
        .byPage({ maxPageSize: pageSize });
      for await (const page of pages) for (const item of page.segment.blobItems) yield entryOf(item);
    },
    async erase(entry): Promise<EraseOutcome> {
      const client = itemClient(entry);
      if (entry.kind !== 'current') return gone404(() => client.delete());
      // Snapshots go with their blob (Azure refuses to delete a blob that has some otherwise);
      // If-Match: a blob rewritten since it was listed (and checked against the ledger) stays.
      try {
        return await gone404(() => client.delete({ deleteSnapshots: 'include', conditions: { ifMatch: entry.etag } }));
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
        // 412 answers a blob that changed, and (Azurite, HTTP's rule) one that no longer exists.
        return (await gone404(() => client.getProperties())) === 'gone' ? 'gone' : 'changed';
      }
    },
    async purge(entry): Promise<PurgeOutcome> {
      if (entry.snapshot === undefined && entry.versionId === undefined) return 'not-allowed';
      const url = new URL(itemClient(entry).url);
      url.searchParams.set('deletetype', 'permanent');
      try {
        const outcome = await gone404(() => new BlobClient(url.toString(), pipeline).delete());
        return outcome === 'deleted' ? 'purged' : 'gone';
      } catch (err) {
        // Azure's documentation names no single status for an account that does not allow permanent
        // delete; a refusal by policy is a 403 or a 409. Either way the item stays until its retention
        // ends, and the certificate says until when. Any other error is not hidden.
        if (statusOf(err) === 409 || statusOf(err) === 403) return 'not-allowed';
        throw err;
      }
    },
  };
}

function entryOf(item: BlobItem): SourceEntry {
  const p = item.properties;
  const base = {
    key: item.name,
    etag: (p.etag ?? '').replace(/^"|"$/g, ''),
    size: p.contentLength ?? 0,
    lastModified: p.lastModified.toISOString(),
    versionId: item.versionId || undefined,
    snapshot: item.snapshot || undefined,
    remainingRetentionDays: undefined,
  };
  if (item.deleted) return { ...base, kind: 'deleted', remainingRetentionDays: p.remainingRetentionDays };
  if (base.snapshot) return { ...base, kind: 'snapshot', versionId: undefined };
  // With versioning on, the current blob is listed with its own version id (IsCurrentVersion): it is the blob.
  if (base.versionId && !item.isCurrentVersion) return { ...base, kind: 'version' };
  return { ...base, kind: 'current', versionId: undefined };
}

async function gone404(run: () => Promise<unknown>): Promise<'deleted' | 'gone'> {
  try {
    await run();
    return 'deleted';
  } catch (err) {
    if (statusOf(err) === 404) return 'gone';
    throw err;
  }
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

function containerClient(
  endpoint: string,
  name: string,
  credential: AzureCredential,
): { container: ContainerClient; pipeline: Pipeline } {
  let url = `${endpoint}/${encodeURIComponent(name)}`;
  let auth: StorageSharedKeyCredential | AnonymousCredential | TokenCredential;
  if (credential.kind === 'key') auth = new StorageSharedKeyCredential(credential.accountName, credential.accountKey);
  else if (credential.kind === 'sas') {
    auth = new AnonymousCredential();
    url += `?${credential.sasToken.replace(/^\?/, '')}`;
  } else auth = entraTokens(credential);
  const agentOptions = { keepAlive: true, maxSockets: 16 };
  const pipeline = newPipeline(auth, {
    keepAliveOptions: { enable: true },
    // Declared by core-rest-pipeline, forwarded by storage-blob, absent from its options type.
    agent: endpoint.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions),
  } as Parameters<typeof newPipeline>[1]);
  return { container: new ContainerClient(url, pipeline), pipeline };
}
