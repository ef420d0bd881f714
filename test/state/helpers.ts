import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectRecord } from '../../src/state/contracts/objects.ts';

/** A complete record with every optional field unset; override what the test is about. */
export function objectRecord(dataset: string, key: string, overrides: Partial<ObjectRecord> = {}): ObjectRecord {
  return {
    dataset,
    key,
    targetKey: `target/${key}`,
    size: 1024,
    sourceEtag: '"0x8DC0000000000"',
    sourceMd5: undefined,
    sourceLastModified: '2026-01-02T03:04:05.000Z',
    status: 'pending',
    inventoryId: 'inv-1',
    sha256: undefined,
    md5: undefined,
    targetEtag: undefined,
    expectedEtag: undefined,
    targetMeta: undefined,
    sha256Carrier: undefined,
    attempts: 0,
    lastError: undefined,
    copiedRunId: undefined,
    copiedAt: undefined,
    verifiedAt: undefined,
    verifiedMode: undefined,
    ...overrides,
  };
}

/** Keys `k000000`, `k000001`, … : zero-padded so string order is numeric order. */
export function numberedKeys(count: number, prefix = 'k'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
}

/** A fresh folder under the OS temp dir; `remove` deletes it and everything in it. */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'cloudexit-state-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
