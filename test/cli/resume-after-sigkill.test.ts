import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { md5 } from '../../src/engine/hashing.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { ObjectRecord } from '../../src/state/contracts/objects.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import { bytesOf, MiB } from '../engine/harness.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli, startCli, waitFor } from './run-cli.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BIG_KEY = 'extraits/2024/dcir-consolidé.parquet';
const BIG = bytesOf('sigkill-big', 40 * MiB + 777); // 5 parts of 8 MiB + a short one
const SMALL = Array.from(
  { length: 300 },
  (_, i) =>
    [`lot-${String(Math.floor(i / 50))}/patient-${String(i).padStart(4, '0')}.csv`, bytesOf(`s${i}`, 4096)] as const,
);

let dir: string;
let plan: PlanFixture;

async function seed(dataset: string, objects: readonly (readonly [string, Buffer])[]): Promise<void> {
  const azurite = inject('azurite');
  const store = createAzureBlobStore({
    endpoint: azurite.endpoint,
    container: plan.names.get(dataset)!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
  for (const [key, body] of objects) await store.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
}

async function withState<T>(fn: (state: StateStore) => Promise<T>): Promise<T> {
  const state = await openSqliteStateStore(join(dir, 'state.db'));
  try {
    return await fn(state);
  } finally {
    await state.close();
  }
}

async function records(dataset: string): Promise<ObjectRecord[]> {
  return withState(async (state) => {
    const all: ObjectRecord[] = [];
    for await (const r of state.iterateObjects(dataset)) all.push(r);
    return all;
  });
}

const args = (dataset: string, ...more: string[]) => [
  'copy',
  '--plan',
  plan.file,
  '--state',
  join(dir, 'state.db'),
  '--evidence',
  join(dir, 'evidence'),
  '--dataset',
  dataset,
  '--json',
  ...more,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-sigkill-'));
  plan = await writeTestPlan(dir, ['big', 'small'], {
    multipartThreshold: '16MiB',
    minPartSize: '8MiB',
    partConcurrency: 2,
    concurrency: 4,
  });
  await seed('big', [[BIG_KEY, BIG]]);
  await seed('small', SMALL);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a copier killed with SIGKILL', () => {
  it('in the middle of a multipart upload resumes from the recorded parts and sends none twice', async () => {
    const { child, done } = startCli(args('big', '--bandwidth', '6MiB/s'), plan.env);
    await waitFor(
      'two recorded parts',
      async () =>
        existsSync(join(dir, 'state.db')) &&
        ((await withState((s) => s.getUpload('big', BIG_KEY)))?.parts.length ?? 0) >= 2,
    );
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const upload = await withState((s) => s.getUpload('big', BIG_KEY));
    const recorded = upload!.parts.length;
    expect(recorded).toBeGreaterThanOrEqual(2);
    expect(recorded).toBeLessThan(6);
    expect((await records('big'))[0]!.status).toBe('pending');

    const second = await runCli(args('big'), plan.env);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.datasets[0]).toMatchObject({ copied: 1, partsResumed: recorded, failed: [] });

    const [record] = await records('big');
    expect(record!.sha256).toBe(sha256(BIG));
    const verify = await runCli(['verify', '--mode', 'full', ...args('big').slice(1)], plan.env);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('in the middle of a batch of small objects finishes without copying a completed object again', async () => {
    const { child, done } = startCli(args('small', '--bandwidth', '100KiB/s'), plan.env);
    await waitFor(
      'some copied objects',
      async () =>
        existsSync(join(dir, 'state.db')) && (await withState((s) => s.countObjects('small'))).copied.objects >= 40,
    );
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const before = (await records('small')).filter((r) => r.status === 'copied');
    expect(before.length).toBeGreaterThanOrEqual(40);
    expect(before.length).toBeLessThan(SMALL.length);
    const firstRun = before[0]!.copiedRunId;

    const second = await runCli(args('small'), plan.env);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.datasets[0]).toMatchObject({
      copied: SMALL.length - before.length,
      alreadyCopied: before.length,
      failed: [],
    });

    const after = new Map((await records('small')).map((r) => [r.key, r]));
    for (const r of before) expect(after.get(r.key)!.copiedRunId, r.key).toBe(firstRun);
    for (const [key, body] of SMALL) expect(after.get(key)!.sha256, key).toBe(sha256(body));
    const verify = await runCli(['verify', '--mode', 'full', ...args('small').slice(1)], plan.env);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, verified: SMALL.length, mismatches: 0 });
  });
});
