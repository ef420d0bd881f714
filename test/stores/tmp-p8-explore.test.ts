// TEMP exploration by p8, deleted after use.
import { inject, it } from 'vitest';
import { S3Client, PutObjectCommand, HeadObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand } from '@aws-sdk/client-s3';
import { freshS3Store, freshAzureStore } from '../support/stores.ts';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

for (const server of ['rgw'] as const) {
  it(`explore ${server}`, async () => {
    const { bucket } = await freshS3Store({ server });
    const s = inject(server);
    const c = new S3Client({ endpoint: s.endpoint, region: s.region, forcePathStyle: true, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } });
    const tryIt = async (label: string, f: () => Promise<unknown>) => {
      try { const r: any = await f(); console.log(server, label, 'OK', r?.ETag); } catch (e: any) { console.log(server, label, 'ERR', e?.$metadata?.httpStatusCode, e?.name); }
    };
    await tryIt('put new INM*', () => c.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'one', IfNoneMatch: '*' })));
    await tryIt('put existing INM*', () => c.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'two', IfNoneMatch: '*' })));
    const h: any = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a' }));
    console.log(server, 'after INM size', h.ContentLength, h.ETag);
    await tryIt('put existing IfMatch wrong', () => c.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'three', IfMatch: '"00000000000000000000000000000000"' })));
    const h2: any = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a' }));
    console.log(server, 'after IfMatch wrong size', h2.ContentLength, h2.ETag);
    await tryIt('put existing IfMatch right', () => c.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'four', IfMatch: h2.ETag })));
    await tryIt('put existing IfMatch right UNQUOTED', () => c.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'five', IfMatch: h2.ETag.replace(/"/g, '') })));
    await tryIt('put existing IfMatch wrong UNQUOTED', () => c.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'six', IfMatch: '00000000000000000000000000000000' })));
    console.log(server, 'after unquoted', (await c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a' }))).ContentLength);
    await tryIt('put absent IfMatch', () => c.send(new PutObjectCommand({ Bucket: bucket, Key: 'zz', Body: 'four', IfMatch: h2.ETag })));
    // multipart complete
    const up: any = await c.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'a' }));
    const p: any = await c.send(new UploadPartCommand({ Bucket: bucket, Key: 'a', UploadId: up.UploadId, PartNumber: 1, Body: 'x' }));
    await tryIt('complete existing INM*', () => c.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'a', UploadId: up.UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } })));
    const h3: any = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a' }));
    console.log(server, 'after complete INM size', h3.ContentLength, h3.ETag);
  });
}

it('explore azurite', async () => {
  const { container } = await freshAzureStore();
  const a = inject('azurite');
  const svc = new BlobServiceClient(a.endpoint, new StorageSharedKeyCredential(a.accountName, a.accountKey));
  const b = svc.getContainerClient(container).getBlockBlobClient('a');
  const tryIt = async (label: string, f: () => Promise<unknown>) => {
    try { const r: any = await f(); console.log('azurite', label, 'OK', r?.etag); } catch (e: any) { console.log('azurite', label, 'ERR', e?.statusCode, e?.code); }
  };
  await tryIt('put new INM*', () => b.upload('one', 3, { conditions: { ifNoneMatch: '*' } }));
  await tryIt('put existing INM*', () => b.upload('two', 3, { conditions: { ifNoneMatch: '*' } }));
  const p1 = await b.getProperties();
  console.log('azurite after INM', p1.contentLength);
  await tryIt('put existing IfMatch wrong', () => b.upload('three', 5, { conditions: { ifMatch: '"0x8DEADBEEF"' } }));
  const p2 = await b.getProperties();
  console.log('azurite after IfMatch wrong', p2.contentLength);
  await tryIt('put IfMatch right', () => b.upload('four', 4, { conditions: { ifMatch: p2.etag } }));
  await b.stageBlock(Buffer.from('MDAx').toString('base64'), 'x', 1);
  await tryIt('commit existing INM*', () => b.commitBlockList([Buffer.from('MDAx').toString('base64')], { conditions: { ifNoneMatch: '*' } }));
  console.log('azurite after commit', (await b.getProperties()).contentLength);
});
