/**
 * The closing line CI reads must tell the truth: a file whose setup failed counts as a
 * failure, even though vitest reports its tests as skipped. Runs vitest itself, in a child
 * process, on fixture files that fail in each way.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'reporter');

it('counts a file whose beforeAll failed, a failed test, passes and skips, and vitest exits non-zero', () => {
  const run = spawnSync(
    process.execPath,
    [join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(FIXTURES, 'vitest.config.ts')],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 120_000,
    },
  );
  expect(run.status, run.stderr).toBe(1);
  const lines = run.stdout.trim().split('\n');
  // vitest's own counts: 1 passed, 1 failed, 3 skipped tests; 2 failed files.
  expect(run.stdout).toMatch(/Tests\s+1 failed \| 1 passed \| 3 skipped/);
  expect(lines.at(-1)).toBe('tests: 1 passed, 2 failed, 3 skipped');
  expect(lines.at(-2)).toMatch(/^failed before or outside its tests: .*setup-fails\.fixture\.ts$/);
});
