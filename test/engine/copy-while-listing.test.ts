/**
 * copyDataset lists and copies at once: the copy starts on the first records the inventory
 * writes, and a listing retried from its start neither copies an object twice nor writes
 * over the record of one being copied. Real Azurite and s3rver; the source's listing is
 * watched (or a page of it failed) through a wrapper around the real adapter or the fault
 * proxy, never a fake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { azuriteOrigin, freshAzureStore, freshS3Store } from '../support/stores.ts';
import { createHarness, type Harness } from './harness.ts';

const COUNT = 130;
let harness: Harness | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await harness?.close();
  await proxy?.close();
  harness = proxy = undefined;
});

async function seed(store: ObjectStore, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, (_, j) => {
        const body = Buffer.from(`object ${i + j}\n`.repeat(20));
        const digest = md5(body);
        return store.put(`k/${String(i + j).padStart(4, '0')}`, body, digest, { metadata: {}, md5: digest });
      }),
    );
  }
}

/** `store` with its writes counted per key: the proof of what the copy did. */
function countingTarget(store: ObjectStore) {
  const puts = new Map<string, number>();
  let first: (() => void) | undefined;
  const firstPut = new Promise<void>((resolve) => (first = resolve));
  const counted: ObjectStore = {
    ...store,
    put: async (key, ...rest) => {
      const written = await store.put(key, ...rest);
      puts.set(key, (puts.get(key) ?? 0) + 1);
      first?.();
      return written;
    },
  };
  return { store: counted, puts, firstPut };
}

/** `source` whose listing, once `after` keys have been listed, awaits `hold()` before going on. */
function holdListing(source: ObjectStore, after: number, hold: () => Promise<void>): ObjectStore {
  return {
    ...source,
    async *list(prefix) {
      let listed = 0;
      for await (const info of source.list(prefix)) {
        if (listed++ === after) await hold();
        yield info;
      }
    },
  };
}

describe.each(['s3rver', 'rgw'] as const)(
  'copyDataset to %s: the copy starts while the source is still being listed',
  (server) => {
    it('copies the first records before the listing has gone past them', async () => {
      const source = (await freshAzureStore()).store;
      await seed(source, COUNT);
      const target = countingTarget((await freshS3Store({ server })).store);
      let held = false;
      // The listing waits after 120 keys (past the inventory's first batch of 100) until the
      // target has been written once: a copy that waited for the whole listing never is.
      const watched = holdListing(source, 120, async () => {
        const limit = new Promise<'limit'>((resolve) => setTimeout(() => resolve('limit'), 30_000).unref());
        if ((await Promise.race([target.firstPut.then(() => 'copied' as const), limit])) === 'limit')
          throw new Error('no object was copied while the listing was held after 120 keys');
        held = true;
      });
      harness = await createHarness({ source: watched, target: target.store });
      const summary = await copyDataset(await harness.context(), harness.dataset);

      expect(held).toBe(true);
      expect(summary.copied).toBe(COUNT);
      expect(summary.failed).toEqual([]);
      expect(summary.inventory).toMatchObject({ objects: COUNT, added: COUNT });
      expect(summary.alreadyCopied).toBe(0);
      expect([...target.puts.values()].every((n) => n === 1)).toBe(true);
      expect(target.puts.size).toBe(COUNT);
      const counts = await harness.state.countObjects('ds');
      expect(counts.copied.objects).toBe(COUNT);
      expect(counts.pending.objects).toBe(0);

      // A second run lists, finds nothing to do, and says what is already there.
      const again = await copyDataset(await harness.context(), harness.dataset);
      expect(again.copied).toBe(0);
      expect(again.alreadyCopied).toBe(COUNT);
      expect(target.puts.size).toBe(COUNT);
    });

    it('stopped during the listing: the listing ends at its next batch (an interrupted copy, no inventory reported), in-flight copies recorded, nothing marked deleted', async () => {
      const source = (await freshAzureStore()).store;
      await seed(source, COUNT);
      const target = countingTarget((await freshS3Store({ server })).store);
      const stop = new AbortController();
      // Past the first batch of 100: Ctrl-C once the copy has written something.
      const watched = holdListing(source, 120, async () => {
        await target.firstPut;
        stop.abort(new Error('interrupted'));
      });
      harness = await createHarness({ source: watched, target: target.store });
      const summary = await copyDataset(await harness.context({ signal: stop.signal }), harness.dataset);

      expect(summary.inventory).toBeUndefined();
      expect(summary.failed).toEqual([]);
      expect(summary.copied).toBeGreaterThan(0);
      expect(summary.copied).toBeLessThanOrEqual(100);
      const counts = await harness.state.countObjects('ds');
      expect(counts.copied.objects).toBe(summary.copied);
      // The batch written when the stop was seen stays pending for the next run; the listing
      // was not complete, so nothing was marked gone at the source.
      expect(counts['deleted-at-source'].objects).toBe(0);
      expect(counts.copied.objects + counts.pending.objects).toBe(COUNT);

      // The next run lists everything and copies the rest.
      const rest = await copyDataset(await harness.context(), harness.dataset);
      expect(rest.copied).toBe(COUNT - summary.copied);
      expect(rest.inventory?.objects).toBe(COUNT);
      expect(target.puts.size).toBe(COUNT);
    });

    it('a listing that fails half-way is listed again once the copies in flight are done: each object written once', async () => {
      proxy = await startFaultProxy(azuriteOrigin());
      const source = (await freshAzureStore({ via: { origin: proxy.origin }, listPageSize: 100 })).store;
      await seed(source, 260);
      const target = countingTarget((await freshS3Store({ server })).store);
      // Pages of 200 then 100: the second page (keys 200–259 come in the third) fails once,
      // after the first 200 keys were handed to the copy.
      proxy.inject({ method: 'GET', path: /comp=list.*marker=/, times: 1, fault: { kind: 'status', status: 503 } });
      harness = await createHarness({ source, target: target.store });
      const summary = await copyDataset(await harness.context({ retryBaseDelayMs: 1 }), harness.dataset);

      expect(proxy.seen.some((r) => r.fault === 'status')).toBe(true);
      expect(summary.failed).toEqual([]);
      expect(summary.copied).toBe(260);
      expect(summary.inventory?.objects).toBe(260);
      expect(target.puts.size).toBe(260);
      expect([...target.puts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      const counts = await harness.state.countObjects('ds');
      expect(counts.copied.objects).toBe(260);
      expect(counts.pending.objects + counts.failed.objects + counts['deleted-at-source'].objects).toBe(0);
    });
  },
);

describe('the Azure adapter listing', () => {
  it('asks Azure for a short first page, then full pages from its continuation', async () => {
    proxy = await startFaultProxy(azuriteOrigin());
    const source = (await freshAzureStore({ via: { origin: proxy.origin }, listPageSize: 1000 })).store;
    await seed(source, 230);
    const seen: string[] = [];
    for await (const info of source.list('')) seen.push(info.key);
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
    const lists = proxy.seen.filter((r) => r.method === 'GET' && /comp=list/.test(r.path)).map((r) => r.path);
    expect(lists).toHaveLength(2);
    expect(lists[0]).toMatch(/maxresults=200(&|$)/);
    expect(lists[1]).toMatch(/maxresults=1000(&|$)/);
    expect(lists[1]).toMatch(/marker=/);
  });
});
