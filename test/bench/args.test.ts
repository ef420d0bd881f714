/**
 * The bench scripts' command lines (bench/args.ts): `--help` prints the usage of the file's
 * doc comment and exits 0; a bad argument exits 2 with one line naming it and the usage,
 * before any server starts — never parseArgs' stack trace.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [`bench/${script}.ts`, ...args], { encoding: 'utf8', timeout: 60_000 });

describe.each([
  ['copy-vs-rclone', 'npm run bench '],
  ['profile-copy', 'npm run bench:profile '],
  ['scale', 'npm run bench:scale '],
])('bench/%s.ts', (script, usage) => {
  it('prints its usage on --help and exits 0', () => {
    const result = run(script, '--help');
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith(`\`${usage}`)).toBe(true);
    expect(result.stderr).toBe('');
  });

  it.each([
    [['--bogus'], '--bogus: not an option of this bench'],
    [['--small'], '--small: needs a value'],
    [['stray'], 'stray: unexpected argument'],
  ])('refuses %j with exit 2 and one line', (args, problem) => {
    const result = run(script, ...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.slice(0, problem.length)).toBe(problem);
    expect(result.stderr).toContain(`usage: ${usage}`);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
