/**
 * An object over 5 GiB, copied from Azure Blob (Azurite) to Ceph RGW on bluestore with the
 * sample plan's limits, then verified quick and full. No step of the copy path may depend on
 * the object's size: AWS refuses CopyObject above 5 GiB, so a path through it would fail here.
 * Prints the figures (sizes, seconds, MiB/s, parts, peak RSS) for the release note.
 * Run with `npm run test:large` (about 6 minutes and 11 GiB of disk here).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RESERVED_PREFIX } from '../../src/engine/context.ts';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { verifyDataset } from '../../src/engine/verify.ts';
import { createContainer, startAzurite, type AzuriteHandle } from '../../src/embedded/azurite.ts';
import { startRgw, type RgwHandle } from '../../src/embedded/rgw.ts';
import { createBucket } from '../../src/embedded/s3rver.ts';
import { loadPlan } from '../../src/plan/load.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import { createS3Store } from '../../src/stores/s3.ts';
import { probeStore } from '../../src/stores/probe.ts';
import { createHarness, MiB, type Harness } from '../engine/harness.ts';

const SIZE = 5 * 1024 * MiB + 3 * MiB + 17; // over 5 GiB, not a whole number of parts
const BLOCK = 64 * MiB;

let azurite: AzuriteHandle;
let rgw: RgwHandle;
let h: Harness;
let expectedSha256: string;

beforeAll(async () => {
  azurite = await startAzurite();
  rgw = await startRgw({ objectStore: 'bluestore', capacityBytes: 12 * 1024 * MiB });
  await createContainer(azurite, 'large');
  await createBucket(rgw, 'large-target');
  const source = createAzureBlobStore({
    endpoint: azurite.endpoint,
    container: 'large',
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
  const plain = createS3Store({
    endpoint: rgw.endpoint,
    region: rgw.region,
    bucket: 'large-target',
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  // What `copy` does on first use of a target.
  const probed = await probeStore(plain, `${RESERVED_PREFIX}probe/`);
  const target = plain.withCapabilities!(probed.capabilities);
  h = await createHarness({ source, target });
  expectedSha256 = await seed(source);
}, 1_800_000);

afterAll(async () => {
  await h?.close();
  await rgw?.stop();
  await azurite?.stop();
});

/** Writes SIZE bytes as 64 MiB staged blocks, each a random 8 MiB pattern with its block number. */
async function seed(source: ReturnType<typeof createAzureBlobStore>): Promise<string> {
  const pattern = randomBytes(8 * MiB);
  const hash = createHash('sha256');
  const uploadId = await source.createMultipart('huge.bin', { metadata: {} });
  const parts = [];
  for (let offset = 0, n = 1; offset < SIZE; offset += BLOCK, n++) {
    const block = Buffer.alloc(Math.min(BLOCK, SIZE - offset));
    for (let at = 0; at < block.length; at += pattern.length) pattern.copy(block, at);
    block.writeUInt32BE(n, 0);
    hash.update(block);
    parts.push({ partNumber: n, etag: await source.uploadPart('huge.bin', uploadId, n, block, md5(block)) });
  }
  await source.completeMultipart('huge.bin', uploadId, parts, {
    metadata: { patient_cohort: 'large' },
    contentType: 'application/octet-stream',
  });
  return hash.digest('hex');
}

it('copies and verifies an object over 5 GiB with no size-specific path', async () => {
  const { limits } = await loadPlan('runbooks/emc2/plan.yaml');
  const engineLimits = {
    concurrency: limits.concurrency,
    partConcurrency: limits.partConcurrency,
    multipartThreshold: limits.multipartThreshold,
    minPartSize: limits.minPartSize,
    maxAttempts: limits.maxAttempts,
  };
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 500);
  try {
    const t0 = performance.now();
    const copied = await copyDataset(await h.context({ limits: engineLimits }), h.dataset);
    const copySeconds = (performance.now() - t0) / 1000;
    expect([copied.copied, copied.failed]).toEqual([1, []]);
    const [record] = (await h.state.getObjects('ds', ['huge.bin'])).values();
    expect(record).toMatchObject({ sha256: expectedSha256, sha256Carrier: 'tag', size: SIZE });
    const parts = Number(record!.targetEtag!.split('-')[1]);

    const t1 = performance.now();
    const quick = await verifyDataset(await h.context({ limits: engineLimits }), h.dataset, 'quick');
    const quickSeconds = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    const full = await verifyDataset(await h.context({ limits: engineLimits }), h.dataset, 'full');
    const fullSeconds = (performance.now() - t2) / 1000;
    expect([quick.verified, quick.mismatches, full.verified, full.mismatches]).toEqual([1, [], 1, []]);

    const mib = SIZE / MiB;
    process.stdout.write(
      `\n5 GiB run: ${SIZE} bytes (${mib.toFixed(0)} MiB) in ${parts} parts; copy ${copySeconds.toFixed(1)} s (${(mib / copySeconds).toFixed(1)} MiB/s), ` +
        `verify quick ${quickSeconds.toFixed(2)} s, verify full ${fullSeconds.toFixed(1)} s (${(mib / fullSeconds).toFixed(1)} MiB/s), ` +
        `peak RSS of this process (Azurite in it too) ${(peakRss / MiB).toFixed(0)} MiB\n`,
    );
  } finally {
    clearInterval(sampler);
  }
});
