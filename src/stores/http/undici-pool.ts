/**
 * Keep-alive connection pools for the hot data path (GET, PUT, UploadPart): undici, Node's
 * own HTTP client, without the SDKs' per-request middleware, so a small object costs the
 * bytes and a signature, not a pipeline. Listing, multipart control and the rest stay on
 * the official SDKs.
 */
import type { Dispatcher, Pool } from 'undici';
// undici's parts, not its index: the index also loads fetch, WebSocket, caches and mocks, and
// touches globalThis.Headers, which makes Node load its own copy of undici as well (measured
// with the compile cache: 130 ms of CPU for a copy of one object against ~50 for these parts).
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import api from 'undici/lib/api/index.js';
import { storeErrorFrom, type StoreError } from '../store-error.ts';

// What undici's index does first: every dispatcher gets request() and the other API methods
// (the proxy agent tunnels HTTPS through its client's connect()).
Object.assign(DispatcherClass.prototype, api);

export interface HttpPoolOptions {
  /** Most concurrent connections to the origin. @default 50 */
  maxSockets?: number;
  /**
   * Time allowed until the response headers arrive once the request is sent, and between two
   * chunks of a body (a body that flows is never cut). @default 300_000
   */
  requestTimeoutMs?: number;
}

function poolOptions(options: HttpPoolOptions) {
  const timeout = options.requestTimeoutMs ?? 300_000;
  return {
    connections: options.maxSockets ?? 50,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    // The servers' own idle timeouts decide; undici closes a socket the server announced it would.
    keepAliveTimeout: 30_000,
  };
}

/** A pool of keep-alive connections to one origin (`http://host:port`). */
export function createHttpPool(origin: string, options: HttpPoolOptions = {}): Pool {
  return new PoolClass(origin, poolOptions(options));
}

/**
 * Keep-alive pools that go through the proxy of `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY`
 * exempts the host, as the Azure SDK's pipeline does: a source reachable only through a
 * proxy is read the same way on both paths. Requests name their `origin`.
 */
export function createEnvProxyPools(options: HttpPoolOptions = {}): Dispatcher {
  return new EnvHttpProxyAgent(poolOptions(options));
}

/** undici's codes for its own deadlines: each is our request timeout firing. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A failure before any answer (no status) as a StoreError, from the error's `code` only:
 * undici's messages are dropped like the SDKs' (store-error.ts), a URL may carry a SAS.
 */
export function networkFailure(err: unknown, op: string, key: string | undefined, store: string): StoreError {
  const code = (err as { code?: unknown }).code;
  const storeCode = typeof code === 'string' ? code : (err as { name?: string }).name;
  return storeErrorFrom({
    op,
    key,
    store,
    timedOut: typeof code === 'string' && TIMEOUT_CODES.has(code),
    storeCode,
  });
}

/** One response header as a string (undici gives repeated headers as an array). */
export function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A `Last-Modified` header as a Date; the epoch when absent or unreadable, as the SDK paths gave. */
export function httpDate(value: string | undefined): Date {
  const date = value === undefined ? new Date(0) : new Date(value);
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}

/** The `x-…-meta-` headers of a response, names without the prefix (lower case, as undici gives them). */
export function prefixedHeaders(
  headers: Dispatcher.ResponseData['headers'],
  prefix: string,
): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name in headers) {
    if (!name.startsWith(prefix)) continue;
    out ??= {};
    out[name.slice(prefix.length)] = header(headers, name) ?? '';
  }
  return out;
}

/** Most bytes of an error answer read to find its code: a code sits at the start of the XML. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** The body of an error answer as text, bounded; the connection is kept when the body was small. */
export async function errorBodyText(body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      text += chunk.toString('utf8');
      if (text.length > ERROR_BODY_LIMIT) {
        body.destroy();
        break;
      }
    }
  } catch {
    // A body that fails to arrive still leaves the status to go by.
  }
  return text;
}

/** The `<Code>` of an XML error answer (S3, Azure), or `undefined`. */
export function xmlErrorCode(text: string): string | undefined {
  return /<Code>([^<]{1,200})<\/Code>/.exec(text)?.[1];
}
