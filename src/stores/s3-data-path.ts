/**
 * The S3 requests made once per object or part — GET (ranged, If-Match), PutObject,
 * UploadPart, and the HEAD that guards a write (overwrite-guard.ts) — sent over an
 * undici keep-alive pool and signed by the SDK's own signer (s3-signer.ts): per object, the
 * bytes and one signature instead of the SDK's middleware stack, endpoint resolution and
 * serde. The answers are mapped to StoreErrors exactly as the SDK path maps them (same
 * codes, same statuses, messages built from facts only).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { requestWithoutBody, type NoBodyResponse } from './http/no-body-request.ts';
import { createHttpPool, errorBodyText, header, networkFailure, xmlErrorCode } from './http/undici-pool.ts';
import { createS3Signer, type S3SignerOptions } from './s3-signer.ts';
import { storeErrorFrom, type StoreError } from './store-error.ts';

export interface S3DataPathOptions extends S3SignerOptions {
  /** Service URL without a trailing slash. */
  endpoint: string;
  bucket: string;
  /** Path-style URLs (`endpoint/bucket/key`) instead of virtual hosts. */
  forcePathStyle: boolean;
  /** The store's description, for errors. */
  description: string;
  /** @default 50 */
  maxSockets?: number | undefined;
  /** @default 300_000 */
  requestTimeoutMs?: number | undefined;
}

/** A successful GET: status 200 or 206, its headers and its body (to be consumed or destroyed). */
export type S3Response = Pick<Dispatcher.ResponseData, 'statusCode' | 'headers' | 'body'>;

export interface S3DataPath {
  /** The headers of a HEAD of the object; `undefined` when it does not exist (404, no error built). */
  head(key: string): Promise<IncomingHttpHeaders | undefined>;
  /** GET of the object or of `range` (`bytes=a-b`), pinned to `ifMatch` (quoted) when given. */
  get(key: string, range: string | undefined, ifMatch: string | undefined): Promise<S3Response>;
  /**
   * PUT with Content-MD5 and the given headers (`content-type`, `x-amz-meta-…`, the
   * conditions `if-none-match` / `if-match`); returns the quoted ETag.
   */
  put(key: string, body: Uint8Array, md5: Uint8Array, headers: Record<string, string>): Promise<string | undefined>;
  /** UploadPart with Content-MD5; returns the quoted ETag. */
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    md5: Uint8Array,
  ): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * Signed without hashing the body (`UNSIGNED-PAYLOAD`), as the SDK path does for requests
 * that carry a Content-MD5: the target checks that signed header against the bytes, and
 * the SHA-256 we compute is stored and re-checked by `verify --mode full` (see s3.ts).
 */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export function createS3DataPath(options: S3DataPathOptions): S3DataPath {
  const url = new URL(options.endpoint);
  const virtualHost = !options.forcePathStyle && isDnsBucket(options.bucket, url);
  const host = virtualHost ? `${options.bucket}.${url.host}` : url.host;
  const hostname = virtualHost ? `${options.bucket}.${url.hostname}` : url.hostname;
  const port = url.port ? Number(url.port) : undefined;
  const basePath = `${url.pathname.replace(/\/+$/, '')}${virtualHost ? '' : `/${options.bucket}`}`;
  const pool: Pool = createHttpPool(`${url.protocol}//${host}`, options);
  const sign = createS3Signer(options);
  const { description } = options;

  const pathOf = (key: string) => `${basePath}/${encodeKey(key)}`;

  /** The request as sent: its path with the query, and its headers signed. */
  async function signed(
    method: 'GET' | 'HEAD' | 'PUT',
    key: string,
    query: Record<string, string> | undefined,
    headers: Record<string, string>,
  ): Promise<Dispatcher.DispatchOptions> {
    const path = pathOf(key);
    headers['host'] = host;
    const signedHeaders = await sign({ method, protocol: url.protocol, hostname, port, path, query, headers });
    return {
      method,
      path: query ? `${path}?${queryString(query)}` : path,
      headers: signedHeaders,
      // undici closes a connection after each HEAD by default (for servers that wrongly send
      // a body): S3 servers do not, and a new connection per object costs more than the HEAD.
      reset: false,
    };
  }

  function failure(op: string, key: string, status: number, headers: IncomingHttpHeaders, text: string): StoreError {
    return storeErrorFrom({
      op,
      key,
      store: description,
      status,
      storeCode: xmlErrorCode(text),
      retryAfter: header(headers, 'retry-after'),
    });
  }

  /** A request whose answer has no body worth reading: its status and headers, or its failure. */
  async function exchange(
    op: string,
    key: string,
    request: Promise<Dispatcher.DispatchOptions>,
    body?: Uint8Array,
  ): Promise<NoBodyResponse> {
    let response: NoBodyResponse;
    try {
      response = await requestWithoutBody(pool, { ...(await request), body });
    } catch (err) {
      throw networkFailure(err, op, key, description);
    }
    const { statusCode } = response;
    if ((statusCode >= 200 && statusCode < 300) || (op === 'head' && statusCode === 404)) return response;
    throw failure(op, key, statusCode, response.headers, response.errorBody);
  }

  function sendBytes(
    op: string,
    key: string,
    query: Record<string, string> | undefined,
    headers: Record<string, string>,
    body: Uint8Array,
    md5: Uint8Array,
  ): Promise<string | undefined> {
    headers['content-length'] = String(body.byteLength);
    headers['content-md5'] = Buffer.from(md5.buffer, md5.byteOffset, md5.byteLength).toString('base64');
    headers['x-amz-content-sha256'] = UNSIGNED_PAYLOAD;
    return exchange(op, key, signed('PUT', key, query, headers), body).then((r) => header(r.headers, 'etag'));
  }

  return {
    async head(key) {
      const request = signed('HEAD', key, undefined, { 'x-amz-content-sha256': EMPTY_SHA256 });
      const response = await exchange('head', key, request);
      // Most keys are absent before their first copy: a missing key is an answer, not an error.
      return response.statusCode === 404 ? undefined : response.headers;
    },

    async get(key, range, ifMatch) {
      const headers: Record<string, string> = { 'x-amz-content-sha256': EMPTY_SHA256 };
      if (range !== undefined) headers['range'] = range;
      if (ifMatch !== undefined) headers['if-match'] = ifMatch;
      let response: Dispatcher.ResponseData;
      try {
        response = await pool.request(await signed('GET', key, undefined, headers));
      } catch (err) {
        throw networkFailure(err, 'read', key, description);
      }
      if (response.statusCode >= 200 && response.statusCode < 300) return response;
      throw failure('read', key, response.statusCode, response.headers, await errorBodyText(response.body));
    },

    put(key, body, md5, headers) {
      return sendBytes('put', key, undefined, { ...headers }, body, md5);
    },

    uploadPart(key, uploadId, partNumber, body, md5) {
      return sendBytes('uploadPart', key, { partNumber: String(partNumber), uploadId }, {}, body, md5);
    },

    close: () => pool.close(),
  };
}

/** SHA-256 of no bytes: the payload hash of a GET, known without hashing. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * A key as the AWS SDK puts it in a path: each `/`-separated segment URI-encoded (also
 * `!'()*`), `/` kept, `.` and `..` segments sent as they are (S3 keys may hold them).
 */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeSegment).join('/');
}

function encodeSegment(segment: string): string {
  if (/^[\w.~-]*$/.test(segment)) return segment;
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryString(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

/**
 * Whether the bucket can be a host name (as the SDK decides for virtual-hosted style): a
 * DNS label without dots (TLS certificates cover one level), on a named host, not an IP.
 */
function isDnsBucket(bucket: string, endpoint: URL): boolean {
  const ipHost = /^\d+\.\d+\.\d+\.\d+$/.test(endpoint.hostname) || endpoint.hostname.startsWith('[');
  return !ipHost && endpoint.hostname !== 'localhost' && /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
}
