/**
 * Writes synthetic objects into a source store the way Azure clients do: small blobs in
 * one shot (Azure then keeps a Content-MD5), large ones as staged blocks (no Content-MD5,
 * the case where rclone can only compare sizes).
 */
import { createHash } from 'node:crypto';
import PQueue from 'p-queue';
import type { ObjectStore, WriteMeta } from '../stores/object-store.ts';
import type { SyntheticObject } from './synthetic.ts';

const BLOCK = 4 * 2 ** 20;

export async function seedStore(
  store: ObjectStore,
  objects: readonly SyntheticObject[],
  concurrency = 16,
): Promise<{ objects: number; bytes: number }> {
  const queue = new PQueue({ concurrency });
  let bytes = 0;
  for (const object of objects) {
    void queue.add(async () => {
      await writeOne(store, object);
      bytes += object.size;
    });
  }
  await queue.onIdle();
  return { objects: objects.length, bytes };
}

async function writeOne(store: ObjectStore, object: SyntheticObject): Promise<void> {
  const meta: WriteMeta = { contentType: object.contentType, metadata: object.metadata };
  if (object.contentLanguage) meta.contentLanguage = object.contentLanguage;
  if (object.size < BLOCK) {
    const body = object.bytes(0, object.size);
    const md5 = createHash('md5').update(body).digest();
    await store.put(object.key, body, md5, { ...meta, md5 });
    return;
  }
  const uploadId = await store.createMultipart(object.key, meta);
  const parts = [];
  for (let offset = 0, partNumber = 1; offset < object.size; offset += BLOCK, partNumber++) {
    const body = object.bytes(offset, Math.min(BLOCK, object.size - offset));
    const etag = await store.uploadPart(
      object.key,
      uploadId,
      partNumber,
      body,
      createHash('md5').update(body).digest(),
    );
    parts.push({ partNumber, etag });
  }
  await store.completeMultipart(object.key, uploadId, parts, meta);
}
