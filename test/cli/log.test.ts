/**
 * The log of the command line (`--log-file`, `--quiet`, `--verbose`): JSON lines with a
 * timestamp and a level, free of the plan's secrets; nothing on stderr under `--quiet`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSource } from '../app/helpers.ts';
import { writeTestPlan, type PlanFixture } from './plan-fixture.ts';
import { runCli } from './run-cli.ts';

let dir: string;
let plan: PlanFixture;
const state = () => join(dir, 'state.db');

interface LogLine {
  time: string;
  level: string;
  msg: string;
  command: string;
  exitCode?: number;
  stage?: string;
}

async function logLines(file: string): Promise<LogLine[]> {
  const text = await readFile(file, 'utf8');
  for (const secret of plan.secrets) expect(text).not.toContain(secret);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudexit-log-'));
  plan = await writeTestPlan(dir, ['one']);
  await seedSource(plan, 'one', 3, 1500);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('--log-file', () => {
  it('writes JSON lines with a timestamp, a level and the command for a copy run, without a secret', async () => {
    const log = join(dir, 'logs', 'copy.jsonl');
    const run = await runCli(
      ['--log-file', log, '--verbose', 'copy', '--plan', plan.file, '--state', state(), '--evidence', join(dir, 'ev')],
      plan.env,
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = await logLines(log);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(Number.isNaN(Date.parse(line.time)), line.time).toBe(false);
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(line.command).toBe('copy');
      expect(typeof line.msg).toBe('string');
    }
    // --verbose: the stages at debug level; the last line says how the command ended.
    expect(lines.some((l) => l.level === 'debug' && l.stage !== undefined)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ level: 'info', exitCode: 0 });
  });

  it('logs an error with its exit code', async () => {
    const log = join(dir, 'error.jsonl');
    const run = await runCli(['verify', '--plan', join(dir, 'missing.yaml'), '--log-file', log], plan.env);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toBe('');
    const lines = await logLines(log);
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ command: 'verify', exitCode: 2 });
  });

  // A path that cannot be a file: under a device, under /proc (where pino's own mkdir retried
  // forever), and a folder. Each gives exit 2 naming the path and the fix, no stack, no state.
  it.each([
    ['under a device', () => '/dev/null/x.jsonl'],
    ['under /proc', () => '/proc/cloudexit-nope/x.jsonl'],
    ['a folder', () => dir],
  ])('refuses a log file that cannot be opened (%s) with exit 2 and changes nothing', async (_what, path) => {
    const log = path();
    const fresh = join(dir, 'never.db');
    const run = await runCli(['--log-file', log, 'status', '--plan', plan.file, '--state', fresh], plan.env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error: ${log}: cannot open the log file`);
    expect(run.stderr).toContain('fix: give --log-file a file');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(fresh)).toBe(false);
  });
});

describe('--quiet', () => {
  it('prints nothing on stderr for a successful run, where the same run without it prints progress', async () => {
    const args = ['verify', '--plan', plan.file, '--state', state(), '--evidence', join(dir, 'ev')];
    const loud = await runCli(args, plan.env);
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr).not.toBe('');
    const quiet = await runCli(['--quiet', ...args], plan.env);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).not.toBe('');
  });
});
