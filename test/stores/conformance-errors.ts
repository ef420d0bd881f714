/** Conformance: missing keys, refused digests, and error mapping through a fault proxy. */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { StoreError } from '../../src/stores/store-error.ts';
import { md5, randomBody, readAll, sha256Hex } from '../support/bytes.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import type { StoreUnderTest } from '../support/stores.ts';
import type { ConformanceTarget } from './conformance.ts';

/** Awaits `action` and returns the StoreError it must throw. */
async function storeError(action: Promise<unknown>): Promise<StoreError> {
  const err = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

async function settle(action: Promise<unknown>): Promise<{ error?: unknown }> {
  return action.then(
    () => ({}),
    (error: unknown) => ({ error }),
  );
}

/** No secret in anything an error could print: message, String(), stack, inspect(). */
function expectNoSecret(err: StoreError, secrets: readonly string[]): void {
  const printed = [err.message, String(err), err.stack ?? '', inspect(err, { depth: 5, showHidden: true })].join('\n');
  for (const secret of secrets.filter((s) => s.length > 0)) expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/sig=|Signature=|Authorization/i);
}

export function describeErrorConformance({ makeStore, serverOrigin }: ConformanceTarget): void {
  describe('errors', () => {
    test('a missing key: head is undefined, read throws NotFound naming key and store, without secrets', async () => {
      const { store, secrets } = await makeStore();
      expect(await store.head('missing/é.csv')).toBeUndefined();
      const err = await storeError(store.read('missing/é.csv'));
      expect(err).toMatchObject({ code: 'NotFound', status: 404, retriable: false, op: 'read', key: 'missing/é.csv' });
      expect(err.message).toContain('missing/é.csv');
      expect(err.message).toContain(store.description);
      expect(err.cause).toBeUndefined();
      expectNoSecret(err, secrets);
      await expect(store.read('missing/é.csv', { range: { offset: 0, length: 0 } })).rejects.toMatchObject({
        code: 'NotFound',
      });
    });

    test('a wrong Content-MD5 is refused as BadDigest where capabilities.checksContentMd5 says so, and stored where not', async () => {
      const { store, secrets } = await makeStore();
      const body = randomBody(4096);
      const wrong = md5(Buffer.from('other bytes'));
      const uploadId = await store.createMultipart('digest-mp', { metadata: {} });
      const outcomes = [
        await settle(store.put('digest', body, wrong, { metadata: {} })),
        await settle(store.uploadPart('digest-mp', uploadId, 1, body, wrong)),
      ];
      for (const outcome of outcomes) {
        if (store.capabilities.checksContentMd5) {
          expect(outcome.error).toBeInstanceOf(StoreError);
          expect(outcome.error).toMatchObject({ code: 'BadDigest', retriable: true });
          expectNoSecret(outcome.error as StoreError, secrets);
        } else {
          expect(outcome.error).toBeUndefined();
        }
      }
      expect((await store.head('digest')) === undefined).toBe(store.capabilities.checksContentMd5);
      await store.abortMultipart('digest-mp', uploadId);
    });
  });

  describe('errors through a fault proxy (SDK retries are off: one request per call)', () => {
    let proxy: FaultProxy;
    let viaProxy: ObjectStore;
    let reopen: StoreUnderTest['reopen'];
    let secrets: string[];
    const body = randomBody(3000);

    beforeEach(async () => {
      proxy = await startFaultProxy(serverOrigin());
      const made = await makeStore();
      secrets = made.secrets;
      await made.store.put('present', body, md5(body), { metadata: {} });
      reopen = made.reopen;
      viaProxy = reopen({ origin: proxy.origin });
    });
    afterEach(async () => {
      await proxy.close();
    });

    test('503 with Retry-After on a PUT: retriable, retryAfterMs, not retried by the SDK', async () => {
      proxy.inject({ method: 'PUT', fault: { kind: 'status', status: 503, retryAfter: '7' } });
      const err = await storeError(viaProxy.put('new', body, md5(body), { metadata: {} }));
      expect(err).toMatchObject({ status: 503, retriable: true, retryAfterMs: 7000, op: 'put', key: 'new' });
      expect(['Throttled', 'Unavailable']).toContain(err.code);
      expectNoSecret(err, secrets);
      expect(proxy.count({ method: 'PUT' })).toBe(1);
      await viaProxy.put('new', body, md5(body), { metadata: {} });
      expect(proxy.count({ method: 'PUT' })).toBe(2);
    });

    test('429 with Retry-After on a GET: Throttled and retriable', async () => {
      proxy.inject({ method: 'GET', fault: { kind: 'status', status: 429, retryAfter: '2' } });
      const err = await storeError(viaProxy.read('present'));
      expect(err).toMatchObject({ code: 'Throttled', status: 429, retriable: true, retryAfterMs: 2000 });
      expect(proxy.count({ method: 'GET' })).toBe(1);
    });

    test('503 on a HEAD throws instead of reporting the object missing', async () => {
      proxy.inject({ method: 'HEAD', fault: { kind: 'status', status: 503 } });
      const err = await storeError(viaProxy.head('present'));
      expect(err).toMatchObject({ status: 503, retriable: true, retryAfterMs: undefined });
    });

    test('403 is AccessDenied and 412 PreconditionFailed, neither retriable', async () => {
      proxy.inject({ method: 'GET', fault: { kind: 'status', status: 403 } });
      proxy.inject({ method: 'GET', fault: { kind: 'status', status: 412 } });
      expect(await storeError(viaProxy.read('present'))).toMatchObject({ code: 'AccessDenied', retriable: false });
      expect(await storeError(viaProxy.read('present', { ifMatch: 'x' }))).toMatchObject({
        code: 'PreconditionFailed',
        retriable: false,
      });
    });

    test('a connection reset before the response: retriable ConnectionReset', async () => {
      const uploadId = await viaProxy.createMultipart('reset', { metadata: {} });
      proxy.inject({ method: 'PUT', fault: { kind: 'reset' } });
      const err = await storeError(viaProxy.uploadPart('reset', uploadId, 1, body, md5(body)));
      expect(err).toMatchObject({ code: 'ConnectionReset', retriable: true, op: 'uploadPart', key: 'reset' });
      expectNoSecret(err, secrets);
      expect(proxy.count({ method: 'PUT' })).toBe(1);
    });

    test('a connection reset while the body streams: the stream fails with a retriable ConnectionReset', async () => {
      proxy.inject({ method: 'GET', fault: { kind: 'reset', afterBodyBytes: 1000 } });
      const opened = await viaProxy.read('present');
      const err = await storeError(readAll(opened.body));
      expect(err).toMatchObject({ code: 'ConnectionReset', retriable: true, op: 'read', key: 'present' });
      expectNoSecret(err, secrets);
    });

    test('a server that never answers: the request deadline ends the call as a retriable Timeout', async () => {
      const impatient = reopen({ origin: proxy.origin, requestTimeoutMs: 300 });
      proxy.inject({ method: 'HEAD', fault: { kind: 'hang' } });
      proxy.inject({ method: 'GET', fault: { kind: 'hang' } });
      expect(await storeError(impatient.head('present'))).toMatchObject({
        code: 'Timeout',
        retriable: true,
        op: 'head',
      });
      expect(await storeError(impatient.read('present'))).toMatchObject({
        code: 'Timeout',
        retriable: true,
        op: 'read',
      });
      // The deadline covers waiting for the response, not streaming a body that flows.
      expect((await readAll((await impatient.read('present')).body)).equals(body)).toBe(true);
    });

    test('maxSockets bounds the connections a store opens', async () => {
      const narrow = reopen({ origin: proxy.origin, maxSockets: 2 });
      await Promise.all(Array.from({ length: 8 }, (_, i) => narrow.put(`c/${i}`, body, md5(body), { metadata: {} })));
      expect(proxy.count({ method: 'PUT' })).toBe(8);
      expect(proxy.connections).toBeGreaterThanOrEqual(1);
      expect(proxy.connections).toBeLessThanOrEqual(2);
    });

    test('a corrupted response byte reaches the caller as is: only the engine hashes catch it', async () => {
      proxy.inject({ method: 'GET', fault: { kind: 'corrupt', offset: 1500 } });
      const got = await readAll((await viaProxy.read('present')).body);
      expect(got.length).toBe(body.length);
      expect(sha256Hex(got)).not.toBe(sha256Hex(body));
      expect(got[1500]).toBe(body[1500]! ^ 0xff);
    });
  });
}
