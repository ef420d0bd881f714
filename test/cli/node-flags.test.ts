/**
 * cloudexit runs with the same node flags however it is started: through its shebang
 * (`npx cloudexit`), through package.json's scripts (`npm start`, `npm run cloudexit`) and
 * as a worker process (app/copy-workers.ts): NODE_FLAGS, whose reasons bin/cloudexit.js gives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, PACKAGE_ROOT } from '../../src/package-root.ts';
import { runCli } from './run-cli.ts';

const shebang = readFileSync(join(PACKAGE_ROOT, 'bin/cloudexit.js'), 'utf8').split('\n', 1)[0]!;
const scripts = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

describe('node flags', () => {
  it('the shebang carries exactly NODE_FLAGS', () => {
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  });

  it.each(['start', 'cloudexit'])('`npm run %s` starts bin/cloudexit.js with NODE_FLAGS', (name) => {
    expect(scripts[name]).toMatch(new RegExp(`^node ${NODE_FLAGS.join(' ')} bin/cloudexit\\.js( |$)`));
  });

  it('Node accepts them: the CLI starts with them and answers --help', async () => {
    const run = await runCli(['--help'], process.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: cloudexit');
  });
});
