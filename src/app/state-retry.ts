/**
 * A worker outlives short outages of the shared state (a PostgreSQL restart, a failover of
 * a managed database, a network cut): its own calls to the queue are tried again until the
 * state answers, for up to a bound, instead of ending the worker with objects in flight.
 * A refusal is an answer, not an outage: a fenced write or bad input is thrown at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.ts';
import { FencedWriteError } from '../state/contracts/work-queue.ts';
import type { ProgressSink } from '../progress.ts';

export interface StateRetryOptions {
  /** How long to keep trying before the error is thrown, in ms. @default 120_000 */
  limitMs?: number;
  /** Where the retries are noted. */
  progress: ProgressSink;
  /** Stops waiting when aborted (the last error is then thrown). */
  signal?: AbortSignal | undefined;
  /** Which errors are an outage worth another try. @default every error but a refusal (UserError, FencedWriteError) */
  retriable?: ((err: unknown) => boolean) | undefined;
}

/** Runs `call` until the state answers, waiting 0.1 s, 0.2 s… up to 2 s between tries. */
export async function untilStateAnswers<T>(
  what: string,
  call: () => Promise<T>,
  options: StateRetryOptions,
): Promise<T> {
  const deadline = Date.now() + (options.limitMs ?? 120_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (err instanceof UserError || err instanceof FencedWriteError) throw err;
      if (options.retriable && !options.retriable(err)) throw err;
      if (Date.now() > deadline || options.signal?.aborted) throw err;
      const delayMs = Math.min(2000, 100 * 2 ** (attempt - 1));
      if (attempt === 1 || attempt % 10 === 0)
        options.progress.note(`the state did not answer ${what} (${(err as Error).message}); trying again`);
      await sleep(delayMs);
    }
  }
}
