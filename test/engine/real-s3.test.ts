/**
 * The copy path on Ceph RGW, a real S3 implementation, with the sample plan's limits: what
 * s3rver let pass and RGW does not (a `-N` multipart ETag, metadata names respelt `_` → `-`,
 * an empty ETag from Complete, uploads that vanish) must not break copy or verify. Plus the
 * side-car of metadata over a target's limit, on the 2 KiB limit of AWS-like targets.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TAG_SHA256 } from '../../src/engine/context.ts';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { sidecarKey } from '../../src/engine/target-meta.ts';
import { verifyDataset } from '../../src/engine/verify.ts';
import { loadPlan } from '../../src/plan/load.ts';
import { readAll } from '../support/bytes.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { freshS3Store, rgwOrigin } from '../support/stores.ts';
import { bytesOf, createHarness, MiB, type Harness } from './harness.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The sample plan's limits, as `cloudexit copy` would run with them. */
async function sampleLimits() {
  const { limits } = await loadPlan('runbooks/emc2/plan.yaml');
  return {
    concurrency: limits.concurrency,
    partConcurrency: limits.partConcurrency,
    multipartThreshold: limits.multipartThreshold,
    minPartSize: limits.minPartSize,
    maxAttempts: limits.maxAttempts,
  };
}

describe("on Ceph RGW with the sample plan's limits", () => {
  it('copy → verify quick → verify full → copy sends nothing, with multipart objects and `_` in Azure metadata names', async () => {
    const proxy = await startFaultProxy(rgwOrigin());
    try {
      h = await createHarness({ target: (await freshS3Store({ server: 'rgw', via: { origin: proxy.origin } })).store });
      const limits = await sampleLimits();
      const objects = new Map<string, Buffer>([
        ['hcl/séjours/2024.csv', bytesOf('small', 40_000)],
        ['hcl/vide.csv', Buffer.alloc(0)],
        ['hcl/extract.parquet', bytesOf('large', 21 * MiB + 7)], // 5 parts of 5 MiB at the sample's minPartSize
        ['hcl/exact-threshold.bin', bytesOf('edge', limits.multipartThreshold)],
      ]);
      for (const [key, body] of objects) {
        await h.dataset.source.put(key, body, md5(body), {
          contentType: 'text/csv',
          metadata: { patient_cohort: 'emc2_2024', hospital: 'hcl' },
          md5: md5(body),
        });
      }
      const copied = await copyDataset(await h.context({ limits }), h.dataset);
      expect([copied.copied, copied.failed]).toEqual([objects.size, []]);
      const records = [...(await h.state.getObjects('ds', [...objects.keys()])).values()];
      expect(records.map((r) => [r.key, r.sha256Carrier]).sort()).toEqual([
        ['hcl/exact-threshold.bin', 'tag'],
        ['hcl/extract.parquet', 'tag'],
        ['hcl/séjours/2024.csv', 'metadata'],
        ['hcl/vide.csv', 'metadata'],
      ]);
      const large = records.find((r) => r.key === 'hcl/extract.parquet')!;
      expect(large.targetEtag).toMatch(/^[0-9a-f]{32}-5$/); // RGW's multipart rule, learnt by HEAD after an empty Complete
      expect((await h.dataset.target.getTags('hcl/extract.parquet'))?.[TAG_SHA256]).toBe(
        sha256(objects.get('hcl/extract.parquet')!),
      );
      // RGW spells the names with `-`; verify compares them in that spelling.
      expect((await h.dataset.target.head('hcl/vide.csv'))?.metadata).toMatchObject({ 'patient-cohort': 'emc2_2024' });

      const quick = await verifyDataset(await h.context({ limits }), h.dataset, 'quick');
      expect([quick.verified, quick.mismatches, quick.sha256NotOnTarget]).toEqual([objects.size, [], []]);
      const full = await verifyDataset(await h.context({ limits }), h.dataset, 'full');
      expect([full.verified, full.mismatches]).toEqual([objects.size, []]);
      expect(proxy.count({ method: 'PUT', path: /[?&]x-id=CopyObject|copy/i })).toBe(0);

      proxy.reset();
      const again = await copyDataset(await h.context({ limits }), h.dataset);
      expect([again.copied, again.alreadyCopied]).toEqual([0, objects.size]);
      expect(proxy.count({ method: 'PUT' }) + proxy.count({ method: 'POST' })).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('an upload that vanished at the target (aborted or expired) is forgotten and started again', async () => {
    h = await createHarness({ target: (await freshS3Store({ server: 'rgw' })).store });
    const body = bytesOf('vanish', 16 * MiB);
    await h.dataset.source.put('big.bin', body, md5(body), { metadata: {}, md5: md5(body) });
    const abort = new AbortController();
    const first = await h.context({
      signal: abort.signal,
      limits: { partConcurrency: 1, multipartThreshold: 6 * MiB },
    });
    const recordPart = first.state.recordPart.bind(first.state);
    first.state = new Proxy(first.state, {
      get: (store, name) =>
        name === 'recordPart'
          ? async (...args: Parameters<typeof recordPart>) => {
              await recordPart(...args);
              abort.abort(new Error('test interrupt'));
            }
          : ((v) => (typeof v === 'function' ? v.bind(store) : v))(Reflect.get(store, name)),
    });
    expect((await copyDataset(first, h.dataset)).copied).toBe(0);
    const upload = await h.state.getUpload('ds', 'big.bin');
    expect(upload?.parts).toHaveLength(1);
    // A lifecycle rule (or an operator) removes the upload at the target.
    await h.dataset.target.abortMultipart(upload!.targetKey, upload!.uploadId);

    const resumed = await copyDataset(await h.context({ limits: { multipartThreshold: 6 * MiB } }), h.dataset);
    expect([resumed.copied, resumed.failed]).toEqual([1, []]);
    expect(h.notes.some((n) => n.includes('is gone from the target'))).toBe(true);
    expect(await h.state.getUpload('ds', 'big.bin')).toBeUndefined();
    expect(sha256(await readAll((await h.dataset.target.read('big.bin')).body))).toBe(sha256(body));
    expect((await verifyDataset(await h.context(), h.dataset, 'full')).mismatches).toEqual([]);
  });
});

describe("metadata over the target's limit", () => {
  it('goes whole into a side-car object the copy references and verify checks', async () => {
    // The 2 KiB of AWS S3 (and OVHcloud); Azure allows 8 KiB.
    const target = (await freshS3Store()).store.withCapabilities!({ metadataLimitBytes: 2048 });
    h = await createHarness({ target, targetPrefix: 'emc2/' });
    const metadata = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`field_${i}`, `valeur-${'x'.repeat(90)}-${i}`]),
    );
    const body = bytesOf('wide', 1000);
    await h.dataset.source.put('wide.csv', body, md5(body), { metadata, md5: md5(body) });
    expect((await copyDataset(await h.context(), h.dataset)).failed).toEqual([]);

    const sidecar = JSON.parse(
      (await readAll((await target.read(sidecarKey(h.dataset, 'emc2/wide.csv'))).body)).toString(),
    ) as { key: string; metadata: Record<string, string> };
    expect(sidecar).toEqual({ key: 'emc2/wide.csv', metadata: Object.fromEntries(Object.entries(metadata).sort()) });
    expect((await verifyDataset(await h.context(), h.dataset, 'quick')).mismatches).toEqual([]);

    // A side-car changed behind cloudexit's back is reported.
    const forged = Buffer.from(JSON.stringify({ ...sidecar, metadata: { field_0: 'forged' } }));
    await target.put(sidecarKey(h.dataset, 'emc2/wide.csv'), forged, md5(forged), { metadata: {} });
    expect(
      (await verifyDataset(await h.context(), h.dataset, 'quick')).mismatches.map((m) => [m.key, m.problem]),
    ).toEqual([['wide.csv', 'sidecar']]);
  });
});
