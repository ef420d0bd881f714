/**
 * Maps the errors of a response body to StoreErrors on the body itself, so a reader sees a
 * StoreError whether a failure came before or after the headers — without the PassThrough
 * that store-error.ts's mapStreamErrors puts behind every body (a stream, its buffers and
 * its listeners per object: measured 0.1 ms of CPU per small object in a profile).
 *
 * A Node stream reports every failure through `destroy(err)` (undici's on a dropped
 * connection or a timeout, the stream machinery's own on an internal error), so mapping
 * the argument of this one instance's `destroy` maps every error it can emit.
 */
import type { Readable } from 'node:stream';
import { StoreError } from '../store-error.ts';

export function mapBodyErrors<T extends Readable>(body: T, map: (err: unknown) => StoreError): T {
  const destroy = body.destroy.bind(body);
  body.destroy = (error?: Error) => destroy(error === undefined || error instanceof StoreError ? error : map(error));
  return body;
}
