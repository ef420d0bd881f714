/**
 * The hot data path builds request paths itself (undici takes them as given): they must
 * name the same object as the official SDKs do for every key, awkward ones included, or a
 * read would miss what the SDK wrote. Compared with the paths the SDKs build.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AnonymousCredential, ContainerClient, newPipeline } from '@azure/storage-blob';
import { describe, expect, test } from 'vitest';
import { blobPath } from '../../src/stores/azure-read.ts';
import { encodeKey } from '../../src/stores/s3-data-path.ts';

const KEYS = [
  'plain.csv',
  'dossier/été/中文 x+y.csv',
  '/leading/slash',
  'a//double',
  "q?#%&=!'()*~_.-",
  'a/../b',
  './dot',
  'trailing/',
  'back\\slash',
  'emoji 🩺.bin',
];

/** The path the S3 SDK would send for GetObject of `key`, captured before anything is sent. */
async function sdkS3Path(key: string): Promise<string> {
  const client = new S3Client({
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  });
  client.middlewareStack.add(
    () => (args) =>
      Promise.reject(Object.assign(new Error('captured'), { path: (args.request as { path: string }).path })),
    { step: 'finalizeRequest', name: 'capturePath' },
  );
  const err = await client.send(new GetObjectCommand({ Bucket: 'bucket', Key: key })).catch((e: unknown) => e);
  client.destroy();
  return (err as { path: string }).path;
}

describe('request paths of the hot data path', () => {
  test.each(KEYS)('S3: %j as the AWS SDK sends it', async (key) => {
    expect(`/bucket/${encodeKey(key)}`).toBe(await sdkS3Path(key));
  });

  test.each(KEYS)('Azure: %j as @azure/storage-blob sends it', (key) => {
    const container = new ContainerClient(
      'http://127.0.0.1:1/account/container',
      newPipeline(new AnonymousCredential()),
    );
    expect(blobPath('/account/container', key)).toBe(new URL(container.getBlockBlobClient(key).url).pathname);
  });
});
