/**
 * After a phase's commit the target is the reference copy: a later write to the target
 * survives a later write to the source and a `copy` of the phase, which is refused before
 * anything is written. End to end on Azurite and s3rver: copy, verify full, the four goes,
 * the cutover with the example hooks through the commit, then the writes and the copy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { approve } from '../../src/app/approve.ts';
import { copy } from '../../src/app/copy.ts';
import { planHookRunner } from '../../src/app/hooks.ts';
import { openSession } from '../../src/app/session.ts';
import { verify } from '../../src/app/verify.ts';
import { OWNER_ROLES } from '../../src/cutover/gates.ts';
import { runCutover } from '../../src/cutover/machine.ts';
import { md5 } from '../../src/engine/hashing.ts';
import { EXIT, UserError } from '../../src/errors.ts';
import type { ProgressSink } from '../../src/progress.ts';
import { createAzureBlobStore } from '../../src/stores/azure-blob.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { createS3Store } from '../../src/stores/s3.ts';
import { readAll } from '../support/bytes.ts';
import { writeTestPlan, type PlanFixture } from '../cli/plan-fixture.ts';
import { runCli } from '../cli/run-cli.ts';
import { bytesOf } from '../engine/harness.ts';
import { absoluteHooks, seedSource } from './helpers.ts';

let dir: string;
let plan: PlanFixture;
let keys: string[];
let seededAt: number;
const options = () => ({
  plan: plan.file,
  state: join(dir, 'state.db'),
  evidence: join(dir, 'evidence'),
  env: plan.env,
});

function sourceStore(): ObjectStore {
  const azurite = inject('azurite');
  return createAzureBlobStore({
    endpoint: azurite.endpoint,
    container: plan.names.get('one')!.container,
    credential: { kind: 'key', accountName: azurite.accountName, accountKey: azurite.accountKey },
  });
}

function targetStore(): ObjectStore {
  const s3rver = inject('s3rver');
  return createS3Store({
    endpoint: s3rver.endpoint,
    region: s3rver.region,
    forcePathStyle: true,
    flexibleChecksums: false,
    bucket: plan.names.get('one')!.bucket,
    credentials: { accessKeyId: s3rver.accessKeyId, secretAccessKey: s3rver.secretAccessKey },
  });
}

async function put(store: ObjectStore, key: string, body: Buffer): Promise<void> {
  await store.put(key, body, md5(body), { metadata: {}, md5: md5(body) });
}

/** The cutover of phase 1 with the plan's example hooks, through the commit. */
async function cutOverToCommit() {
  const session = await openSession({ ...options(), phase: 1 }, 'cutover 1');
  try {
    const phase = session.phase!;
    return await runCutover({
      state: session.state,
      phase,
      datasets: session.datasets,
      ctx: session.ctx,
      hooks: session.plan.hooks,
      runHook: planHookRunner(session.plan, phase, session.ctx.runId, { stateDir: join(dir, 'hooks') }),
      parity: { equivalent: true, differing: [], gaps: [], file: 'test' },
      commit: true,
      clock: session.clock,
      actor: session.actor,
    });
  } finally {
    await session.finish('succeeded', { objects: 0, bytes: 0, failed: 0 });
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-after-commit-'));
  plan = await writeTestPlan(dir, ['one']);
  await absoluteHooks(plan.file);
  keys = await seedSource(plan, 'one', 3);
  seededAt = Date.now();
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a committed phase', () => {
  it('is cut over to commit after copy, verify full and the four goes', async () => {
    expect((await copy(options())).ok).toBe(true);
    expect(await verify({ ...options(), mode: 'full' })).toMatchObject({ ok: true, verified: 3 });
    for (const owner of OWNER_ROLES) await approve({ ...options(), phase: 1, owner });
    // The source stamps writes to the second: the freeze must come in a later second.
    await new Promise((r) => setTimeout(r, Math.max(0, 1100 - (Date.now() - seededAt))));
    const result = await cutOverToCommit();
    expect(result, JSON.stringify(result.stoppedAt)).toMatchObject({ state: 'committed', stoppedAt: undefined });
  }, 120_000);

  it('is never written from the source again: copy --phase 1 is refused and the target keeps its post-commit write', async () => {
    const target = targetStore();
    const key = keys[0]!;
    const theirs = bytesOf('written-by-the-application-after-commit', 2100);
    await put(target, key, theirs);
    await put(sourceStore(), key, bytesOf('late-write-at-the-source', 2000));
    await put(sourceStore(), 'records/new-after-commit.csv', bytesOf('new', 300));

    const refusal = await copy({ ...options(), phase: 1 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).toBeInstanceOf(UserError);
    const error = refusal as UserError;
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toMatch(/^copy refused: "one" \(phase 1, committed at \d{4}-\d\d-\d\dT[^)]+\)/);
    expect(error.where).toBe('phase 1');
    expect(error.fix).toMatch(/--phase or --dataset/);
    await expect(copy({ ...options(), dataset: ['one'] })).rejects.toBeInstanceOf(UserError);

    const cli = await runCli(
      [
        'copy',
        '--phase',
        '1',
        '--plan',
        plan.file,
        '--state',
        join(dir, 'state.db'),
        '--evidence',
        join(dir, 'evidence'),
      ],
      plan.env,
    );
    expect(cli.code, cli.stdout + cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/copy refused: "one" \(phase 1, committed at/);

    expect(md5(await readAll((await target.read(key)).body))).toEqual(md5(theirs));
    expect(await target.head('records/new-after-commit.csv')).toBeUndefined();
  }, 60_000);

  it('is skipped with a note by a copy of every dataset, which writes nothing to it', async () => {
    const notes: string[] = [];
    const progress: ProgressSink = { start() {}, advance() {}, stop() {}, note: (m) => notes.push(m) };
    const report = await copy({ ...options(), progress });
    expect(report).toMatchObject({ ok: true, copied: 0, datasets: [], skipped: [{ dataset: 'one', phase: 1 }] });
    expect(notes.join('\n')).toMatch(/one: skipped, phase 1 was committed at /);
    expect(await targetStore().head('records/new-after-commit.csv')).toBeUndefined();
    const theirs = bytesOf('written-by-the-application-after-commit', 2100);
    expect(md5(await readAll((await targetStore().read(keys[0]!)).body))).toEqual(md5(theirs));
  });
});
