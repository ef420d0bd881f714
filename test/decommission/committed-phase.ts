/**
 * A phase taken to its commit on the suite's real servers (Azurite for the source, s3rver or
 * Ceph RGW for the target), as an operator would: copy, verify full, the four goes, the
 * cutover (`cutover --commit`, parity waived) with the example hooks through the commit. The decommission tests start there.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { parseDocument } from 'yaml';
import { approve } from '../../src/app/approve.ts';
import { copy } from '../../src/app/copy.ts';
import { cutover } from '../../src/app/cutover.ts';
import { verify } from '../../src/app/verify.ts';
import { OWNER_ROLES } from '../../src/cutover/gates.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { PhaseRecord } from '../../src/phase-record.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { createS3Store } from '../../src/stores/s3.ts';
import { absoluteHooks } from '../app/helpers.ts';
import { writeTestPlan, type PlanFixture } from '../cli/plan-fixture.ts';

export interface CommittedPhase {
  dir: string;
  plan: PlanFixture;
  server: 's3rver' | 'rgw';
  options: () => { plan: string; state: string; evidence: string; env: NodeJS.ProcessEnv };
  /** ISO 8601 of the commit, read back from the state. */
  committedAt: string;
}

export function sourceStore(plan: PlanFixture, dataset: string): ObjectStore {
  const azurite = inject('azurite');
  return createAzureBlobStore({
    endpoint: azurite.endpoint,
    container: plan.names.get(dataset)!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
}

export function targetStore(plan: PlanFixture, dataset: string, server: 's3rver' | 'rgw'): ObjectStore {
  const s3 = inject(server);
  return createS3Store({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    flexibleChecksums: false,
    bucket: plan.names.get(dataset)!.bucket,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

export async function putObject(store: ObjectStore, key: string, body: Buffer): Promise<void> {
  await store.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
}

/** Sets plan fields (e.g. `hypercareDays`, the source endpoint) in the plan file. */
export async function editPlan(file: string, edits: [path: (string | number)[], value: unknown][]): Promise<void> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  for (const [path, value] of edits) doc.setIn(path, value);
  await writeFile(file, doc.toString());
}

export async function phaseRecord(state: string, phase = 1): Promise<PhaseRecord | undefined> {
  const store = await openSqliteStateStore(state);
  try {
    return await store.getPhase(phase);
  } finally {
    await store.close();
  }
}

/** Copies, verifies in full, gathers the four goes and cuts phase 1 over through the commit. */
export async function commitPhase(
  dir: string,
  datasets: string[],
  seed: (plan: PlanFixture) => Promise<void>,
  server: 's3rver' | 'rgw' = 's3rver',
): Promise<CommittedPhase> {
  const plan = await writeTestPlan(dir, datasets, {}, { server });
  await absoluteHooks(plan.file);
  await seed(plan);
  const seededAt = Date.now();
  const options = () => ({
    plan: plan.file,
    state: join(dir, 'state.db'),
    evidence: join(dir, 'evidence'),
    env: plan.env,
  });
  expect((await copy(options())).ok).toBe(true);
  expect((await verify({ ...options(), mode: 'full' })).ok).toBe(true);
  for (const owner of OWNER_ROLES) await approve({ ...options(), phase: 1, owner, as: `Person ${owner}` });
  // The source stamps writes to the second: the freeze must come in a later second.
  await new Promise((r) => setTimeout(r, Math.max(0, 1100 - (Date.now() - seededAt))));
  const result = await cutover({
    ...options(),
    phase: 1,
    commit: true,
    parity: false,
    waiveParity: 'decommission test: no stacks deployed',
    hookStateDir: join(dir, 'hooks'),
  });
  expect(result.state, JSON.stringify(result.stoppedAt)).toBe('committed');
  const record = await phaseRecord(options().state);
  const committedAt = record!.done.find((d) => d.step === 'commit')!.at;
  return { dir, plan, server, options, committedAt };
}
