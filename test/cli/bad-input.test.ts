import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createS3Store } from '../../src/stores/s3.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli } from './run-cli.ts';

let dir: string;
let plan: PlanFixture;
/** A state already bound to another migration, made by a real `inventory`. */
let boundState: string;
const state = () => join(dir, 'state.db');

type YamlDoc = ReturnType<typeof parseDocument>;

/** A copy of the fixture's plan in a folder of its own, changed by `edit`. */
async function variant(name: string, edit: (doc: YamlDoc) => void): Promise<string> {
  const doc = parseDocument(await readFile(plan.file, 'utf8'));
  edit(doc);
  await mkdir(join(dir, name), { recursive: true });
  const file = join(dir, name, 'plan.yaml');
  await writeFile(file, doc.toString());
  return file;
}

/** Every file and folder under `root`, with its size and SHA-256: what "nothing changed" compares. */
async function tree(root: string): Promise<string[]> {
  const rows: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const rel = path.slice(root.length + 1);
    // SQLite readers may leave the usual companions of the WAL state made in beforeAll.
    if (/^bound\/state\.db-(wal|shm)$/.test(rel)) continue;
    if (entry.isDirectory()) rows.push(`${rel}/`);
    else {
      const bytes = await readFile(path);
      rows.push(`${rel} ${(await stat(path)).size} ${createHash('sha256').update(bytes).digest('hex')}`);
    }
  }
  return rows.sort();
}

/** The keys in the fixture's target bucket, on the suite's s3rver. */
async function targetKeys(): Promise<string[]> {
  const s3rver = inject('s3rver');
  const store = createS3Store({
    endpoint: s3rver.endpoint,
    region: s3rver.region,
    bucket: plan.names.get('one')!.bucket,
    forcePathStyle: true,
    credentials: { accessKeyId: s3rver.accessKeyId, secretAccessKey: s3rver.secretAccessKey },
  });
  const keys: string[] = [];
  for await (const item of store.list('')) keys.push(item.key);
  return keys;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-badinput-'));
  plan = await writeTestPlan(dir, ['one']);
  const other = await variant('bound', (doc) => doc.setIn(['migration'], 'another-warehouse'));
  boundState = join(dir, 'bound', 'state.db');
  const made = await runCli(['inventory', '--plan', other, '--state', boundState], plan.env);
  expect(made.code, made.stderr).toBe(0);
  await writeFile(join(dir, 'a-regular-file'), 'not a folder\n');
  await writeFile(join(dir, 'not-sqlite.db'), 'this is a text file, not an SQLite database\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface BadInput {
  /** What is wrong, as the test's name. */
  name: string;
  /** The command line; may write a plan variant first (before the snapshot). */
  args: () => string[] | Promise<string[]>;
  /** The environment. @default the fixture's */
  env?: () => NodeJS.ProcessEnv;
  /** What stderr must name: the flag, the file path or the plan field. */
  names: (() => string) | string | RegExp;
}

const copy = (...extra: string[]) => ['copy', '--plan', plan.file, '--state', state(), ...extra];
const copyWith = async (name: string, edit: (doc: YamlDoc) => void) => [
  'copy',
  '--plan',
  await variant(name, edit),
  '--state',
  state(),
];

const BAD_INPUTS: BadInput[] = [
  { name: '--concurrency 0', args: () => copy('--concurrency', '0'), names: '--concurrency' },
  { name: '--concurrency abc', args: () => copy('--concurrency', 'abc'), names: '--concurrency' },
  { name: '--concurrency 1.5', args: () => copy('--concurrency', '1.5'), names: '--concurrency' },
  { name: '--bandwidth fast', args: () => copy('--bandwidth', 'fast'), names: '--bandwidth' },
  { name: '--phase 9', args: () => copy('--phase', '9'), names: 'phase 9' },
  { name: '--phase abc', args: () => copy('--phase', 'abc'), names: /phase/ },
  { name: '--dataset nope', args: () => copy('--dataset', 'nope'), names: 'nope' },
  {
    name: 'verify --mode slow',
    args: () => ['verify', '--plan', plan.file, '--state', state(), '--mode', 'slow'],
    names: '--mode',
  },
  {
    name: 'an unknown command',
    args: () => ['frobnicate', '--plan', plan.file],
    names: 'frobnicate',
  },
  { name: 'an unknown option', args: () => copy('--frobnicate'), names: '--frobnicate' },
  {
    name: 'cutover --approve without --as',
    args: () => ['cutover', '--plan', plan.file, '--state', state(), '--phase', '1', '--approve', 'dpo'],
    names: '--as',
  },
  {
    name: 'cutover without --phase',
    args: () => ['cutover', '--plan', plan.file, '--state', state()],
    names: '--phase',
  },
  {
    name: 'rollback --phase 9',
    args: () => ['rollback', '--plan', plan.file, '--state', state(), '--phase', '9'],
    names: 'phase 9',
  },
  {
    name: 'cutover --phase 9',
    args: () => ['cutover', '--plan', plan.file, '--state', state(), '--phase', '9'],
    names: 'phase 9',
  },
  {
    name: 'cutover --approve for phase 9',
    args: () => ['cutover', '--plan', plan.file, '--state', state(), '--phase', '9', '--approve', 'dpo', '--as', 'A B'],
    names: 'phase 9',
  },
  {
    name: 'cutover --approve for an unknown role',
    args: () => [
      'cutover',
      '--plan',
      plan.file,
      '--state',
      state(),
      '--phase',
      '1',
      '--approve',
      'boss',
      '--as',
      'A B',
    ],
    names: 'boss',
  },
  {
    name: '--state inside a regular file',
    args: () => copy().map((a) => (a === state() ? join(dir, 'a-regular-file', 'state.db') : a)),
    names: () => join(dir, 'a-regular-file'),
  },
  {
    name: '--state at a file that is not SQLite',
    args: () => copy().map((a) => (a === state() ? join(dir, 'not-sqlite.db') : a)),
    names: () => join(dir, 'not-sqlite.db'),
  },
  {
    name: '--state bound to another migration',
    args: () => copy().map((a) => (a === state() ? boundState : a)),
    names: 'another-warehouse',
  },
  {
    name: 'a missing plan file',
    args: () => ['copy', '--plan', join(dir, 'missing.yaml'), '--state', state()],
    names: () => join(dir, 'missing.yaml'),
  },
  {
    name: '--plan at a folder',
    args: () => ['copy', '--plan', dir, '--state', state()],
    names: () => dir,
  },
  {
    name: 'a plan with YAML syntax errors',
    args: async () => {
      await mkdir(join(dir, 'syntax'), { recursive: true });
      await writeFile(join(dir, 'syntax', 'plan.yaml'), 'migration: emc2\n  title: [broken\n');
      return ['copy', '--plan', join(dir, 'syntax', 'plan.yaml'), '--state', state()];
    },
    names: () => `${join(dir, 'syntax', 'plan.yaml')}:`,
  },
  {
    name: 'an empty plan file',
    args: async () => {
      await mkdir(join(dir, 'empty'), { recursive: true });
      await writeFile(join(dir, 'empty', 'plan.yaml'), '');
      return ['copy', '--plan', join(dir, 'empty', 'plan.yaml'), '--state', state()];
    },
    names: () => join(dir, 'empty', 'plan.yaml'),
  },
  {
    name: 'a missing secret environment variable',
    args: () => copy(),
    env: () => {
      const { TEST_TARGET_SECRET: _gone, ...env } = plan.env;
      return env;
    },
    names: 'TEST_TARGET_SECRET',
  },
  {
    name: 'a date that does not exist',
    args: () => copyWith('date', (doc) => doc.setIn(['phases', 0, 'plannedCutover'], '2026-13-01')),
    names: 'phases[0].plannedCutover',
  },
  {
    name: 'a phase after the deadline',
    args: () => copyWith('late', (doc) => doc.setIn(['phases', 0, 'plannedCutover'], '2026-12-20')),
    names: 'phases[0].plannedCutover',
  },
  {
    name: 'an unknown dataset in a phase',
    args: () => copyWith('phase-ds', (doc) => doc.addIn(['phases', 0, 'datasets'], 'typo')),
    names: 'phases[0].datasets[1]',
  },
  {
    name: 'an ftp endpoint',
    args: () => copyWith('ftp', (doc) => doc.setIn(['target', 'endpoint'], 'ftp://files.example.org')),
    names: 'target.endpoint',
  },
  {
    name: 'a bare host as endpoint',
    args: () => copyWith('bare', (doc) => doc.setIn(['source', 'endpoint'], 'acct.blob.core.windows.net')),
    names: 'source.endpoint',
  },
  {
    name: 'a SAS token in the endpoint',
    args: () =>
      copyWith('sas', (doc) =>
        doc.setIn(['source', 'endpoint'], 'https://acct.blob.core.windows.net/?sv=2024-01-01&sig=abc'),
      ),
    names: 'source.endpoint',
  },
  {
    name: 'credentials in the endpoint',
    args: () => copyWith('creds', (doc) => doc.setIn(['target', 'endpoint'], 'https://key:secret@s3.example.org')),
    names: 'target.endpoint',
  },
  {
    name: 'multipartThreshold 0B',
    args: () => copyWith('threshold', (doc) => doc.setIn(['limits', 'multipartThreshold'], '0B')),
    names: 'limits.multipartThreshold',
  },
  {
    name: 'concurrency written as text in the plan',
    args: () => copyWith('text-number', (doc) => doc.setIn(['limits', 'concurrency'], '8')),
    names: 'limits.concurrency',
  },
  {
    name: 'a misspelt field in the plan',
    args: () =>
      copyWith('typo', (doc) => {
        doc.setIn(['limts'], doc.getIn(['limits']));
        doc.deleteIn(['limits']);
      }),
    names: 'limts',
  },
  {
    name: 'a misspelt hook path',
    args: () => copyWith('hook', (doc) => doc.setIn(['hooks', 'switch'], 'scripts/hooks/swtich.mjs')),
    names: 'hooks.switch',
  },
  {
    name: 'an unknown auth method',
    args: () => copyWith('auth', (doc) => doc.setIn(['source', 'auth', 'method'], 'password')),
    names: 'source.auth.method',
  },
  {
    name: 'a secret pasted as an environment variable name',
    args: () => copyWith('env-name', (doc) => doc.setIn(['target', 'auth', 'secretAccessKeyEnv'], 'abc/DEF+ghi')),
    names: 'target.auth.secretAccessKeyEnv',
  },
];

describe('bad input: exit 2, names the input, says the fix, changes nothing', () => {
  it('has at least 30 distinct bad inputs', () => {
    expect(new Set(BAD_INPUTS.map((b) => b.name)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_INPUTS)('$name', async (bad) => {
    const args = await bad.args();
    const folder = await tree(dir);
    const keys = await targetKeys();
    const r = await runCli(args, bad.env?.() ?? plan.env);
    const shown = `exit ${r.code}\n${r.stderr}`;
    expect(r.code, shown).toBe(2);
    const names = typeof bad.names === 'function' ? bad.names() : bad.names;
    if (typeof names === 'string') expect(r.stderr, shown).toContain(names);
    else expect(r.stderr, shown).toMatch(names);
    expect(r.stderr, shown).toContain('fix:');
    expect(await tree(dir)).toEqual(folder);
    expect(await targetKeys()).toEqual(keys);
    expect(keys).toEqual([]);
  });

  it('an invalid plan: file:line and fix, no state created', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      (await readFile(plan.file, 'utf8')).replace('plannedCutover: 2026-12-01', 'plannedCutover: 2026-13-01'),
    );
    const r = await runCli(['copy', '--plan', bad, '--state', state()], plan.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: phases\[0\]\.plannedCutover: must be a real calendar date/);
    expect(existsSync(state())).toBe(false);
  });

  it('an unknown dataset, with --json: says which exist', async () => {
    const r = await runCli(['copy', '--plan', plan.file, '--state', state(), '--dataset', 'nope', '--json'], plan.env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ message: 'unknown dataset "nope"', fix: 'use one of: one' });
  });

  it('a bad option value: the accepted values', async () => {
    const r = await runCli(['verify', '--plan', plan.file, '--mode', 'fast'], plan.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are quick, full/);
  });
});

describe('no secret reaches an output', () => {
  it('rejected credentials fail the run with messages free of every secret, in output and state', async () => {
    // s3rver checks the access key id but not the signature, Azurite checks the shared key: wrong values on both sides.
    const wrongSecret = 'WRONG-secret-value-that-must-not-leak-0123456789';
    const wrongKey = Buffer.from('not-the-account-key-not-the-account-key-0123456789').toString('base64');
    const runs = [
      { ...plan.env, TEST_TARGET_KEY_ID: 'WRONGKEYID', TEST_TARGET_SECRET: wrongSecret },
      { ...plan.env, TEST_SOURCE_KEY: wrongKey },
    ];
    for (const [i, env] of runs.entries()) {
      const db = join(dir, `leak-${i}.db`);
      const r = await runCli(['copy', '--plan', plan.file, '--state', db, '--json'], env);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/403|AccessDenied|InvalidAccessKeyId|AuthorizationFailure/);
      for (const secret of [wrongSecret, wrongKey, ...plan.secrets]) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
        if (existsSync(db)) expect((await readFile(db)).includes(Buffer.from(secret))).toBe(false);
      }
    }
  });
});
