/**
 * A state is bound to its plan: another migration's plan, or a dataset pointed at another
 * bucket, is refused (exit 2) with the state file byte-identical and no bucket written;
 * looking (status, runbook) creates and changes nothing; `state rebind` is the audited way
 * past the refusal. Run as an operator would, through the CLI, on Azurite and s3rver.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createContainer } from '../../src/embedded/azurite.ts';
import { createBucket } from '../../src/embedded/s3rver.ts';
import { objectLocation } from '../../src/state/contracts/binding.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import { createS3Store } from '../../src/stores/s3.ts';
import { writeTestPlan, type PlanFixture } from '../cli/plan-fixture.ts';
import { CLI, runCli, type CliResult } from '../cli/run-cli.ts';
import { uniqueName } from '../support/stores.ts';
import { absoluteHooks, seedSource } from './helpers.ts';

let dir: string;
let state: string;
let plan: PlanFixture;

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** Every path under `folder`, sorted: what "nothing was created" is checked against. */
const tree = async (folder: string): Promise<string[]> => (await readdir(folder, { recursive: true })).sort();

/** The CLI run from `cwd`, as an operator in another folder would. */
function runCliIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(CLI), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** The keys in a bucket of the suite's s3rver. */
async function bucketKeys(bucket: string): Promise<string[]> {
  const s3rver = inject('s3rver');
  const store = createS3Store({
    endpoint: s3rver.endpoint,
    region: s3rver.region,
    bucket,
    forcePathStyle: true,
    credentials: { accessKeyId: s3rver.accessKeyId, secretAccessKey: s3rver.secretAccessKey },
  });
  const keys: string[] = [];
  for await (const item of store.list('')) keys.push(item.key);
  return keys;
}

/** A copy of the fixture's plan in a folder of its own, changed by `edit`. */
async function variant(name: string, edit: (doc: ReturnType<typeof parseDocument>) => void): Promise<string> {
  const doc = parseDocument(await readFile(plan.file, 'utf8'));
  edit(doc);
  await mkdir(join(dir, name));
  const file = join(dir, name, 'plan.yaml');
  await writeFile(file, doc.toString());
  return file;
}

const copyArgs = (planFile: string) => ['copy', '--plan', planFile, '--state', state, '--evidence', join(dir, 'ev')];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-app-binding-'));
  await mkdir(join(dir, 'a'));
  plan = await writeTestPlan(join(dir, 'a'), ['one']);
  await seedSource(plan, 'one', 3);
  state = join(dir, 'state.db');
  const first = await runCli(copyArgs(plan.file), plan.env);
  expect(first.code, first.stderr).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a state bound to its plan', () => {
  it("refuses another migration's plan (exit 2): the state is byte-identical and no bucket was written", async () => {
    await mkdir(join(dir, 'b'));
    const other = await writeTestPlan(join(dir, 'b'), ['one']);
    const doc = parseDocument(await readFile(other.file, 'utf8'));
    doc.setIn(['migration'], 'another-warehouse');
    await writeFile(other.file, doc.toString());
    await seedSource(other, 'one', 2);
    const before = await sha256(state);
    // SQLite readers may leave the usual -wal/-shm companions of a WAL state; nothing else may appear.
    const files = async () => (await tree(dir)).filter((f) => !/state\.db-(wal|shm)$/.test(f));
    const folder = await files();

    const refused = await runCli(copyArgs(other.file), other.env);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      'the state belongs to migration "emc2", the plan is migration "another-warehouse"',
    );
    expect(await sha256(state)).toBe(before);
    expect(await bucketKeys(other.names.get('one')!.bucket)).toEqual([]);

    // Looking is refused too, and changes nothing either.
    const looked = await runCli(['status', '--plan', other.file, '--state', state], other.env);
    expect(looked.code).toBe(2);
    expect(looked.stderr).toContain('another-warehouse');
    expect(await sha256(state)).toBe(before);
    expect(await files()).toEqual(folder);
  });

  it('refuses a plan whose dataset now points at another bucket, naming the dataset and both locations', async () => {
    const s3rver = inject('s3rver');
    const moved = uniqueName('dst');
    await createBucket(s3rver, moved);
    const was = plan.names.get('one')!.bucket;
    const file = await variant('moved', (doc) => doc.setIn(['datasets', 0, 'target', 'bucket'], moved));
    const before = await sha256(state);

    const refused = await runCli(copyArgs(file), plan.env);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      `dataset one: its target was ${objectLocation(s3rver.endpoint, was, '')}, the plan says ${objectLocation(s3rver.endpoint, moved, '')}`,
    );
    expect(await sha256(state)).toBe(before);
    expect(await bucketKeys(moved)).toEqual([]);

    const runbook = await runCli(['runbook', '--plan', file, '--state', state, '--out', join(dir, 'rb')], plan.env);
    expect(runbook.code).toBe(2);
    expect(existsSync(join(dir, 'rb'))).toBe(false);
    expect(await sha256(state)).toBe(before);
  });

  it('accepts a plan that adds a dataset, and records it', async () => {
    const azurite = inject('azurite');
    const container = uniqueName('src');
    const bucket = uniqueName('dst');
    await createContainer(azurite, container);
    await createBucket(inject('s3rver'), bucket);
    const file = await variant('added', (doc) => {
      doc.addIn(['datasets'], doc.createNode({ name: 'two', title: 'Two', source: { container }, target: { bucket } }));
      doc.addIn(['phases', 0, 'datasets'], 'two');
    });
    const copied = await runCli([...copyArgs(file), '--json'], plan.env);
    expect(copied.code, copied.stderr).toBe(0);
    const store = await openSqliteStateStore(state, { readOnly: true });
    try {
      expect((await store.getBinding())!.datasets.map((d) => d.name)).toEqual(['one', 'two']);
    } finally {
      await store.close();
    }
    // The original plan, without the new dataset, is still this state's.
    const status = await runCli(['status', '--plan', plan.file, '--state', state, '--json'], plan.env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ started: true, statePath: state });
  });

  it('`state rebind` binds the state to the moved plan on purpose, and the audit log records it', async () => {
    const file = join(dir, 'moved', 'plan.yaml');
    const noReason = await runCli(['state', 'rebind', '--plan', file, '--state', state], plan.env);
    expect(noReason.code).toBe(2);

    const rebound = await runCli(
      ['state', 'rebind', '--plan', file, '--state', state, '--reason', 'dataset one moved to a new bucket', '--json'],
      plan.env,
    );
    expect(rebound.code, rebound.stderr).toBe(0);
    const report = JSON.parse(rebound.stdout);
    expect(report.conflicts).toEqual([expect.objectContaining({ type: 'dataset', dataset: 'one', field: 'target' })]);

    const status = await runCli(['status', '--plan', file, '--state', state, '--json'], plan.env);
    expect(status.code, status.stderr).toBe(0);
    const exported = await runCli(['audit', 'export', '--state', state], plan.env);
    expect(exported.code, exported.stderr).toBe(0);
    const events = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; step: string; details: Record<string, unknown> });
    const event = events.find((e) => e.step === 'rebind');
    expect(event?.seq).toBe(report.auditSeq);
    expect(event?.details).toMatchObject({
      reason: 'dataset one moved to a new bucket',
      conflicts: [expect.objectContaining({ dataset: 'one', field: 'target' })],
    });
    const verified = await runCli(['audit', 'verify', '--state', state], plan.env);
    expect(verified.code, verified.stdout).toBe(0);
  });
});

describe('read-only commands change nothing', () => {
  it('status from an empty folder, with --plan elsewhere, creates nothing and reports not started; after a copy it reads the state next to the plan', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'cloudexit-app-binding-cwd-'));
    try {
      await mkdir(join(dir, 'fresh'));
      const fresh = await writeTestPlan(join(dir, 'fresh'), ['one']);
      await absoluteHooks(fresh.file);
      const planFolder = join(dir, 'fresh');
      const before = { cwd: await tree(empty), plan: await tree(planFolder) };

      const json = await runCliIn(empty, ['status', '--plan', fresh.file, '--json'], fresh.env);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        started: false,
        statePath: join(planFolder, '.cloudexit', 'emc2.db'),
      });
      const text = await runCliIn(empty, ['status', '--plan', fresh.file], fresh.env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('not started');
      const runbook = await runCliIn(empty, ['runbook', '--plan', fresh.file, '--check'], fresh.env);
      expect(runbook.code).toBe(1);
      expect({ cwd: await tree(empty), plan: await tree(planFolder) }).toEqual(before);

      // The state goes next to the plan, whatever folder the copy runs from.
      await seedSource(fresh, 'one', 1);
      const copied = await runCliIn(empty, ['copy', '--plan', fresh.file, '--json'], fresh.env);
      expect(copied.code, copied.stderr).toBe(0);
      expect(await tree(empty)).toEqual([]);
      expect(existsSync(join(planFolder, '.cloudexit', 'emc2.db'))).toBe(true);
      const after = await runCli(['status', '--plan', fresh.file, '--json'], fresh.env);
      expect(after.code, after.stderr).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({ started: true });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('status and runbook on a foreign SQLite file refuse it (exit 2) and leave it byte-identical', async () => {
    const foreign = join(dir, 'foreign.db');
    const db = new DatabaseSync(foreign);
    db.exec("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('kept')");
    db.close();
    const before = await sha256(foreign);
    const folder = await tree(dir);

    const status = await runCli(['status', '--plan', plan.file, '--state', foreign], plan.env);
    expect(status.code).toBe(2);
    const runbook = await runCli(
      ['runbook', '--plan', plan.file, '--state', foreign, '--out', join(dir, 'rb-foreign')],
      plan.env,
    );
    expect(runbook.code).toBe(2);
    const audit = await runCli(['audit', 'verify', '--state', foreign], plan.env);
    expect(audit.code).toBe(2);
    expect(await sha256(foreign)).toBe(before);
    expect(await tree(dir)).toEqual(folder);
  });
});
