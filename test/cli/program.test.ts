/** The program's own options: --version from package.json, --verbose for the stack of an internal error. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

describe('cloudexit --version and --verbose', () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8'));
    const r = await runCli(['--version'], process.env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('an internal error is one line, with its stack under --verbose (before or after the command)', async () => {
    const args = ['runbook', '--initial', '--out', '/dev/null/not-a-folder'];
    const plain = await runCli(args, process.env);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim()).toMatch(/^error: Error: ENOTDIR[^\n]*$/);
    for (const verbose of [
      ['--verbose', ...args],
      [...args, '--verbose'],
    ]) {
      const r = await runCli(verbose, process.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ENOTDIR[^\n]*\n\s+at /);
    }
  });
});
