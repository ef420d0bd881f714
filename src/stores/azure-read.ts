/**
 * Azure Blob reads (Get Blob, ranged, If-Match; List Blobs) over an undici keep-alive pool,
 * signed by appending a read-and-list SAS (azure-sas.ts): per object, the bytes and no
 * pipeline of policies, no shared-key HMAC; per listed blob, a scan of its XML
 * (azure-list-xml.ts) instead of the SDK's parser and deserializer. Answers are mapped to
 * StoreErrors as the SDK path maps them (the service's `x-ms-error-code`, the status); the
 * SAS never reaches an error.
 */
import type { Dispatcher } from 'undici';
import { createEnvProxyPools, header, networkFailure, type HttpPoolOptions } from './http/undici-pool.ts';
import type { ReadSasSource } from './azure-sas.ts';
import { BlobListFormatError, parseBlobList, type BlobListPage } from './azure-list-xml.ts';
import { StoreError, storeErrorFrom } from './store-error.ts';

export interface AzureReaderOptions extends HttpPoolOptions {
  /** The container's URL, without a query: `http://127.0.0.1:PORT/devstoreaccount1/container`. */
  containerUrl: string;
  /** The store's description, for errors. */
  description: string;
  sas: ReadSasSource;
}

export interface AzureReader {
  /** Get Blob of the whole blob or of `range`; the body is the caller's to consume or destroy. */
  get(
    key: string,
    range: { offset: number; length: number } | undefined,
    ifMatch: string | undefined,
  ): Promise<Pick<Dispatcher.ResponseData, 'statusCode' | 'headers' | 'body'>>;
  /** One page of List Blobs (with metadata) under `prefix`, from `marker`; at most `maxResults` blobs. */
  listPage(prefix: string, marker: string | undefined, maxResults: number): Promise<BlobListPage>;
  close(): Promise<void>;
}

export function createAzureReader(options: AzureReaderOptions): AzureReader {
  const url = new URL(options.containerUrl);
  // Through HTTPS_PROXY/HTTP_PROXY (unless NO_PROXY), as the SDK's own requests go.
  const pool = createEnvProxyPools(options);
  const { origin } = url;
  const containerPath = url.pathname.replace(/\/+$/, '');
  const { description } = options;

  return {
    async get(key, range, ifMatch) {
      let response: Dispatcher.ResponseData;
      try {
        const sas = await options.sas();
        const headers: Record<string, string> = { 'x-ms-version': sas.version };
        if (range) headers['x-ms-range'] = `bytes=${range.offset}-${range.offset + range.length - 1}`;
        if (ifMatch !== undefined) headers['if-match'] = ifMatch;
        response = await pool.request({
          origin,
          method: 'GET',
          path: `${blobPath(containerPath, key)}?${sas.query}`,
          headers,
        });
      } catch (err) {
        throw networkFailure(err, 'read', key, description);
      }
      if (response.statusCode >= 200 && response.statusCode < 300) return response;
      throw await failure('read', key, response, description);
    },

    async listPage(prefix, marker, maxResults) {
      let response: Dispatcher.ResponseData;
      try {
        const sas = await options.sas();
        const query = new URLSearchParams({ restype: 'container', comp: 'list', include: 'metadata' });
        if (prefix) query.set('prefix', prefix);
        if (marker) query.set('marker', marker);
        query.set('maxresults', String(maxResults));
        response = await pool.request({
          origin,
          method: 'GET',
          path: `${containerPath}?${query.toString()}&${sas.query}`,
          headers: { 'x-ms-version': sas.version },
        });
      } catch (err) {
        throw networkFailure(err, 'list', prefix, description);
      }
      if (response.statusCode < 200 || response.statusCode >= 300)
        throw await failure('list', prefix, response, description);
      let xml: string;
      try {
        xml = await response.body.text();
      } catch (err) {
        throw networkFailure(err, 'list', prefix, description);
      }
      try {
        return parseBlobList(xml);
      } catch (err) {
        if (!(err instanceof BlobListFormatError)) throw err;
        // Worth another attempt: a page cut short on the way reads the same way.
        throw new StoreError({
          op: 'list',
          key: prefix,
          status: response.statusCode,
          code: 'MalformedListing',
          retriable: true,
          message: `list "${prefix}" on ${description} failed: its answer is not a List Blobs page (${err.message})`,
        });
      }
    },

    close: () => pool.close(),
  };
}

/** A failed answer as a StoreError; its code is in a header, so the body (XML with the same code) is skipped. */
async function failure(
  op: string,
  key: string,
  response: Dispatcher.ResponseData,
  description: string,
): Promise<StoreError> {
  await response.body.dump();
  return storeErrorFrom({
    op,
    key,
    store: description,
    status: response.statusCode,
    storeCode: header(response.headers, 'x-ms-error-code'),
    retryAfter: header(response.headers, 'retry-after'),
  });
}

/**
 * The blob's path as @azure/storage-blob builds it (EscapePath: each segment URI-encoded,
 * `/` kept) — and, like the SDK's URL handling, with `.` and `..` segments resolved, so
 * the same key names the same blob on both paths.
 */
export function blobPath(containerPath: string, key: string): string {
  // One encodeURIComponent over the key, `/` put back: the same as per segment, at one call per
  // key; `'` escaped as the SDK's URL handling escapes it in a path.
  const path = `${containerPath}/${encodeURIComponent(key).replaceAll('%2F', '/').replaceAll("'", '%27')}`;
  return /(^|\/)\.\.?(\/|$)/.test(key) ? new URL(path, 'http://x').pathname : path;
}
