/**
 * scripts/stacks-up.mjs refuses to start, with a clear message and exit 2, when the
 * pulumi CLI or credentials are missing. (A real `pulumi up` cannot run here.)
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const script = join(root, 'scripts/stacks-up.mjs');

async function stacksUp(path: string, env: Record<string, string> = {}) {
  try {
    await promisify(execFile)(process.execPath, [script], { cwd: root, env: { PATH: path, HOME: tmpdir(), ...env } });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('scripts/stacks-up.mjs', () => {
  const nodeDir = dirname(process.execPath);

  it('says the pulumi CLI is missing', async () => {
    const { code, stderr } = await stacksUp([nodeDir, '/usr/bin', '/bin'].join(delimiter));
    expect(code).toBe(2);
    expect(stderr).toContain('error: the pulumi CLI is not installed or not on PATH');
  });

  it('says which credentials are missing, without touching any stack', async () => {
    // A stand-in pulumi that is logged in and records nothing else.
    const bin = mkdtempSync(join(tmpdir(), 'fake-pulumi-'));
    writeFileSync(join(bin, 'pulumi'), '#!/bin/sh\n[ "$1" = whoami ] && { echo ops; exit 0; }\nexit 1\n');
    chmodSync(join(bin, 'pulumi'), 0o755);
    const { code, stderr } = await stacksUp([bin, nodeDir, '/usr/bin', '/bin'].join(delimiter));
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing credentials for azure-emc2: Azure: no ARM_CLIENT_ID/);
    expect(stderr).toContain('never in a committed file');
  });
});
