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
  /** Neutral code: `NotFound`, `Throttled`, `Unavailable`, `ConnectionReset`, `Timeout`, `BadDigest`, `AccessDenied`, or the store's own code. */
  readonly code: string;
  /** Whether trying again can succeed (throttling, 5xx, dropped connection). */
  readonly retriable: boolean;
  /** Delay the store asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    op: string;
    key?: string | undefined;
    status?: number | undefined;
    code: string;
    retriable: boolean;
    retryAfterMs?: number | undefined;
    message: string;
  }) {
    super(init.message);
    this.op = init.op;
    this.key = init.key;
    this.status = init.status;
    this.code = init.code;
    this.retriable = init.retriable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Network error codes after which the same request may succeed. */
export const RETRIABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/** HTTP statuses after which the same request may succeed. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`.
 * Returns `undefined` for anything unusable, so a bad header never stalls a copy.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
