/**
 * A command whose optional package is missing says which package and how to install it,
 * with exit code 2, instead of a stack trace. Uses a real dynamic import of a package that
 * does not exist, and one of a package that does.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.ts';
import { importOptional } from '../src/optional-import.ts';

describe('importOptional', () => {
  it('names the missing package and the pinned install command', async () => {
    const failure = importOptional(
      () => import('cloudexit-no-such-package' as string),
      ['azurite', 'cloudexit-no-such-package'],
      'cloudexit rehearse',
    );
    await expect(failure).rejects.toBeInstanceOf(UserError);
    await expect(failure).rejects.toMatchObject({
      message: 'cloudexit rehearse needs the package cloudexit-no-such-package, which is not installed here',
      fix: expect.stringContaining('npm install --no-save azurite@3.37.0 cloudexit-no-such-package@latest'),
      exitCode: 2,
    });
  });

  it('loads a package that is there, and lets other errors through unchanged', async () => {
    const yaml = await importOptional(() => import('yaml'), ['yaml'], 'test');
    expect(typeof yaml.parse).toBe('function');
    const boom = new Error('a module that throws while loading');
    await expect(importOptional(() => Promise.reject(boom), ['yaml'], 'test')).rejects.toBe(boom);
  });
});
