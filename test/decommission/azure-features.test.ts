/**
 * The source features Azurite 3.37 lacks — blob versioning, soft delete, permanent delete —
 * through a proxy in front of the real Azurite that answers those calls as Azure documents
 * them (azure-answer-proxy.ts): the erasure deletes every version, purges what the account
 * lets it purge, reports what stays with the day its retention ends, and refuses a key it
 * never copied. The ledger is a real SQLite state; the clock is fixed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { eraseObjectDataset, type ObjectsErasure } from '../../src/cutover/decommission-objects.ts';
import { createContainer } from '../../src/embedded/azurite.ts';
import { md5 } from '../../src/engine/hashing.ts';
import type { ObjectRecord } from '../../src/state/contracts/objects.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import { createAzureEraser } from '../../src/stores/azure-erase.ts';
import { uniqueName } from '../support/stores.ts';
import { startAzureAnswerProxy, type AzureAccountFeatures, type AzureAnswerProxy } from './azure-answer-proxy.ts';

const NOW = new Date('2027-01-10T09:00:00.000Z');
const DAY_MS = 86_400_000;
let dir: string;
let state: StateStore;
let proxy: AzureAnswerProxy | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-azure-features-'));
  state = await openSqliteStateStore(join(dir, 'state.db'));
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await state.close();
  await rm(dir, { recursive: true, force: true });
});

function verified(dataset: string, key: string, etag: string, size: number): ObjectRecord {
  return {
    dataset,
    key,
    targetKey: key,
    size,
    sourceEtag: etag,
    sourceMd5: undefined,
    sourceLastModified: NOW.toISOString(),
    status: 'verified',
    inventoryId: 'inv',
    sha256: 'a'.repeat(64),
    md5: undefined,
    targetEtag: undefined,
    expectedEtag: undefined,
    targetMeta: undefined,
    sha256Carrier: 'metadata',
    attempts: 1,
    lastError: undefined,
    copiedRunId: 'run',
    copiedAt: NOW.toISOString(),
    verifiedAt: NOW.toISOString(),
    verifiedMode: 'full',
  };
}

/** A container with two blobs, both in the ledger as verified in full, behind a proxy with `features`. */
async function account(features: AzureAccountFeatures) {
  const azurite = inject('azurite');
  const container = uniqueName('feat');
  await createContainer(azurite, container);
  const credential = { kind: 'key' as const, accountName: azurite.accountName, accountKey: azurite.accountKey };
  const store = createAzureBlobStore({ endpoint: azurite.endpoint, container, credential });
  const dataset = container;
  for (const key of ['cohorte/a.csv', 'cohorte/b.csv']) {
    const body = Buffer.from(`rows of ${key}`);
    await store.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
    const head = await store.head(key);
    await state.putObjects([verified(dataset, key, head!.etag, body.length)]);
  }
  proxy = await startAzureAnswerProxy(new URL(azurite.endpoint).origin, features);
  const eraser = createAzureEraser({
    endpoint: `${proxy.origin}${new URL(azurite.endpoint).pathname}`,
    container,
    credential,
  });
  const erase = () => eraseObjectDataset({ dataset, prefix: '', eraser, ledger: state, now: () => NOW });
  return { container, proxy, eraser, erase };
}

describe('erasing an Azure source with the features Azurite lacks (answered as Azure documents them)', () => {
  it('versioning, soft delete and permanent delete allowed: every version deleted, then purged; nothing remains', async () => {
    const a = await account({ versioning: true, softDeleteDays: 7, allowPermanentDelete: true });
    a.proxy.addVersion(a.container, 'cohorte/a.csv', 11);
    a.proxy.addVersion(a.container, 'cohorte/a.csv', 12);
    const result = (await a.erase()) as ObjectsErasure;
    expect(result.outcome).toBe('erased');
    expect(result).toMatchObject({ objectsLeftAtSource: 0, remaining: [], residualUntil: undefined });
    // Two current blobs and two previous versions listed first; the blobs' own versions followed.
    expect(result.deleted.map((d) => `${d.kind} ${d.key}`).sort()).toEqual([
      'current cohorte/a.csv',
      'current cohorte/b.csv',
      'version cohorte/a.csv',
      'version cohorte/a.csv',
      'version cohorte/a.csv',
      'version cohorte/b.csv',
    ]);
    expect(result.purged).toHaveLength(4);
    expect(
      a.proxy.listQueries.every((q) =>
        /include=deleted%2Csnapshots%2Cversions|include=deleted,snapshots,versions/.test(q),
      ),
    ).toBe(true);
    expect(a.proxy.deletes.filter((d) => d.endsWith('permanent'))).toHaveLength(4);
  });

  it('soft delete without versioning: the blobs stay soft-deleted, reported with the day their retention ends', async () => {
    const a = await account({ versioning: false, softDeleteDays: 7, allowPermanentDelete: true });
    const result = (await a.erase()) as ObjectsErasure;
    expect(result.objectsLeftAtSource).toBe(0);
    const until = new Date(NOW.getTime() + 7 * DAY_MS).toISOString();
    expect(result.remaining.map((r) => [r.kind, r.key, r.retainedUntil])).toEqual([
      ['deleted', 'cohorte/a.csv', until],
      ['deleted', 'cohorte/b.csv', until],
    ]);
    expect(result.residualUntil).toBe(until);
    // A soft-deleted current blob cannot be purged: no permanent delete was even tried.
    expect(a.proxy.deletes.filter((d) => d.endsWith('permanent'))).toEqual([]);
  });

  it('permanent delete not allowed: the soft-deleted versions stay until their retention ends', async () => {
    const a = await account({ versioning: true, softDeleteDays: 14, allowPermanentDelete: false });
    a.proxy.addVersion(a.container, 'cohorte/b.csv', 40);
    const result = (await a.erase()) as ObjectsErasure;
    expect(result.objectsLeftAtSource).toBe(0);
    expect(result.purged).toEqual([]);
    expect(result.remaining.map((r) => r.kind)).toEqual(['deleted', 'deleted', 'deleted']);
    expect(result.residualUntil).toBe(new Date(NOW.getTime() + 14 * DAY_MS).toISOString());
  });

  it('never deletes a blob rewritten since it was listed (If-Match on its ETag)', async () => {
    const a = await account({ versioning: false, softDeleteDays: undefined, allowPermanentDelete: false });
    const listed = [];
    for await (const e of a.eraser.list('')) listed.push(e);
    const azurite = inject('azurite');
    const credential = { kind: 'key' as const, accountName: azurite.accountName, accountKey: azurite.accountKey };
    const store = createAzureBlobStore({ endpoint: azurite.endpoint, container: a.container, credential });
    const body = Buffer.from('rewritten after the listing');
    await store.put('cohorte/a.csv', body, md5(body), { metadata: {}, md5: md5(body) });
    expect(await a.eraser.erase(listed.find((e) => e.key === 'cohorte/a.csv')!)).toBe('changed');
    expect(await a.eraser.erase(listed.find((e) => e.key === 'cohorte/b.csv')!)).toBe('deleted');
    expect(await a.eraser.erase(listed.find((e) => e.key === 'cohorte/b.csv')!)).toBe('gone');
    expect((await store.head('cohorte/a.csv'))?.size).toBe(body.length);
    // The erasure then refuses the dataset: the blob's ETag is not the one verified.
    expect(await a.erase()).toMatchObject({ outcome: 'refused', keys: ['cohorte/a.csv'] });
  });

  it('refuses the dataset, deleting nothing, when a version belongs to a key cloudexit never copied', async () => {
    const a = await account({ versioning: true, softDeleteDays: undefined, allowPermanentDelete: false });
    a.proxy.addVersion(a.container, 'cohorte/never-copied.csv', 5);
    const result = await a.erase();
    expect(result).toMatchObject({ outcome: 'refused', keys: ['cohorte/never-copied.csv'] });
    expect(a.proxy.deletes).toEqual([]);
  });
});
