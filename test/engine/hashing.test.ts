import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5, needsWholeMd5, ObjectHasher, OrderedHasher } from '../../src/engine/hashing.ts';
import { manifestLine } from '../../src/engine/manifest.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { freshS3Store, type S3Server } from '../support/stores.ts';
import { bytesOf, createHarness, MiB, type Harness } from './harness.ts';

const hex = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex');

describe('ordered hashing', () => {
  it('hashes parts in part order whatever order they finish in', async () => {
    const parts = ['alpha', 'beta', 'gamma', 'delta'].map((s) => Buffer.from(s));
    const ordered = new OrderedHasher();
    await Promise.all([3, 1, 0, 2].map((i) => ordered.feed(i, parts[i]!)));
    const whole = Buffer.concat(parts);
    const digest = ordered.hasher.digest();
    expect(digest.sha256).toBe(hex('sha256', whole));
    expect(digest.md5).toBe(hex('md5', whole));
  });

  it('rejects the parts waiting for an earlier one that failed, and those fed after', async () => {
    const ordered = new OrderedHasher();
    const waiting = ordered.feed(1, Buffer.from('beta'));
    const failure = new Error('part 1 failed');
    ordered.abort(failure);
    await expect(waiting).rejects.toBe(failure);
    await expect(ordered.feed(2, Buffer.from('gamma'))).rejects.toBe(failure);
  });

  it('counts bytes', () => {
    const hasher = new ObjectHasher();
    hasher.update(Buffer.alloc(10));
    hasher.update(Buffer.alloc(0));
    expect(hasher.bytes).toBe(10);
  });

  it('leaves the whole MD5 out when not asked for it, the SHA-256 never', () => {
    const hasher = new ObjectHasher({ wholeMd5: false });
    hasher.update(Buffer.from('bytes'));
    expect(hasher.digest()).toEqual({
      sha256: hex('sha256', Buffer.from('bytes')),
      md5: undefined,
      md5Bytes: undefined,
    });
  });
});

describe('which hashes a multipart copy computes', () => {
  it('the whole MD5 only for a source Content-MD5', () => {
    expect(needsWholeMd5(undefined)).toBe(false);
    expect(needsWholeMd5('0123')).toBe(true);
  });
});

describe('the whole MD5 on real servers', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** An 11 MiB blob staged as blocks: Azure then keeps no Content-MD5 for it. */
  async function stageWithoutMd5(source: ObjectStore, key: string, body: Buffer): Promise<void> {
    const uploadId = await source.createMultipart(key, { metadata: {} });
    const parts = [body.subarray(0, 6 * MiB), body.subarray(6 * MiB)];
    const completed = [];
    for (const [i, part] of parts.entries())
      completed.push({ partNumber: i + 1, etag: await source.uploadPart(key, uploadId, i + 1, part, md5(part)) });
    await source.completeMultipart(key, uploadId, completed, { metadata: {} });
    expect((await source.head(key))?.md5).toBeUndefined();
  }

  async function copied(server: S3Server, declareMd5: boolean) {
    h = await createHarness({ target: (await freshS3Store({ server })).store });
    const body = bytesOf(`${server}-${declareMd5}`, 11 * MiB + 3);
    if (declareMd5) await h.dataset.source.put('big.bin', body, md5(body), { metadata: {}, md5: md5(body) });
    else await stageWithoutMd5(h.dataset.source, 'big.bin', body);
    const summary = await copyDataset(await h.context(), h.dataset);
    expect([summary.copied, summary.failed]).toEqual([1, []]);
    const [record] = (await h.state.getObjects('ds', ['big.bin'])).values();
    expect(record?.sha256).toBe(hex('sha256', body));
    return { record: record!, body };
  }

  it('is not computed on RGW (part-MD5 ETag) for a source without Content-MD5; the ETag is still checked', async () => {
    const { record } = await copied('rgw', false);
    expect(record.md5).toBeUndefined();
    expect(record.expectedEtag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(record.targetEtag).toBe(record.expectedEtag);
  });

  it('is computed and checked where the source declares a Content-MD5', async () => {
    const { record, body } = await copied('rgw', true);
    expect(record.md5).toBe(hex('md5', body));
  });

  it('is not computed on s3rver (whole-MD5 ETag) for a source without one: no ETag expected, the SHA-256 proves', async () => {
    const { record, body } = await copied('s3rver', false);
    expect(record.md5).toBeUndefined();
    expect(record.expectedEtag).toBeUndefined();
    // The target still holds exactly these bytes: its ETag (the whole MD5 on s3rver) says so.
    expect(record.targetEtag).toBe(hex('md5', body));
  });

  it('is computed and checked on s3rver where the source declares a Content-MD5', async () => {
    const { record, body } = await copied('s3rver', true);
    expect(record.md5).toBe(hex('md5', body));
    expect(record.expectedEtag).toBe(hex('md5', body));
  });
});

describe('manifest lines', () => {
  const sha = 'a'.repeat(64);
  it('are `sha  path` for ordinary and Unicode names', () => {
    expect(manifestLine(sha, 'dossier/été/中文.csv')).toBe(`${sha}  dossier/été/中文.csv\n`);
  });
  it('escape backslashes and newlines the way sha256sum -c expects', () => {
    expect(manifestLine(sha, 'a\\b\nc')).toBe(`\\${sha}  a\\\\b\\nc\n`);
  });
});

describe('a part that fails while later parts wait to be hashed', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // Seen when PostgreSQL restarted under a worker: the state refused part 1's record while
  // part 2 was waiting to be hashed after it; the copy then waited forever, its lease renewed.
  it('fails the object instead of waiting forever, and the next run completes it', async () => {
    h = await createHarness({ target: (await freshS3Store()).store });
    const body = bytesOf('ordered-failure', 16 * MiB);
    await h.dataset.source.put('big.bin', body, md5(body), { metadata: {} });
    const state = h.state;
    let refused = 0;
    // The real state, with part 1's record refused once, after part 2 was recorded.
    const recordPart: typeof state.recordPart = async (...args) => {
      if (args[3].partNumber === 1 && refused++ === 0) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        throw new Error('connection terminated unexpectedly');
      }
      return state.recordPart(...args);
    };
    const faulty = new Proxy(state, {
      get: (target, name) => {
        if (name === 'recordPart') return recordPart;
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const first = await copyDataset(await h.context({ state: faulty, limits: { maxAttempts: 1 } }), h.dataset);
    expect(refused).toBeGreaterThan(0);
    expect(first.copied + first.failed.length).toBe(1);
    if (first.failed.length > 0) {
      const again = await copyDataset(await h.context(), h.dataset, { inventory: false });
      expect([again.copied, again.failed]).toEqual([1, []]);
    }
    const [record] = (await state.getObjects('ds', ['big.bin'])).values();
    expect(record?.sha256).toBe(hex('sha256', body));
  }, 60_000);
});
