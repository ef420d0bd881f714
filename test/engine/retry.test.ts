import { afterEach, describe, expect, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { backoffDelay, withRetry } from '../../src/engine/retry.ts';
import { verifyDataset } from '../../src/engine/verify.ts';
import { StoreError } from '../../src/stores/store-error.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { azuriteOrigin, freshAzureStore, freshS3Store, s3rverOrigin } from '../support/stores.ts';
import { bytesOf, createHarness, MiB, type Harness } from './harness.ts';

let h: Harness | undefined;
const proxies: FaultProxy[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

describe('backoff', () => {
  it('grows exponentially under full jitter and honours a longer Retry-After', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, new Error('x'), { baseDelayMs: 100, random: top }))).toEqual([
      99, 199, 399, 799,
    ]);
    expect(backoffDelay(20, new Error('x'), { baseDelayMs: 100, maxDelayMs: 5000, random: top })).toBe(4999);
    const throttled = new StoreError({
      op: 'put',
      code: 'Throttled',
      status: 503,
      retriable: true,
      retryAfterMs: 3000,
      message: 'slow down',
    });
    expect(backoffDelay(1, throttled, { baseDelayMs: 100, random: () => 0 })).toBe(3000);
    expect(backoffDelay(1, throttled, { baseDelayMs: 100, random: () => 0, maxRetryAfterMs: 1000 })).toBe(1000);
  });

  it('stops at once on an error that retrying cannot fix, and after maxAttempts otherwise', async () => {
    let calls = 0;
    const denied = new StoreError({
      op: 'put',
      code: 'AccessDenied',
      status: 403,
      retriable: false,
      message: 'denied',
    });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw denied;
        },
        { baseDelayMs: 1 },
      ),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
    calls = 0;
    const busy = new StoreError({ op: 'put', code: 'Unavailable', status: 503, retriable: true, message: 'busy' });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw busy;
        },
        { baseDelayMs: 1, maxAttempts: 4 },
      ),
    ).rejects.toBe(busy);
    expect(calls).toBe(4);
  });
});

describe('copy through a faulty network, against the real servers', () => {
  it('retries throttling (429/503 with Retry-After) and dropped connections on both sides, and every object arrives intact', async () => {
    const sourceProxy = await startFaultProxy(azuriteOrigin());
    const targetProxy = await startFaultProxy(s3rverOrigin());
    proxies.push(sourceProxy, targetProxy);
    const source = (await freshAzureStore({ via: { origin: sourceProxy.origin } })).store;
    const target = (await freshS3Store({ via: { origin: targetProxy.origin } })).store;
    h = await createHarness({ source, target });
    for (let i = 0; i < 20; i++) {
      const body = bytesOf(`r${i}`, 3000 + i);
      await source.put(`r/${i}.csv`, body, md5(body), { metadata: {}, md5: md5(body) });
    }
    const big = bytesOf('r-big', 12 * MiB);
    await source.put('r/big.bin', big, md5(big), { metadata: {} });

    sourceProxy.inject({
      method: 'GET',
      path: /\/r\/1[0-9]?\.csv/,
      times: 2,
      fault: { kind: 'reset', afterBodyBytes: 100 },
    });
    sourceProxy.inject({ method: 'GET', path: /big\.bin/, times: 1, fault: { kind: 'reset' } });
    targetProxy.inject({
      method: 'PUT',
      path: /\/r\/[0-9]+\.csv/,
      times: 3,
      fault: { kind: 'status', status: 503, retryAfter: '0' },
    });
    targetProxy.inject({
      method: 'PUT',
      path: /partNumber=2/,
      times: 1,
      fault: { kind: 'status', status: 429, retryAfter: '0' },
    });

    const summary = await copyDataset(await h.context(), h.dataset);
    expect(summary.failed).toEqual([]);
    expect(summary.copied).toBe(21);
    expect(sourceProxy.seen.filter((r) => r.fault === 'reset')).toHaveLength(3);
    expect(targetProxy.seen.filter((r) => r.fault === 'status')).toHaveLength(4);
    expect(h.notes.filter((n) => n.startsWith('retry '))).toHaveLength(7);
    expect((await verifyDataset(await h.context(), h.dataset, 'full')).mismatches).toEqual([]);
  });

  it('marks an object failed after the last attempt, keeps the others, and a later run completes it', async () => {
    const targetProxy = await startFaultProxy(s3rverOrigin());
    proxies.push(targetProxy);
    const target = (await freshS3Store({ via: { origin: targetProxy.origin } })).store;
    h = await createHarness({ target });
    for (const key of ['a', 'b', 'c'])
      await h.dataset.source.put(key, Buffer.from(key), md5(Buffer.from(key)), { metadata: {} });
    targetProxy.inject({ method: 'PUT', path: /\/b(\?|$)/, times: 3, fault: { kind: 'status', status: 503 } });

    const first = await copyDataset(await h.context({ limits: { maxAttempts: 3 } }), h.dataset);
    expect(first.failed.map((f) => f.key)).toEqual(['b']);
    expect(first.failed[0]!.error).toMatch(/503/);
    expect(first.copied).toBe(2);

    const second = await copyDataset(await h.context({ limits: { maxAttempts: 3 } }), h.dataset);
    expect([second.copied, second.alreadyCopied, second.failed.length]).toEqual([1, 2, 0]);
  });
});
