/**
 * The auditor's recipe of docs/manifests.md, run word for word with the real jq, curl and
 * sha256sum against Ceph RGW: every key of the JSON Lines manifest is checked straight from
 * the target, including keys no filesystem could hold side by side, and an object altered
 * after the copy is reported FAILED.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, inject, it } from 'vitest';
import { copyDataset } from '../../src/engine/copy.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { writeManifest } from '../../src/engine/manifest.ts';
import { freshS3Store } from '../support/stores.ts';
import { bytesOf, createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function recipe(): Promise<string> {
  const doc = await readFile('docs/manifests.md', 'utf8');
  const match = doc.match(/<!-- recipe: manifest jsonl -->\n```sh\n([\s\S]*?)```/);
  if (!match) throw new Error('docs/manifests.md has no "manifest jsonl" recipe');
  return match[1]!;
}

it('checks every key from the target, and names the object altered after the copy', async () => {
  const rgw = inject('rgw');
  const { store: target, bucket } = await freshS3Store({ server: 'rgw' });
  h = await createHarness({ target, targetPrefix: 'hcl/' });
  const keys = ['/leading.csv', 'a', 'a/b.csv', "dossier été/(1) #x!*'.csv", 'z.csv'];
  for (const key of keys) {
    const body = bytesOf(key, 700);
    await h.dataset.source.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
  }
  const ctx = await h.context();
  expect((await copyDataset(ctx, h.dataset)).failed).toEqual([]);
  const manifest = await writeManifest(ctx, h.dataset, join(h.dir, 'evidence'));
  const altered = Buffer.from('not what was copied');
  await target.put('hcl/z.csv', altered, md5(altered), { metadata: {} });

  await writeFile(join(h.dir, 'recipe.sh'), await recipe());
  const out = execFileSync('bash', [join(h.dir, 'recipe.sh')], {
    cwd: join(h.dir, 'evidence', 'ds'),
    encoding: 'utf8',
    env: {
      ...process.env,
      ENDPOINT: rgw.endpoint,
      REGION: rgw.region,
      BUCKET: bucket,
      PREFIX: 'hcl/',
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    },
  });
  expect(manifest.entries).toBe(keys.length);
  expect(out.trim().split('\n').sort()).toEqual(
    ['FAILED z.csv', 'OK /leading.csv', 'OK a', 'OK a/b.csv', "OK dossier été/(1) #x!*'.csv"].sort(),
  );
});
