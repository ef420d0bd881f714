/**
 * `probeStore` against every server of the suite: the reports differ exactly where the
 * servers differ, match the capabilities the conformance suite proves, and leave nothing
 * behind.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { AZURE_DECLARED_CAPABILITIES } from '../../src/stores/azure-blob.ts';
import { mergeCapabilities } from '../../src/stores/capabilities.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { probeRows, probeStore, type ProbeReport } from '../../src/stores/probe.ts';
import { S3_DECLARED_CAPABILITIES } from '../../src/stores/s3.ts';
import { md5 } from '../support/bytes.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import {
  S3_SERVER_CAPABILITIES,
  freshAzureStore,
  freshS3Store,
  s3rverOrigin,
  type StoreUnderTest,
} from '../support/stores.ts';

const PREFIX = () => `warehouse/snds/.cloudexit/probe-${randomBytes(4).toString('hex')}/`;
const SENTINEL = 'warehouse/snds/data.csv';

interface Probed {
  report: ProbeReport;
  /** Every key in the bucket or container after the probe. */
  after: string[];
  secrets: string[];
}

async function keys(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const item of store.list('')) out.push(item.key);
  return out.sort();
}

/** Probes a store holding one unrelated object (which must survive), as the app would: declared capabilities. */
async function probe(made: StoreUnderTest): Promise<Probed> {
  const { store, secrets } = made;
  const body = Buffer.from('a,b\n');
  await store.put(SENTINEL, body, md5(body), { metadata: {} });
  const report = await probeStore(store, PREFIX(), { now: () => new Date('2026-12-01T10:00:00Z') });
  return { report, after: await keys(store), secrets };
}

describe('probeStore', () => {
  let s3rver: Probed;
  let rgw: Probed;
  let azurite: Probed;

  beforeAll(async () => {
    // One at a time: the machines have two cores, and each probe writes 5 MiB.
    s3rver = await probe(await freshS3Store({ capabilities: 'declared' }));
    rgw = await probe(await freshS3Store({ server: 'rgw', capabilities: 'declared' }));
    azurite = await probe(await freshAzureStore());
  });

  test('measures on s3rver and RGW exactly the capabilities the conformance suite proves there', () => {
    expect(s3rver.report.capabilities).toEqual(
      mergeCapabilities(S3_DECLARED_CAPABILITIES, S3_SERVER_CAPABILITIES.s3rver),
    );
    expect(rgw.report.capabilities).toEqual(mergeCapabilities(S3_DECLARED_CAPABILITIES, S3_SERVER_CAPABILITIES.rgw));
  });

  test('the reports of s3rver (a fake) and RGW (a real S3) differ where the servers do', () => {
    const fake = s3rver.report.capabilities;
    const real = rgw.report.capabilities;
    expect([fake.checksContentMd5, real.checksContentMd5]).toEqual([false, true]);
    expect([fake.etag.multipart, real.etag.multipart]).toEqual(['whole-md5', 'part-md5s']);
    expect([fake.etag.reportedAtComplete, real.etag.reportedAtComplete]).toEqual([true, false]);
    expect([fake.metadataNames, real.metadataNames]).toEqual(['kept', 'underscore-to-hyphen']);
    // Alike: MD5 ETags for one-shot PUTs, tags, metadata fixed at creation, no raw UTF-8 over Node's HTTP.
    for (const c of [fake, real]) {
      expect(c).toMatchObject({
        etag: { single: 'md5' },
        tagging: true,
        metadataAtComplete: false,
        metadataValuesUtf8: false,
      });
    }
    const seen = (p: Probed, name: string) =>
      p.report.observations
        .filter((o) => o.name === name)
        .map((o) => o.seen)
        .join('; ');
    expect(seen(s3rver, 'uploadGone.complete')).toMatch(/succeeded after the abort/);
    expect(seen(rgw, 'uploadGone.uploadPart')).toMatch(/404 NoSuchUpload.*UploadGone/);
    expect(seen(rgw, 'uploadGone.complete')).toMatch(/500 InternalError.*UploadGone/);
    expect(seen(rgw, 'checksContentMd5')).toMatch(/BadDigest.*BadDigest/);
  });

  test('grants conditional PUTs only where a failing condition was refused and a holding one applied', () => {
    const seen = (p: Probed, name: string) => p.report.observations.find((o) => o.name === name)?.seen;
    // s3rver applies every conditional PUT; RGW 16.2 and Azurite refuse the failing ones.
    expect(s3rver.report.capabilities.conditionalWrites).toEqual({ ifNoneMatch: false, ifMatch: false });
    expect(seen(s3rver, 'conditionalWrites.ifNoneMatch')).toBe(
      'If-None-Match: * on an absent key: written; on an existing one: applied',
    );
    expect(seen(s3rver, 'conditionalWrites.ifMatch')).toMatch(/^If-Match, another ETag: applied;/);
    expect(rgw.report.capabilities.conditionalWrites).toEqual({ ifNoneMatch: true, ifMatch: true });
    expect(seen(rgw, 'conditionalWrites.ifNoneMatch')).toBe(
      'If-None-Match: * on an absent key: written; on an existing one: refused (HTTP 412 PreconditionFailed)',
    );
    expect(seen(rgw, 'conditionalWrites.ifMatch')).toBe(
      "If-Match, another ETag: refused (HTTP 412 PreconditionFailed); the object's ETag: written; " +
        'an absent key: refused (HTTP 412 PreconditionFailed)',
    );
    expect(azurite.report.capabilities.conditionalWrites).toEqual({ ifNoneMatch: true, ifMatch: true });
    expect(seen(azurite, 'conditionalWrites.ifNoneMatch')).toMatch(
      /existing one: refused \(HTTP 412 BlobAlreadyExists/,
    );
  });

  test('measures Azurite as the Azure adapter declares, except what Azurite does beyond it', () => {
    expect(azurite.report.capabilities).toEqual({
      ...AZURE_DECLARED_CAPABILITIES,
      metadataLimitBytes: 12_288,
      // Azurite refuses a PUT whose If-None-Match: * (409) or If-Match (412) fails.
      conditionalWrites: { ifNoneMatch: true, ifMatch: true },
    });
  });

  test('leaves nothing under the probe prefix, and the rest of the bucket as it was', () => {
    for (const p of [s3rver, rgw, azurite]) {
      expect(p.after).toEqual([SENTINEL]);
      expect(p.report.observations.find((o) => o.name === 'cleanup')).toBeUndefined();
    }
  });

  test('reports carry the store, the time, no secret, and one table row per capability', () => {
    for (const p of [s3rver, rgw, azurite]) {
      expect(p.report.at).toBe('2026-12-01T10:00:00.000Z');
      const printed = inspect(p.report, { depth: 10 });
      for (const secret of p.secrets) expect(printed).not.toContain(secret);
      const rows = probeRows(p.report);
      expect(rows.map((r) => r.capability)).toEqual([
        'etag.single',
        'etag.multipart',
        'etag.reportedAtComplete',
        'checksContentMd5',
        'metadataNames',
        'metadataLimitBytes',
        'metadataValuesUtf8',
        'tagging',
        'metadataAtComplete',
        'checksumSha256',
        'conditionalWrites.ifNoneMatch',
        'conditionalWrites.ifMatch',
        'uploadGone.listParts',
        'uploadGone.uploadPart',
        'uploadGone.complete',
      ]);
      expect(rows.every((r) => r.seen.length > 0 && r.value.length > 0)).toBe(true);
    }
    expect(probeRows(rgw.report).find((r) => r.capability === 'etag.multipart')?.value).toBe('part-md5s');
  });

  test('a store failing mid-probe ends the probe with its error, and the probe still cleans up', async () => {
    const { store, reopen } = await freshS3Store({ capabilities: 'declared' });
    const proxy = await startFaultProxy(s3rverOrigin());
    try {
      // The multipart step's first part: after the one-shot PUT has written an object.
      proxy.inject({ method: 'PUT', path: /[?&]partNumber=1/, fault: { kind: 'status', status: 503 } });
      const prefix = PREFIX();
      await expect(probeStore(reopen({ origin: proxy.origin }), prefix)).rejects.toMatchObject({
        name: 'StoreError',
        code: 'Unavailable',
        op: 'uploadPart',
      });
      expect(proxy.count({ method: 'DELETE' })).toBeGreaterThanOrEqual(1);
      expect(await keys(store)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  test('the S3 server of the suite is the one the coordinates name', () => {
    expect(s3rver.report.store).toContain(inject('s3rver').endpoint);
    expect(rgw.report.store).toContain(inject('rgw').endpoint);
  });
});
