/**
 * One retry policy for every request to every store: exponential backoff with full
 * jitter (so many workers throttled together do not retry in lock-step), honouring a
 * Retry-After the store sent when it is longer than our own delay.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RETRIABLE_NETWORK_CODES, StoreError } from '../stores/store-error.ts';
import type { EngineContext } from './context.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. @default 8 */
  maxAttempts?: number;
  /** Ceiling of the first backoff, in ms. @default 200 */
  baseDelayMs?: number;
  /** Ceiling of any backoff, in ms. @default 30_000 */
  maxDelayMs?: number;
  /** Longest Retry-After honoured, in ms; a longer one is capped so a run never stalls for hours. @default 120_000 */
  maxRetryAfterMs?: number;
  /** Called before each wait, e.g. to count retries or print them. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Stops waiting when aborted. */
  signal?: AbortSignal;
  /** Random source in [0, 1), replaceable for tests. @default Math.random */
  random?: () => number;
}

/** Whether trying the same request again can succeed. */
function isRetriable(error: unknown): boolean {
  if (error instanceof StoreError) return error.retriable;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRIABLE_NETWORK_CODES.has(code);
}

/** Delay before attempt `attempt + 1`: full jitter below an exponential ceiling, or the store's Retry-After. */
export function backoffDelay(attempt: number, error: unknown, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  const asked = error instanceof StoreError ? error.retryAfterMs : undefined;
  if (asked === undefined) return jittered;
  return Math.max(jittered, Math.min(asked, options.maxRetryAfterMs ?? 120_000));
}

/** Runs `fn` until it succeeds, fails with a non-retriable error, or attempts run out. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetriable(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, error, options);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}

/** The engine's retry policy for one request, `what` naming it in the notes a person sees. */
export function retryOptions(ctx: EngineContext, what: string): RetryOptions {
  return {
    maxAttempts: ctx.limits.maxAttempts,
    baseDelayMs: ctx.retryBaseDelayMs ?? 200,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onRetry: ({ attempt, delayMs, error }) =>
      ctx.progress.note(
        `retry ${attempt}/${ctx.limits.maxAttempts - 1} of ${what} in ${delayMs} ms: ${(error as Error).message}`,
      ),
  };
}
