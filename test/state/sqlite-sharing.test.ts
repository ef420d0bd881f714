import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { collect, numberedKeys, objectRecord, tempDir } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./fixtures/state-child.ts', import.meta.url));

/** Runs the child fixture with the Node running the tests; resolves with its exit code or signal. */
function runChild(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let file: string;

beforeEach(async () => {
  dir = await tempDir();
  file = join(dir.path, 'state.db');
});

afterEach(async () => {
  await dir.remove();
});

describe('sharing a state file', () => {
  it('keeps everything after close and reopen', async () => {
    const first = await openSqliteStateStore(file);
    const runId = await first.startRun({ command: 'copy', scope: 'all' });
    await first.putObjects([objectRecord('d', 'a', { status: 'copied', sha256: 'f'.repeat(64) })]);
    await first.startUpload({
      dataset: 'd',
      key: 'b',
      targetKey: 'b',
      uploadId: 'u',
      partSize: 5,
      sourceEtag: 'e',
      startedAt: 'now',
    });
    await first.recordPart('d', 'b', 'u', { partNumber: 1, etag: 'x', md5: 'y', size: 5 });
    await first.close();

    const second = await openSqliteStateStore(file);
    expect((await second.listRuns()).map((r) => r.id)).toEqual([runId]);
    expect((await second.getObjects('d', ['a'])).get('a')).toStrictEqual(
      objectRecord('d', 'a', { status: 'copied', sha256: 'f'.repeat(64) }),
    );
    expect((await second.getUpload('d', 'b'))?.parts).toEqual([{ partNumber: 1, etag: 'x', md5: 'y', size: 5 }]);
    await second.close();
  });

  it("lets two store instances on one file see and interleave each other's writes", async () => {
    const a = await openSqliteStateStore(file);
    const b = await openSqliteStateStore(file);
    try {
      await a.putObjects(numberedKeys(1500).map((k) => objectRecord('d', k)));
      expect((await b.countObjects('d')).pending.objects).toBe(1500);

      // b writes while a streams: a's next page sees b's change, with no lock held between pages.
      let i = 0;
      for await (const record of a.iterateObjects('d')) {
        if (i++ === 10) await b.updateObject('d', 'k001200', { status: 'failed', lastError: 'from b' });
        if (record.key === 'k001200') expect(record.status).toBe('failed');
      }
      await b.startUpload({
        dataset: 'd',
        key: 'k000001',
        targetKey: 't',
        uploadId: 'u',
        partSize: 5,
        sourceEtag: 'e',
        startedAt: 'now',
      });
      await a.recordPart('d', 'k000001', 'u', { partNumber: 1, etag: 'x', md5: 'y', size: 5 });
      expect((await b.getUpload('d', 'k000001'))?.parts).toHaveLength(1);
      expect(await b.markUnseenDeleted('d', 'inv-1')).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets another process write at the same time', async () => {
    const store = await openSqliteStateStore(file);
    try {
      const child = runChild([file, 'put', 'from-child', '2000']);
      for (let i = 0; i < 2000; i += 10) {
        await store.putObjects(
          numberedKeys(2000)
            .slice(i, i + 10)
            .map((k) => objectRecord('from-parent', k)),
        );
        await new Promise((r) => setImmediate(r)); // let the child get the lock in between
      }
      const result = await child;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect((await store.countObjects('from-parent')).pending.objects).toBe(2000);
      expect((await collect(store.iterateObjects('from-child'))).map((r) => r.key)).toEqual(numberedKeys(2000));
    } finally {
      await store.close();
    }
  });

  it('keeps a recorded part and a copied object when the process is killed (SIGKILL)', async () => {
    const result = await runChild([file, 'record-then-die', 'd']);
    expect(result.signal).toBe('SIGKILL');
    const store = await openSqliteStateStore(file);
    try {
      expect((await store.getObjects('d', ['big.bin'])).get('big.bin')?.status).toBe('copied');
      expect((await store.getUpload('d', 'big.bin'))?.parts).toEqual([
        { partNumber: 1, etag: 'p1', md5: 'm1', size: 8 },
      ]);
    } finally {
      await store.close();
    }
  });
});
