/** `cloudexit audit export` and `audit verify`, run as an operator or an auditor would. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { tempDir } from '../state/helpers.ts';
import { sampleInput } from './helpers.ts';

const CLI = resolve('bin/cloudexit.js');
const SAMPLE_PLAN = resolve('runbooks/emc2/plan.yaml');

function cli(args: string[], cwd = process.cwd()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let state: string;
let exported: string;
let events: AuditEvent[];

beforeEach(async () => {
  dir = await tempDir();
  state = join(dir.path, 'state.db');
  exported = join(dir.path, 'audit.jsonl');
  const store = await openSqliteStateStore(state);
  events = [];
  for (let i = 1; i <= 10; i++) events.push(await store.appendAudit(sampleInput(i)));
  await store.close();
});

afterEach(() => dir.remove());

/** Runs SQL on the state file directly, as someone with write access to it could. */
function rawSql(...statements: string[]): void {
  const db = new DatabaseSync(state);
  try {
    for (const sql of statements) db.exec(sql);
  } finally {
    db.close();
  }
}

describe('audit export then audit verify --file', () => {
  it('exports to stdout and to a file, and both verify intact (exit 0)', async () => {
    const toStdout = await cli(['audit', 'export', '--state', state]);
    expect(toStdout).toMatchObject({ code: 0, stderr: `exported 10 audit events; head ${events[9]!.hash}\n` });
    expect(
      toStdout.stdout
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l).seq),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    expect((await cli(['audit', 'export', '--state', state, '--out', exported])).code).toBe(0);
    expect(await readFile(exported, 'utf8')).toBe(toStdout.stdout);
    const verify = await cli(['audit', 'verify', '--file', exported]);
    expect(verify).toMatchObject({
      code: 0,
      stdout: `audit log intact: 10 events in ${exported}\nhead: ${events[9]!.hash}\n`,
    });
    const json = await cli(['audit', 'verify', '--file', exported, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: true,
      count: 10,
      head: events[9]!.hash,
      source: { kind: 'file', location: exported },
    });
  });

  it('names the first broken link of an edited export (exit 1)', async () => {
    await cli(['audit', 'export', '--state', state, '--out', exported]);
    const lines = (await readFile(exported, 'utf8')).split('\n');
    lines[6] = lines[6]!.replace('"actor":"cloudexit"', '"actor":"mallory"');
    await writeFile(exported, lines.join('\n'));
    const text = await cli(['audit', 'verify', '--file', exported]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(
      `audit log BROKEN at line 7 of ${exported}: event 7 was altered: its content does not match its hash\n` +
        `the 6 events before it chain correctly; the last of them has hash ${events[5]!.hash}\n`,
    );
    const json = await cli(['audit', 'verify', '--file', exported, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, count: 6, firstBroken: { seq: 7, position: 7 } });
  });

  it('refuses a file that is not an audit log, naming the line (exit 2)', async () => {
    await cli(['audit', 'export', '--state', state, '--out', exported]);
    const lines = (await readFile(exported, 'utf8')).split('\n');
    lines[2] = lines[2]!.slice(0, 40);
    await writeFile(exported, lines.join('\n'));
    const r = await cli(['audit', 'verify', '--file', exported]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${exported.replaceAll('.', '\\.')}:3: line 3 is not valid JSON`));
    expect(r.stderr).toContain('fix: pass a file written by `cloudexit audit export`');
    expect((await cli(['audit', 'verify', '--file', join(dir.path, 'missing.jsonl')])).code).toBe(2);
  });

  it('with --expect-head, accepts an earlier head and notices events cut from the end', async () => {
    await cli(['audit', 'export', '--state', state, '--out', exported]);
    const earlier = await cli(['audit', 'verify', '--file', exported, '--expect-head', events[4]!.hash]);
    expect(earlier).toMatchObject({ code: 0 });
    expect(earlier.stdout).toContain('the expected head is event 5, followed by 5 later events');

    const lines = (await readFile(exported, 'utf8')).split('\n');
    await writeFile(exported, `${lines.slice(0, 8).join('\n')}\n`);
    const cut = await cli(['audit', 'verify', '--file', exported, '--expect-head', events[9]!.hash, '--json']);
    expect(cut.code).toBe(1);
    expect(JSON.parse(cut.stdout)).toMatchObject({ ok: false, count: 8, expectedHead: { hash: events[9]!.hash } });
    expect((await cli(['audit', 'verify', '--file', exported, '--expect-head', 'abc'])).code).toBe(2);
  });
});

describe('audit verify on the state file', () => {
  it('reports an intact log (exit 0)', async () => {
    const r = await cli(['audit', 'verify', '--state', state]);
    expect(r).toMatchObject({
      code: 0,
      stdout: `audit log intact: 10 events in state file ${state}\nhead: ${events[9]!.hash}\n`,
    });
  });

  it('detects a row altered after the triggers were dropped (exit 1)', async () => {
    rawSql('DROP TRIGGER audit_events_no_update', "UPDATE audit_events SET outcome = 'refused' WHERE seq = 4");
    const r = await cli(['audit', 'verify', '--state', state]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `audit log BROKEN at event 4 in state file ${state}: event 4 was altered: its content does not match its hash`,
    );
  });

  it('detects a row deleted after the triggers were dropped (exit 1)', async () => {
    rawSql('DROP TRIGGER audit_events_no_delete', 'DELETE FROM audit_events WHERE seq = 9');
    const r = await cli(['audit', 'verify', '--state', state, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).firstBroken).toEqual({
      seq: 10,
      position: 9,
      reason: 'event 9 is missing: event 10 comes right after event 8 (deleted or moved)',
    });
  });

  it('finds the default state file next to the plan, and creates none when it is missing (exit 2)', async () => {
    // Run from the repository (the sample plan's hooks are relative to it), the plan elsewhere.
    const planDir = join(dir.path, 'plan');
    await mkdir(planDir);
    const plan = join(planDir, 'plan.yaml');
    await writeFile(plan, await readFile(SAMPLE_PLAN));
    const missing = await cli(['audit', 'verify', '--plan', plan]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`there is no state file at ${join(planDir, '.cloudexit', 'emc2.db')}`);
    expect(existsSync(join(planDir, '.cloudexit'))).toBe(false);

    await mkdir(join(planDir, '.cloudexit'));
    await writeFile(join(planDir, '.cloudexit', 'emc2.db'), await readFile(state));
    const found = await cli(['audit', 'verify', '--plan', plan]);
    expect(found).toMatchObject({ code: 0 });
    expect(found.stdout).toContain('audit log intact: 10 events');
  });

  it('refuses a database that is not a state file (exit 2)', async () => {
    const other = join(dir.path, 'other.db');
    const db = new DatabaseSync(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const r = await cli(['audit', 'export', '--state', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a SQLite database but not a cloudexit state file');
  });

  it('shows examples in --help', async () => {
    const r = await cli(['audit', 'verify', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--expect-head');
  });
});
