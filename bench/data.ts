/**
 * The benchmark's data: deterministic objects seeded once into Azurite, buckets created
 * up front on s3rver, and the object count of a bucket to check a copier's work.
 *
 * Content is AES-128-CTR keystream under a key derived from the object's key: the same
 * bytes on every run and incompressible, so no side gains from compression.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { prng, type SyntheticObject } from '../src/rehearsal/synthetic.ts';
import { seedStore } from '../src/rehearsal/seed.ts';
import { createContainer } from '../src/embedded/azurite.ts';
import { createBucket } from '../src/embedded/s3rver.ts';
import { createAzureBlobStore } from '../src/stores/azure-blob.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './services.ts';
import type { S3Account } from './targets.ts';

const KiB = 1024;
export const MiB = 1024 * KiB;
/** Listing pages read at most when counting a bucket (1,000 keys each): bounds the loop. */
const MAX_LIST_PAGES = 10_000;

export const SMALL_CONTAINER = 'bench-small';
export const LARGE_CONTAINER = 'bench-large';
/** The first small object alone: a copy of it is what a run costs before any per-object work. */
export const ONE_CONTAINER = 'bench-one';

function keystream(key: string, size: number): (offset: number, length: number) => Buffer {
  const aesKey = createHash('sha256').update(`cloudexit-bench:${key}`).digest().subarray(0, 16);
  return (offset, length) => {
    // Seeding asks for whole 4 MiB blocks from offset 0, so offsets are multiples of 16.
    const counter = Buffer.alloc(16);
    counter.writeBigUInt64BE(BigInt(offset / 16), 8);
    const end = Math.min(size, offset + length);
    return createCipheriv('aes-128-ctr', aesKey, counter).update(Buffer.alloc(end - offset));
  };
}

function object(key: string, size: number, contentType: string): SyntheticObject {
  return { key, size, contentType, metadata: { origin: 'cloudexit-bench' }, bytes: keystream(key, size) };
}

/** `count` objects of 1–16 KiB (sizes from a seeded PRNG), spread over a few prefixes. */
export function smallObjects(count: number): SyntheticObject[] {
  const random = prng(20_260_101);
  return Array.from({ length: count }, (_, i) => {
    const size = KiB + Math.floor(random() * 15 * KiB);
    return object(
      `lot-${String(i % 10).padStart(2, '0')}/objet-${String(i).padStart(6, '0')}.bin`,
      size,
      'application/octet-stream',
    );
  });
}

export function largeObject(mib: number): SyntheticObject {
  return object('imagerie/volume-agrégé.bin', mib * MiB, 'application/octet-stream');
}

/**
 * Seeds both containers. seedStore writes objects under 4 MiB in one shot (Azurite then
 * keeps a Content-MD5, which rclone checks) and larger ones as staged blocks committed as
 * a block list, as Azure clients do: no Content-MD5, so rclone can compare sizes only.
 */
export async function seed(azuriteEndpoint: string, small: SyntheticObject[], large: SyntheticObject): Promise<void> {
  const account = { endpoint: azuriteEndpoint, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY };
  const credential = { kind: 'key' as const, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY };
  for (const [container, objects] of [
    [SMALL_CONTAINER, small],
    [LARGE_CONTAINER, [large]],
    [ONE_CONTAINER, small.slice(0, 1)],
  ] as const) {
    await createContainer(account, container);
    await seedStore(createAzureBlobStore({ endpoint: azuriteEndpoint, container, credential }), objects);
  }
}

export function s3Client(target: S3Account): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    // The SDK's default flexible checksums corrupt objects on s3rver (LOCAL-SERVICES.md).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function createBuckets(target: S3Account, names: readonly string[]): Promise<void> {
  for (const name of names) await createBucket(target, name);
}

/** Objects in `bucket` outside cloudexit's reserved `.cloudexit/` folder, and their bytes. */
export async function countBucket(client: S3Client, bucket: string): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  let ContinuationToken: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
    for (const item of res.Contents ?? []) {
      if (item.Key?.startsWith('.cloudexit/')) continue;
      objects++;
      bytes += item.Size ?? 0;
    }
    ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    if (!ContinuationToken) return { objects, bytes };
  }
  throw new Error(`bucket ${bucket}: more than ${MAX_LIST_PAGES} listing pages`);
}
