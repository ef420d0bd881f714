/**
 * Which failures of a PostgreSQL state call are worth the same call again: the server
 * restarting or failing over (a managed database's maintenance), a connection cut, a
 * transaction the server chose to abort. The pool drops a broken connection and opens a
 * new one for the next call, so a worker retries these with backoff and carries on; any
 * other error (a constraint, a fenced write, bad input) would fail the same way again.
 */
import { RETRIABLE_NETWORK_CODES } from '../stores/store-error.ts';
import { FencedWriteError } from './contracts/work-queue.ts';

/** SQLSTATE classes and codes after which the same call may succeed. */
const RETRIABLE_SQLSTATES: readonly RegExp[] = [
  /^08/, // connection exception
  /^57P0[123]$/, // admin_shutdown, crash_shutdown, cannot_connect_now (restart, failover, recovery)
  /^40001$/, // serialization_failure
  /^40P01$/, // deadlock_detected: one of the two transactions was rolled back
  /^53300$/, // too_many_connections
];

/** What node-postgres says when the server closed the socket under a query, with no code. */
const CONNECTION_LOST =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/i;

/** Whether calling the state again (after a backoff) can succeed where this call failed. */
export function isRetriableStateError(error: unknown): boolean {
  if (error instanceof FencedWriteError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    return RETRIABLE_NETWORK_CODES.has(code) || RETRIABLE_SQLSTATES.some((re) => re.test(code));
  }
  return error instanceof Error && CONNECTION_LOST.test(error.message);
}
