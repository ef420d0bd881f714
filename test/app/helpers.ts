/** Plans on the suite's servers for the use-case tests, and their source data. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inject } from 'vitest';
import { parseDocument } from 'yaml';
import { md5 } from '../../src/engine/hashing.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import type { PlanFixture } from '../cli/plan-fixture.ts';
import { bytesOf } from '../engine/harness.ts';

/** Writes `count` objects of `size` bytes into the source container of `dataset`; returns their keys. */
export async function seedSource(plan: PlanFixture, dataset: string, count: number, size = 2000): Promise<string[]> {
  const azurite = inject('azurite');
  const store = createAzureBlobStore({
    endpoint: azurite.endpoint,
    container: plan.names.get(dataset)!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
  const keys = Array.from({ length: count }, (_, i) => `records/${dataset}-${String(i).padStart(3, '0')}.csv`);
  for (const key of keys) {
    const body = bytesOf(key, size);
    await store.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
  }
  return keys;
}

/** Points the plan's hooks at the example scripts by absolute path, so the plan works from any folder. */
export async function absoluteHooks(planFile: string): Promise<void> {
  const doc = parseDocument(await readFile(planFile, 'utf8'));
  for (const name of ['freeze', 'thaw', 'switch', 'smokeCheck', 'rollback']) {
    const script = doc.getIn(['hooks', name]);
    if (typeof script === 'string') doc.setIn(['hooks', name], resolve(script));
  }
  await writeFile(planFile, doc.toString());
}
