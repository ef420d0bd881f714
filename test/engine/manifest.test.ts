/**
 * Manifests an auditor can check safely: the GNU one never makes `sha256sum -c` read outside
 * the download (keys like `/leading.csv` or `a/../../x` are left out of it), keys that cannot
 * coexist on a filesystem (`a` beside `a/b`) stay checkable through the JSON Lines one, and
 * both reach the target next to the data.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { isSafeRelativePath, jsonManifestTargetKey, writeManifest } from '../../src/engine/manifest.ts';
import { readAll, sha256Hex } from '../support/bytes.ts';
import { freshS3Store } from '../support/stores.ts';
import { bytesOf, createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('isSafeRelativePath', () => {
  it('accepts relative paths and refuses absolute ones and dot or empty segments', () => {
    for (const ok of ['a.csv', 'dossier/été/b.csv', '.hidden/x', 'a..b/c'])
      expect(isSafeRelativePath(ok), ok).toBe(true);
    for (const bad of ['', '/leading.csv', 'a/../../etc/passwd', '..', './x', 'a//b', 'a/', 'a/./b'])
      expect(isSafeRelativePath(bad), bad).toBe(false);
  });
});

describe('manifests of awkward keys', () => {
  it('keep the GNU manifest inside the download and list every key in the JSON Lines one', async () => {
    // On Ceph RGW: s3rver keeps objects as files and cannot hold a key with a leading `/`.
    h = await createHarness({ targetPrefix: 'root/', target: (await freshS3Store({ server: 'rgw' })).store });
    const { source, target } = h.dataset;
    const safe = ['a/b.csv', 'plain.csv'];
    // Azure refuses keys with `..` segments (isSafeRelativePath's own test covers those).
    const unsafe = ['/leading.csv', 'a'];
    const keys = [...safe, ...unsafe];
    for (const key of keys) {
      const body = bytesOf(key, 300);
      await source.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
    }
    const ctx = await h.context();
    expect((await copyDataset(ctx, h.dataset)).failed).toEqual([]);
    const manifest = await writeManifest(ctx, h.dataset, join(h.dir, 'evidence'));
    expect(manifest).toMatchObject({ entries: keys.length, outsideGnu: unsafe.length });

    // GNU: only the safe keys, checked over a download by sha256sum itself.
    const gnu = await readFile(manifest.file, 'utf8');
    expect(
      gnu
        .trim()
        .split('\n')
        .map((l) => l.slice(66))
        .sort(),
    ).toEqual([...safe].sort());
    const download = join(h.dir, 'download');
    for (const key of safe) {
      await mkdir(dirname(join(download, key)), { recursive: true });
      await writeFile(join(download, key), await readAll((await target.read(`root/${key}`)).body));
    }
    await writeFile(join(download, 'manifest.sha256'), gnu);
    const out = execFileSync('sha256sum', ['-c', 'manifest.sha256'], { cwd: download, encoding: 'utf8' });
    expect(out.trim().split('\n').sort()).toEqual(safe.map((k) => `${k}: OK`).sort());

    // JSON Lines: every key, with the SHA-256 of the bytes the target holds, on the target too.
    const lines = (await readFile(manifest.jsonl.file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; size: number; sha256: string });
    expect(lines.map((l) => l.key)).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const line of lines)
      expect(line.sha256, line.key).toBe(sha256Hex(await readAll((await target.read(`root/${line.key}`)).body)));
    const remote = await readAll((await target.read(jsonManifestTargetKey(h.dataset))).body);
    expect(sha256Hex(remote)).toBe(manifest.jsonl.sha256);
  });
});
