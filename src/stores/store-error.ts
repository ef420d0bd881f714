import { PassThrough, type Readable } from 'node:stream';

/**
 * The neutral error every adapter throws, so the engine decides on retries without
 * knowing which SDK failed. Adapters build the message themselves from the operation,
 * key and status: SDK messages and causes are dropped because they can carry request
 * URLs, and an Azure SAS token lives in the URL.
 */
export class StoreError extends Error {
  override name = 'StoreError';
  /** The store operation: `list`, `head`, `read`, `put`, `uploadPart`, … */
  readonly op: string;
  /** The key concerned, when there is one. */
  readonly key: string | undefined;
  /** HTTP status, when the store answered. */
  readonly status: number | undefined;
  /**
   * Neutral code: `NotFound`, `Throttled`, `Unavailable`, `ConnectionReset`, `Timeout`,
   * `BadDigest`, `AccessDenied`, `PreconditionFailed`, `UploadGone`, `NotSupported`, or the
   * store's own code.
   */
  readonly code: string;
  /**
   * The store's own error code (`NoSuchUpload`, `InternalError`, `BlobNotFound`) or the
   * Node network code (`ECONNRESET`), when there was one: what the probe records. A code is
   * an identifier the store chose from a fixed list, never a message, so it carries no secret.
   */
  readonly storeCode: string | undefined;
  /** Whether trying again can succeed (throttling, 5xx, dropped connection). */
  readonly retriable: boolean;
  /** Delay the store asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    op: string;
    key?: string | undefined;
    status?: number | undefined;
    code: string;
    storeCode?: string | undefined;
    retriable: boolean;
    retryAfterMs?: number | undefined;
    message: string;
  }) {
    super(init.message);
    this.op = init.op;
    this.key = init.key;
    this.status = init.status;
    this.code = init.code;
    this.storeCode = init.storeCode;
    this.retriable = init.retriable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Network error codes after which the same request may succeed. */
export const RETRIABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** HTTP statuses after which the same request may succeed. */
function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`.
 * Returns `undefined` for anything unusable, so a bad header never stalls a copy.
 */
function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** What an adapter learned about a failure, before it is turned into a {@link StoreError}. */
export interface FailureFacts {
  op: string;
  key?: string | undefined;
  /** The store's `description`: never a secret. */
  store: string;
  /** HTTP status, when the store answered. */
  status?: number | undefined;
  /** The store's error code (`NoSuchKey`, `BlobNotFound`, …) or a Node network code (`ECONNRESET`). */
  storeCode?: string | undefined;
  /** Raw Retry-After header value. */
  retryAfter?: string | null | undefined;
  /** The adapter's own deadline fired. */
  timedOut?: boolean;
}

const THROTTLE_CODES = new Set(['SlowDown', 'ServerBusy', 'TooManyRequests', 'RequestLimitExceeded', 'Throttling']);
const DIGEST_CODES = new Set([
  'BadDigest',
  'InvalidDigest',
  'Md5Mismatch',
  'InvalidMd5',
  'XAmzContentChecksumMismatch',
]);
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const HINTS: Record<string, string> = {
  NotFound: 'the object, container or bucket does not exist',
  AccessDenied: 'check the credentials and their permissions on this container or bucket',
  Throttled: 'the store is throttling requests; it will be retried, or lower the concurrency',
  Unavailable: 'the store is unreachable or failing; it will be retried',
  ConnectionReset: 'the connection dropped; it will be retried',
  Timeout: 'no answer in time; it will be retried, or raise the request timeout',
  BadDigest: 'the bytes were damaged in transit and the store refused them; they will be re-sent',
  PreconditionFailed: 'the object changed since it was listed; copy it again from its new version',
  NoSuchUpload: 'the upload and its parts are gone (aborted or expired); start the upload again',
  UploadGone: 'the upload and its parts are gone (aborted or expired); start the upload again',
  NotSupported: 'this store does not offer the operation (see its capabilities, or run `cloudexit probe`)',
  InvalidBlockList: 'the staged blocks are gone (expired after 7 days) or were never staged; start the upload again',
};

/**
 * Turns what an adapter knows about a failure into a `StoreError` with a neutral code.
 * The message is built only from the facts given, never from an SDK message.
 */
export function storeErrorFrom(facts: FailureFacts): StoreError {
  const { status, storeCode } = facts;
  let code: string;
  if (facts.timedOut || storeCode === 'ETIMEDOUT' || storeCode === 'TimeoutError' || status === 408) code = 'Timeout';
  else if (storeCode && DIGEST_CODES.has(storeCode)) code = 'BadDigest';
  else if (status === 429 || (storeCode && THROTTLE_CODES.has(storeCode))) code = 'Throttled';
  else if (status === 404 && storeCode !== 'NoSuchUpload') code = 'NotFound';
  else if (status === 412) code = 'PreconditionFailed';
  else if (status === 401 || status === 403) code = 'AccessDenied';
  else if (storeCode && RESET_CODES.has(storeCode)) code = 'ConnectionReset';
  else if (storeCode && UNREACHABLE_CODES.has(storeCode)) code = 'Unavailable';
  else if (status !== undefined && status >= 500) code = 'Unavailable';
  else code = storeCode ?? (status !== undefined ? `HTTP${status}` : 'Unknown');

  const retriable =
    ['Timeout', 'BadDigest', 'Throttled', 'ConnectionReset', 'Unavailable'].includes(code) ||
    (status !== undefined && isRetriableStatus(status)) ||
    (storeCode !== undefined && RETRIABLE_NETWORK_CODES.has(storeCode));
  const what = facts.key === undefined ? facts.op : `${facts.op} "${facts.key}"`;
  const answer =
    status === undefined ? code : `HTTP ${status} ${storeCode && storeCode !== code ? `${storeCode} (${code})` : code}`;
  const hint = HINTS[code];
  return new StoreError({
    op: facts.op,
    key: facts.key,
    status,
    code,
    storeCode,
    retriable,
    retryAfterMs: parseRetryAfter(facts.retryAfter),
    message: `${what} on ${facts.store} failed: ${answer}${hint ? `; ${hint}` : ''}`,
  });
}

/**
 * `failure`, re-labelled as the neutral `UploadGone` (not retriable: the upload must start
 * again), once the adapter knows the store's answer means the upload no longer exists. The
 * store's code and status are kept, so the message still says what the store answered.
 */
export function uploadGoneError(failure: StoreError, store: string): StoreError {
  const what = failure.key === undefined ? failure.op : `${failure.op} "${failure.key}"`;
  const answer =
    failure.status === undefined
      ? (failure.storeCode ?? 'no answer')
      : `HTTP ${failure.status}${failure.storeCode ? ` ${failure.storeCode}` : ''}`;
  return new StoreError({
    op: failure.op,
    key: failure.key,
    status: failure.status,
    code: 'UploadGone',
    storeCode: failure.storeCode,
    retriable: false,
    message: `${what} on ${store} failed: ${answer} (UploadGone); ${HINTS.UploadGone}`,
  });
}

/** The error of an operation this store does not offer (`capabilities` says so). */
export function notSupportedError(op: string, key: string | undefined, store: string, why: string): StoreError {
  const what = key === undefined ? op : `${op} "${key}"`;
  return new StoreError({
    op,
    key,
    code: 'NotSupported',
    retriable: false,
    message: `${what} on ${store} is not supported: ${why}; ${HINTS.NotSupported}`,
  });
}

/**
 * Re-emits `source` with its stream errors mapped (a dropped connection while a body
 * streams), so a reader sees a `StoreError` whether the failure came before or after the
 * response headers.
 */
export function mapStreamErrors(source: NodeJS.ReadableStream, map: (err: unknown) => StoreError): Readable {
  const out = new PassThrough();
  source.once('error', (err) => out.destroy(map(err)));
  out.once('close', () => {
    if (!out.writableFinished) (source as Partial<Readable>).destroy?.();
  });
  source.pipe(out);
  return out;
}
