import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import { META_SHA256, META_SOURCE_LAST_MODIFIED, TAG_SHA256 } from '../../src/engine/context.ts';
import { metadataValue } from '../../src/stores/capabilities.ts';
import { readAll as readAllStream } from '../support/bytes.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { manifestTargetKey, writeManifest } from '../../src/engine/manifest.ts';
import { verifyDataset } from '../../src/engine/verify.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { freshS3Store, s3rverOrigin } from '../support/stores.ts';
import { bytesOf, createHarness, MiB, type Harness } from './harness.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function put(
  store: ObjectStore,
  key: string,
  body: Buffer,
  extra: { contentType?: string; metadata?: Record<string, string> } = {},
) {
  const digest = md5(body);
  await store.put(key, body, digest, {
    contentType: extra.contentType ?? 'application/octet-stream',
    metadata: extra.metadata ?? {},
    md5: digest,
  });
}

async function readAll(store: ObjectStore, key: string): Promise<Buffer> {
  const { body } = await store.read(key);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('copy', () => {
  it('copies small, empty, Unicode and multipart objects with their hashes, headers and metadata', async () => {
    h = await createHarness({ sourcePrefix: 'export/', targetPrefix: 'emc2/' });
    const { source, target } = h.dataset;
    const objects = new Map<string, Buffer>([
      ['export/vide.csv', Buffer.alloc(0)],
      ['export/séjours/été/中文/ü/patients-pseudonymisés.csv', bytesOf('a', 3000)],
      ['export/a/b/c/d/e/f/g/h/deep.bin', bytesOf('b', 70_000)],
      ['export/big/extract.parquet', bytesOf('c', 17 * MiB + 123)], // 4 parts of 5 MiB
    ]);
    for (const [key, body] of objects)
      await put(source, key, body, { contentType: 'text/csv', metadata: { hospital: 'clb' } });
    await put(source, 'elsewhere/not-in-dataset.csv', bytesOf('z', 10));

    const ctx = await h.context();
    const summary = await copyDataset(ctx, h.dataset);
    expect(summary.failed).toEqual([]);
    expect(summary.copied).toBe(4);
    expect(summary.inventory?.added).toBe(4);

    for (const [key, body] of objects) {
      const targetKey = `emc2/${key.slice('export/'.length)}`;
      const info = await target.head(targetKey);
      expect(info?.size, targetKey).toBe(body.length);
      expect(info?.contentType).toBe('text/csv');
      expect(info?.metadata?.['hospital']).toBe('clb');
      // One-shot PUTs carry the SHA-256 in their metadata; multipart objects in a tag set after completion.
      const [copied] = (await h.state.getObjects('ds', [key])).values();
      if (copied?.sha256Carrier === 'tag') expect((await target.getTags(targetKey))?.[TAG_SHA256]).toBe(sha256(body));
      else expect(metadataValue(info?.metadata, META_SHA256)).toBe(sha256(body));
      expect(copied?.sha256Carrier).toBe(body.length >= 6 * MiB ? 'tag' : 'metadata');
      const sourceInfo = await source.head(key);
      expect(metadataValue(info?.metadata, META_SOURCE_LAST_MODIFIED)).toBe(sourceInfo!.lastModified.toISOString());
      expect(sha256(await readAll(target, targetKey))).toBe(sha256(body));
      const [record] = (await h.state.getObjects('ds', [key])).values();
      expect(record?.sha256).toBe(sha256(body));
      expect(record?.status).toBe('copied');
    }
    expect(await target.head('emc2/not-in-dataset.csv')).toBeUndefined();

    const quick = await verifyDataset(await h.context(), h.dataset, 'quick');
    const full = await verifyDataset(await h.context(), h.dataset, 'full');
    expect([quick.verified, quick.mismatches, full.verified, full.mismatches]).toEqual([4, [], 4, []]);
  });

  it('re-runs incrementally: nothing twice, new and changed objects once, deletions reported', async () => {
    h = await createHarness();
    const { source } = h.dataset;
    for (let i = 0; i < 30; i++) await put(source, `lot/${i}.csv`, bytesOf(`v1-${i}`, 500 + i));
    expect((await copyDataset(await h.context(), h.dataset)).copied).toBe(30);

    const again = await copyDataset(await h.context(), h.dataset);
    expect([again.copied, again.alreadyCopied, again.inventory?.unchanged]).toEqual([0, 30, 30]);

    await put(source, 'lot/3.csv', bytesOf('v2-3', 900));
    await put(source, 'lot/new.csv', bytesOf('new', 10));
    await source.delete('lot/7.csv');
    const third = await copyDataset(await h.context(), h.dataset);
    expect(third.inventory).toMatchObject({ added: 1, changed: 1, unchanged: 28, deletedAtSource: ['lot/7.csv'] });
    expect(third.copied).toBe(2);
    expect(sha256(await readAll(h.dataset.target, 'lot/3.csv'))).toBe(sha256(bytesOf('v2-3', 900)));
  });

  it('refuses an object whose bytes contradict the source Content-MD5, and copies the rest', async () => {
    h = await createHarness();
    const { source, target } = h.dataset;
    const body = bytesOf('damaged', 4096);
    // Blocks with correct MD5s, committed with a wrong Content-MD5 (a block list's is not checked):
    // the blob now declares a checksum its bytes contradict, as after silent corruption.
    const uploadId = await source.createMultipart('damaged.csv', { metadata: {} });
    const etag = await source.uploadPart('damaged.csv', uploadId, 1, body, md5(body));
    await source.completeMultipart('damaged.csv', uploadId, [{ partNumber: 1, etag }], {
      metadata: {},
      md5: md5(Buffer.from('something else')),
    });
    expect((await source.head('damaged.csv'))?.md5).toBe(md5(Buffer.from('something else')).toString('hex'));
    await put(source, 'fine.csv', bytesOf('fine', 100));
    const summary = await copyDataset(await h.context(), h.dataset);
    expect(summary.copied).toBe(1);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]!.key).toBe('damaged.csv');
    expect(summary.failed[0]!.error).toMatch(/declares Content-MD5 .* but the bytes read have MD5/);
    expect(await target.head('damaged.csv')).toBeUndefined();
  });

  it('resumes an interrupted multipart upload from its recorded parts without sending them again', async () => {
    h = await createHarness();
    const body = bytesOf('resume', 26 * MiB); // 6 parts of 5 MiB (last 1 MiB)
    await put(h.dataset.source, 'big.bin', body);
    const abort = new AbortController();
    // Stop the run as soon as two parts are recorded.
    const first = await h.context({ signal: abort.signal, limits: { partConcurrency: 1 } });
    const recordPart = first.state.recordPart.bind(first.state);
    let recorded = 0;
    const interruptAfterTwo = async (...args: Parameters<typeof recordPart>) => {
      await recordPart(...args);
      if (++recorded === 2) abort.abort(new Error('test interrupt'));
    };
    first.state = new Proxy(first.state, {
      get: (store, name) =>
        name === 'recordPart'
          ? interruptAfterTwo
          : ((v) => (typeof v === 'function' ? v.bind(store) : v))(Reflect.get(store, name)),
    });
    const interrupted = await copyDataset(first, h.dataset);
    expect(interrupted.copied).toBe(0);
    const upload = await h.state.getUpload('ds', 'big.bin');
    expect(upload?.parts.map((p) => p.partNumber)).toEqual([1, 2]);

    const resumed = await copyDataset(await h.context(), h.dataset);
    expect(resumed.copied).toBe(1);
    expect(resumed.partsResumed).toBe(2);
    expect(await h.state.getUpload('ds', 'big.bin')).toBeUndefined();
    expect(sha256(await readAll(h.dataset.target, 'big.bin'))).toBe(sha256(body));
  });
});

describe('verify', () => {
  it('full mode names exactly the target object altered after the copy; copy keeps it (a conflict) until it is moved aside', async () => {
    h = await createHarness();
    const { source, target } = h.dataset;
    for (let i = 0; i < 12; i++) await put(source, `f/${i}.csv`, bytesOf(`o${i}`, 2048));
    await copyDataset(await h.context(), h.dataset);
    // Same size, same metadata, different bytes: the ETag gives it away (full checks all quick does).
    const tampered = bytesOf('tampered', 2048);
    const original = await target.head('f/5.csv');
    await target.put('f/5.csv', tampered, md5(tampered), { metadata: original!.metadata ?? {} });

    const full = await verifyDataset(await h.context(), h.dataset, 'full');
    expect(full.mismatches.map((m) => [m.key, m.problem])).toEqual([['f/5.csv', 'etag']]);
    expect(full.verified).toBe(11);

    // Not cloudexit's write: never overwritten, whatever verify found.
    const refused = await copyDataset(await h.context(), h.dataset);
    expect(refused.copied).toBe(0);
    expect(refused.conflicts.map((c) => c.targetKey)).toEqual(['f/5.csv']);
    expect(md5(await readAll(target, 'f/5.csv'))).toEqual(md5(tampered));
    // Moved aside by whoever decides: the next copy puts the source version back.
    await target.delete('f/5.csv');
    const repaired = await copyDataset(await h.context(), h.dataset);
    expect(repaired.copied).toBe(1);
    expect((await verifyDataset(await h.context(), h.dataset, 'full')).mismatches).toEqual([]);
  });

  it('full mode re-reads the bytes: a target serving damaged bytes under the right ETag is caught, quick cannot see it', async () => {
    const proxy = await startFaultProxy(s3rverOrigin());
    try {
      h = await createHarness({ target: (await freshS3Store({ via: { origin: proxy.origin } })).store });
      for (let i = 0; i < 3; i++) await put(h.dataset.source, `r/${i}.csv`, bytesOf(`r${i}`, 4096));
      await copyDataset(await h.context(), h.dataset);
      // The target's disk returns a flipped byte of r/1.csv; its properties are untouched.
      proxy.inject({
        method: 'GET',
        path: (p) => p.includes('r/1.csv') && !p.includes('tagging'),
        times: 8,
        fault: { kind: 'corrupt', offset: 100 },
      });
      expect((await verifyDataset(await h.context(), h.dataset, 'quick')).mismatches).toEqual([]);
      const full = await verifyDataset(await h.context(), h.dataset, 'full');
      expect(full.mismatches.map((m) => [m.key, m.problem])).toEqual([['r/1.csv', 'sha256']]);
    } finally {
      await proxy.close();
    }
  });

  it('quick mode checks headers and metadata: a changed Content-Type or metadata entry is reported by name, and copy repairs it', async () => {
    h = await createHarness();
    const { source, target } = h.dataset;
    await put(source, 'm/a.csv', bytesOf('ma', 500), { contentType: 'text/csv', metadata: { hospital: 'hcl' } });
    await put(source, 'm/b.csv', bytesOf('mb', 500), { contentType: 'text/csv', metadata: { hospital: 'hcl' } });
    await copyDataset(await h.context(), h.dataset);
    for (const [key, change] of [
      ['m/a.csv', { contentType: 'application/octet-stream' }],
      ['m/b.csv', { metadata: { hospital: 'chru' } }],
    ] as const) {
      const { body, info } = await target.read(key);
      const bytes = await readAllStream(body);
      const metadata = { ...info.metadata, ...('metadata' in change ? change.metadata : {}) };
      await target.put(key, bytes, md5(bytes), {
        contentType: 'contentType' in change ? change.contentType : info.contentType,
        metadata,
      });
    }
    // The ETag is unchanged (same bytes): only the headers and metadata tell.
    const quick = await verifyDataset(await h.context(), h.dataset, 'quick');
    expect(quick.mismatches.map((m) => [m.key, m.problem, m.field, m.expected, m.actual])).toEqual([
      ['m/a.csv', 'header', 'contentType', 'text/csv', 'application/octet-stream'],
      ['m/b.csv', 'metadata', 'hospital', 'hcl', 'chru'],
    ]);
    expect((await copyDataset(await h.context(), h.dataset)).copied).toBe(2);
    expect((await verifyDataset(await h.context(), h.dataset, 'quick')).mismatches).toEqual([]);
  });

  it('quick mode downloads nothing: only HEAD requests (and the tag of a multipart object) reach the target', async () => {
    const proxy = await startFaultProxy(s3rverOrigin());
    try {
      h = await createHarness({ target: (await freshS3Store({ via: { origin: proxy.origin } })).store });
      for (let i = 0; i < 6; i++) await put(h.dataset.source, `n/${i}`, bytesOf(`n${i}`, 5000));
      await put(h.dataset.source, 'n/big', bytesOf('nbig', 7 * MiB)); // multipart: its SHA-256 is a tag
      await copyDataset(await h.context(), h.dataset);
      proxy.reset();
      const quick = await verifyDataset(await h.context(), h.dataset, 'quick');
      expect([quick.verified, quick.mismatches.length]).toEqual([7, 0]);
      expect(proxy.seen.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`)).toEqual([
        expect.stringMatching(/^GET \/[^?]+\/n\/big\?tagging/),
      ]);
      expect(proxy.count({ method: 'HEAD' })).toBe(7);
    } finally {
      await proxy.close();
    }
  });

  it('quick mode catches a changed ETag or missing object without downloading', async () => {
    h = await createHarness();
    const { source, target } = h.dataset;
    for (let i = 0; i < 5; i++) await put(source, `q/${i}`, bytesOf(`q${i}`, 100));
    await copyDataset(await h.context(), h.dataset);
    await target.delete('q/1');
    const other = bytesOf('other', 100);
    await target.put('q/3', other, md5(other), { metadata: {} });
    const quick = await verifyDataset(await h.context(), h.dataset, 'quick');
    expect(quick.mismatches.map((m) => [m.key, m.problem])).toEqual([
      ['q/1', 'missing'],
      ['q/3', 'etag'],
    ]);
  });
});

describe('manifest', () => {
  it('is accepted by sha256sum -c over a download of the target', async () => {
    h = await createHarness({ targetPrefix: 'root/' });
    const { source, target } = h.dataset;
    const keys = ['a.csv', 'dossier/été/b.csv', 'espaces et (symboles) #1.csv', 'vide.csv'];
    for (const [i, key] of keys.entries()) await put(source, key, bytesOf(key, i === 3 ? 0 : 100 + i));
    const ctx = await h.context();
    await copyDataset(ctx, h.dataset);
    const manifest = await writeManifest(ctx, h.dataset, join(h.dir, 'evidence'));
    expect(manifest.entries).toBe(4);
    const remote = await text((await target.read(manifestTargetKey(h.dataset))).body);

    const download = join(h.dir, 'download');
    for (const key of keys) {
      const file = join(download, key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await readAll(target, `root/${key}`));
    }
    await writeFile(join(download, 'manifest.sha256'), remote);
    const out = execFileSync('sha256sum', ['-c', 'manifest.sha256'], { cwd: download, encoding: 'utf8' });
    expect(out.trim().split('\n').sort()).toEqual(keys.map((k) => `${k}: OK`).sort());
  });
});
