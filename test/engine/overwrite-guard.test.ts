/**
 * cloudexit never overwrites a target object it did not write, or that changed since it
 * wrote it: on Azurite and s3rver, one-shot and multipart objects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import { RESERVED_PREFIX } from '../../src/engine/context.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { guardOverwrite, OverwriteConflictError } from '../../src/engine/overwrite-guard.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { readAll } from '../support/bytes.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { freshS3Store, rgwOrigin, S3_SERVER_CAPABILITIES } from '../support/stores.ts';
import { bytesOf, createHarness, MiB, type Harness } from './harness.ts';

let h: Harness | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await h?.close();
  await proxy?.close();
  h = undefined;
  proxy = undefined;
});

async function put(store: ObjectStore, key: string, body: Buffer): Promise<string> {
  return (await store.put(key, body, md5(body), { metadata: {}, md5: md5(body) })).etag;
}

async function bytesAt(store: ObjectStore, key: string): Promise<Buffer> {
  return readAll((await store.read(key)).body);
}

async function recordOf(key: string) {
  return (await h!.state.getObjects('ds', [key])).get(key);
}

describe('copy over what is already on the target', () => {
  it('re-copies a source change where the target still holds what cloudexit wrote (one-shot and multipart)', async () => {
    h = await createHarness();
    const { source, target } = h.dataset;
    await put(source, 'small.csv', bytesOf('v1', 3000));
    await put(source, 'big.bin', bytesOf('big-v1', 7 * MiB));
    expect((await copyDataset(await h.context(), h.dataset)).copied).toBe(2);

    const small = bytesOf('v2', 3100);
    const big = bytesOf('big-v2', 7 * MiB + 5);
    await put(source, 'small.csv', small);
    await put(source, 'big.bin', big);
    const again = await copyDataset(await h.context(), h.dataset);
    expect(again).toMatchObject({ copied: 2, failed: [], conflicts: [] });
    expect(md5(await bytesAt(target, 'small.csv'))).toEqual(md5(small));
    expect(md5(await bytesAt(target, 'big.bin'))).toEqual(md5(big));
    expect((await recordOf('small.csv'))?.targetEtag).toBe((await target.head('small.csv'))?.etag);
  });

  it('a target object changed by someone else since the copy, with the source changed too, is a conflict and is kept', async () => {
    h = await createHarness();
    const { source, target } = h.dataset;
    for (const key of ['a.csv', 'b.csv']) await put(source, key, bytesOf(`${key}-v1`, 2000));
    await put(source, 'big.bin', bytesOf('big-v1', 7 * MiB));
    await copyDataset(await h.context(), h.dataset);
    const written = (await recordOf('a.csv'))!.targetEtag;
    const writtenBig = (await recordOf('big.bin'))!.targetEtag;

    // An application writes to the target; the source changes as well.
    const theirs = bytesOf('application', 2500);
    const theirEtag = await put(target, 'a.csv', theirs);
    const theirBig = bytesOf('application-big', 1000);
    const theirBigEtag = await put(target, 'big.bin', theirBig);
    await put(source, 'a.csv', bytesOf('a.csv-v2', 2000));
    await put(source, 'b.csv', bytesOf('b.csv-v2', 2000));
    await put(source, 'big.bin', bytesOf('big-v2', 7 * MiB));

    const run = await copyDataset(await h.context(), h.dataset);
    expect(run.copied).toBe(1); // b.csv: still cloudexit's on the target
    expect(run.conflicts).toEqual([
      { key: 'a.csv', targetKey: 'a.csv', targetEtag: theirEtag, recordedEtag: written },
      { key: 'big.bin', targetKey: 'big.bin', targetEtag: theirBigEtag, recordedEtag: writtenBig },
    ]);
    expect(run.failed.map((f) => f.key).sort()).toEqual(['a.csv', 'big.bin']);
    expect(md5(await bytesAt(target, 'a.csv'))).toEqual(md5(theirs));
    expect(md5(await bytesAt(target, 'big.bin'))).toEqual(md5(theirBig));
    expect(await h.state.getUpload('ds', 'big.bin')).toBeUndefined(); // nothing started
    const record = await recordOf('a.csv');
    expect(record).toMatchObject({ status: 'failed', targetEtag: written });
    expect(record?.lastError).toMatch(/^conflict: ds: a\.csv on the target has ETag/);

    // Still a conflict on the next run: nothing changed on the target.
    const next = await copyDataset(await h.context(), h.dataset);
    expect(next.conflicts.map((c) => c.key)).toEqual(['a.csv', 'big.bin']);
    expect(md5(await bytesAt(target, 'a.csv'))).toEqual(md5(theirs));
  });

  it('a target object that was there before the first copy is a conflict, not overwritten', async () => {
    h = await createHarness({ targetPrefix: 'emc2/' });
    const { source, target } = h.dataset;
    await put(source, 'x.csv', bytesOf('source-x', 1200));
    await put(source, 'y.csv', bytesOf('source-y', 1200));
    const before = bytesOf('was-there-before', 900);
    const beforeEtag = await put(target, 'emc2/x.csv', before);

    const run = await copyDataset(await h.context(), h.dataset);
    expect(run.copied).toBe(1);
    expect(run.conflicts).toEqual([
      { key: 'x.csv', targetKey: 'emc2/x.csv', targetEtag: beforeEtag, recordedEtag: undefined },
    ]);
    expect(run.failed[0]?.error).toMatch(/cloudexit never wrote it/);
    expect(md5(await bytesAt(target, 'emc2/x.csv'))).toEqual(md5(before));
  });

  it('the same bytes already on the target (a run killed before recording its write) are not a conflict', async () => {
    h = await createHarness();
    const { source, target } = h.dataset;
    const body = bytesOf('same', 4000);
    await put(source, 'same.csv', body);
    await put(target, 'same.csv', body);
    const run = await copyDataset(await h.context(), h.dataset);
    expect(run).toMatchObject({ copied: 1, conflicts: [] });
  });

  it('a key written by someone else while the parts go up: the upload is not completed, and resumes once the object is moved aside', async () => {
    const inner = (await freshS3Store()).store;
    let intruded = false;
    const intruding = new Proxy(inner, {
      get(store, name, receiver) {
        if (name === 'uploadPart')
          return async (...args: Parameters<ObjectStore['uploadPart']>) => {
            const etag = await store.uploadPart(...args);
            if (!intruded) {
              intruded = true;
              await put(store, args[0], bytesOf('intruder', 100));
            }
            return etag;
          };
        return Reflect.get(store, name, receiver) as unknown;
      },
    });
    h = await createHarness({ target: intruding });
    const body = bytesOf('large', 12 * MiB);
    await put(h.dataset.source, 'large.bin', body);

    const run = await copyDataset(await h.context({ limits: { partConcurrency: 1 } }), h.dataset);
    expect(run.conflicts.map((c) => [c.key, c.recordedEtag])).toEqual([['large.bin', undefined]]);
    expect((await inner.head('large.bin'))?.size).toBe(100);
    expect(await h.state.getUpload('ds', 'large.bin')).toBeDefined();

    await inner.delete('large.bin');
    const resumed = await copyDataset(await h.context(), h.dataset);
    expect(resumed).toMatchObject({ copied: 1, conflicts: [] });
    expect(resumed.partsResumed).toBeGreaterThan(0);
    expect(md5(await bytesAt(inner, 'large.bin'))).toEqual(md5(body));
  });

  it("leaves cloudexit's own reserved folder alone: manifests and side-cars may be rewritten", async () => {
    h = await createHarness({ targetPrefix: 'emc2/' });
    const key = `emc2/${RESERVED_PREFIX}manifest.sha256`;
    await put(h.dataset.target, key, bytesOf('someone', 10));
    const ctx = await h.context();
    await expect(guardOverwrite(ctx, h.dataset, { targetKey: key, targetEtag: 'other' })).resolves.toBeUndefined();
    await put(h.dataset.target, 'emc2/data.csv', bytesOf('someone', 10));
    await expect(
      guardOverwrite(ctx, h.dataset, { targetKey: 'emc2/data.csv', targetEtag: undefined }),
    ).rejects.toBeInstanceOf(OverwriteConflictError);
  });
});

describe('on a target that refuses conditional PUTs whose condition fails (Ceph RGW), one-shot objects', () => {
  /** A harness whose target is RGW seen through a proxy that counts requests, with or without conditional writes. */
  async function onRgw(conditionalWrites: { ifNoneMatch: boolean; ifMatch: boolean }) {
    proxy = await startFaultProxy(rgwOrigin());
    const capabilities = { ...S3_SERVER_CAPABILITIES.rgw, conditionalWrites };
    const { store } = await freshS3Store({ server: 'rgw', capabilities, via: { origin: proxy.origin } });
    h = await createHarness({ target: store });
    return { proxy, source: h.dataset.source, target: store };
  }
  const heads = (p: FaultProxy, key: string) => p.count({ method: 'HEAD', path: (path) => path.endsWith(`/${key}`) });

  it('asks no HEAD before writing, and still never overwrites an object cloudexit did not write, or changed since', async () => {
    const { proxy, source, target } = await onRgw({ ifNoneMatch: true, ifMatch: true });
    await put(source, 'theirs.csv', bytesOf('source-theirs', 1500));
    await put(source, 'ours.csv', bytesOf('source-ours-v1', 1500));
    const before = bytesOf('was-there-before', 900);
    const beforeEtag = await put(target, 'theirs.csv', before);

    const run = await copyDataset(await h!.context(), h!.dataset);
    expect(run.copied).toBe(1);
    expect(run.conflicts).toEqual([
      { key: 'theirs.csv', targetKey: 'theirs.csv', targetEtag: beforeEtag, recordedEtag: undefined },
    ]);
    expect(md5(await bytesAt(target, 'theirs.csv'))).toEqual(md5(before));
    // The refused PUT is described by one HEAD; the free key cost none.
    expect([heads(proxy, 'ours.csv'), heads(proxy, 'theirs.csv')]).toEqual([0, 1]);

    // A source change is written over what cloudexit wrote (If-Match: the recorded ETag), without HEAD...
    const v2 = bytesOf('source-ours-v2', 1600);
    await put(source, 'ours.csv', v2);
    proxy.reset();
    expect(await copyDataset(await h!.context(), h!.dataset)).toMatchObject({ copied: 1 });
    expect(md5(await bytesAt(target, 'ours.csv'))).toEqual(md5(v2));
    expect(heads(proxy, 'ours.csv')).toBe(0);

    // ...but not over what someone else put there since.
    const written = (await recordOf('ours.csv'))!.targetEtag;
    const intruder = bytesOf('intruder', 700);
    const intruderEtag = await put(target, 'ours.csv', intruder);
    await put(source, 'ours.csv', bytesOf('source-ours-v3', 1700));
    const third = await copyDataset(await h!.context(), h!.dataset);
    expect(third.conflicts).toContainEqual({
      key: 'ours.csv',
      targetKey: 'ours.csv',
      targetEtag: intruderEtag,
      recordedEtag: written,
    });
    expect(md5(await bytesAt(target, 'ours.csv'))).toEqual(md5(intruder));
  });

  it('the same bytes already on the target: the refused condition is explained by HEAD, and the copy completes', async () => {
    const { proxy, source, target } = await onRgw({ ifNoneMatch: true, ifMatch: true });
    const body = bytesOf('same', 4000);
    await put(source, 'same.csv', body);
    await put(target, 'same.csv', body);
    const run = await copyDataset(await h!.context(), h!.dataset);
    expect(run).toMatchObject({ copied: 1, conflicts: [] });
    expect(heads(proxy, 'same.csv')).toBe(1);
    expect(md5(await bytesAt(target, 'same.csv'))).toEqual(md5(body));
  });

  it('where the probe did not grant conditional writes, HEAD guards every write as before', async () => {
    const { proxy, source, target } = await onRgw({ ifNoneMatch: false, ifMatch: false });
    await put(source, 'theirs.csv', bytesOf('source-theirs', 1500));
    await put(source, 'ours.csv', bytesOf('source-ours', 1500));
    const before = bytesOf('was-there-before', 900);
    await put(target, 'theirs.csv', before);
    const run = await copyDataset(await h!.context(), h!.dataset);
    expect(run.copied).toBe(1);
    expect(run.conflicts.map((c) => c.key)).toEqual(['theirs.csv']);
    expect(md5(await bytesAt(target, 'theirs.csv'))).toEqual(md5(before));
    expect([heads(proxy, 'ours.csv'), heads(proxy, 'theirs.csv')]).toEqual([1, 1]);
  });
});
