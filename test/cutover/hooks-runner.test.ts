/**
 * `runHook` on purpose-built fixtures: failures stop with a clear HookError, a hung hook
 * and everything it started are killed, output is redacted and bounded, and the hook
 * sees only the environment it should.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HookError, runHook, type RunHookOptions } from '../../src/cutover/hooks.ts';
import { registerSecret } from '../../src/secrets/redact.ts';
import { FIXTURES, isGone, tempDir } from './hook-helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
const started: number[] = [];
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  // A failed assertion must not leave a `sleep 300` behind.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await dir.remove();
});

function hook(script: string, options: Partial<RunHookOptions> = {}) {
  return runHook({ name: 'switch', script, cwd: FIXTURES, timeoutMs: 60_000, ...options, env: { ...options.env } });
}
async function failure(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HookError);
  return error as HookError;
}
async function grandchildPid(pidFile: string): Promise<number> {
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  started.push(pid);
  return pid;
}

describe('failures stop the cutover with a clear HookError', () => {
  it('a non-zero exit carries the code, the last lines of stderr and a fix', async () => {
    const error = await failure(hook('exit-3.mjs'));
    expect(error.failure).toBe('exit');
    expect(error.where).toBe('hooks.switch');
    expect(error.message).toMatch(
      /^switch hook exit-3\.mjs exited with code 3 after \d+\.\d s:\n {2}az: \(AuthorizationFailed\)/,
    );
    expect(error.result).toMatchObject({ exitCode: 3, signal: null });
    expect(error.result?.stdout).toMatch(/switching emc2-clb/);
    expect(error.result?.stderr).toMatch(/dnszones\/CNAME\/write/);
    expect(error.fix).toMatch(/stopped at the switch step.*docs\/hooks\.md/);
  });

  it('a missing script names the path it looked for and the plan field', async () => {
    const error = await failure(
      runHook({ name: 'smokeCheck', script: 'scripts/hooks/nope.mjs', cwd: dir.path, env: {} }),
    );
    expect(error.failure).toBe('missing');
    expect(error.result).toBeUndefined();
    expect(error.message).toContain(
      `smokeCheck hook scripts/hooks/nope.mjs not found: ${join(dir.path, 'scripts/hooks/nope.mjs')} does not exist`,
    );
    expect(error.fix).toMatch(
      /hooks\.smokeCheck in the plan names "scripts\/hooks\/nope\.mjs".*remove hooks\.smokeCheck/,
    );
  });

  it('a script cloudexit cannot run (a folder, a Python script) is refused before starting', async () => {
    await writeFile(join(dir.path, 'switch.py'), 'print(1)\n');
    expect((await failure(runHook({ name: 'freeze', script: 'switch.py', cwd: dir.path, env: {} }))).failure).toBe(
      'not-runnable',
    );
    expect((await failure(runHook({ name: 'freeze', script: '.', cwd: dir.path, env: {} }))).message).toMatch(
      /is neither a Node script nor a shell script/,
    );
  });

  it('runs a TypeScript hook with the Node running cloudexit', async () => {
    const result = await hook('typed.ts', { env: { CLOUDEXIT_PHASE: '2' } });
    expect(result.stdout).toBe('typed hook ran for phase 2\n');
  });
});

describe('a hung hook never hangs the cutover', () => {
  it('is killed at the timeout together with the processes it started', async () => {
    const pidFile = join(dir.path, 'sleep.pid');
    const error = await failure(hook('hang.mjs', { timeoutMs: 1_000, env: { FIXTURE_PID_FILE: pidFile } }));
    expect(error.failure).toBe('timeout');
    expect(error.message).toMatch(/did not finish within 1\.0 s and was stopped:\n {2}waiting forever/);
    expect(error.fix).toMatch(/raise hooks\.timeoutSeconds/);
    const sleeper = await grandchildPid(pidFile);
    await vi.waitFor(async () => expect(await isGone(sleeper)).toBe(true), { timeout: 10_000 });
  });

  it('gets SIGKILL after the grace period when it ignores SIGTERM', async () => {
    const pidFile = join(dir.path, 'sleep.pid');
    const error = await failure(
      hook('hang.mjs', {
        timeoutMs: 1_000,
        killGraceMs: 300,
        env: { FIXTURE_PID_FILE: pidFile, FIXTURE_IGNORE_TERM: '1' },
      }),
    );
    expect(error.failure).toBe('timeout');
    expect(error.result?.signal).toBe('SIGKILL');
    expect(error.result?.stdout).toMatch(/ignoring SIGTERM/);
    const sleeper = await grandchildPid(pidFile);
    await vi.waitFor(async () => expect(await isGone(sleeper)).toBe(true), { timeout: 10_000 });
  });

  it('is stopped when the cutover is cancelled, and not started when already cancelled', async () => {
    const pidFile = join(dir.path, 'sleep.pid');
    const controller = new AbortController();
    const running = hook('hang.mjs', { signal: controller.signal, env: { FIXTURE_PID_FILE: pidFile } });
    await vi.waitFor(() => readFile(pidFile, 'utf8'), { timeout: 30_000 });
    controller.abort();
    const error = await failure(running);
    expect(error.failure).toBe('aborted');
    expect(error.message).toMatch(/was stopped after .* because the cutover was cancelled/);
    await vi.waitFor(async () => expect(await isGone(await grandchildPid(pidFile))).toBe(true), { timeout: 10_000 });

    const before = await failure(hook('print.mjs', { signal: AbortSignal.abort() }));
    expect(before.failure).toBe('aborted');
    expect(before.result).toBeUndefined();
  });

  it('is killed when cloudexit exits while it runs', async () => {
    const pidFile = join(dir.path, 'sleep.pid');
    const exited = await promisify(execFile)(process.execPath, [join(FIXTURES, 'runner-exits.ts')], {
      env: { PATH: process.env.PATH, FIXTURE_PID_FILE: pidFile },
      timeout: 60_000,
    }).then(
      () => 0,
      (e: { code?: number }) => e.code,
    );
    expect(exited).toBe(1);
    const sleeper = await grandchildPid(pidFile);
    await vi.waitFor(async () => expect(await isGone(sleeper)).toBe(true), { timeout: 10_000 });
  });

  it('ends what a successful hook left running in its process group', async () => {
    const pidFile = join(dir.path, 'sleep.pid');
    const result = await hook('leftover.mjs', { env: { FIXTURE_PID_FILE: pidFile } });
    expect(result.exitCode).toBe(0);
    const sleeper = await grandchildPid(pidFile);
    await vi.waitFor(async () => expect(await isGone(sleeper)).toBe(true), { timeout: 10_000 });
  });
});

describe('output for the audit log', () => {
  it('masks registered secrets and SAS signatures on both streams and in the error', async () => {
    const secret = 'ZmFrZS1zYXMtc2VjcmV0LWZvci10ZXN0cw';
    registerSecret(secret);
    const text = `token=${secret} url=https://acct.blob.core.windows.net/c?sv=2024&sig=abcDEF123%2B`;
    const result = await hook('print.mjs', { env: { FIXTURE_TEXT: text } });
    for (const out of [result.stdout, result.stderr]) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain('abcDEF123');
      expect(out).toMatch(/token=\*\*\* url=.*sig=\*\*\*/);
    }
  });

  it('keeps the end of a long output and says how much was left out', async () => {
    const result = await hook('loud.mjs', { maxOutputBytes: 1024, env: { FIXTURE_LINES: '5000' } });
    expect(result.truncated).toBe(true);
    expect(result.omittedBytes.stderr).toBe(0);
    const [note, first, ...rest] = result.stdout.split('\n');
    expect(note).toMatch(/^\[cloudexit: the first \d+ bytes of stdout were left out; the last \d+ follow\]$/);
    // The cut line is dropped whole: the tail starts at a line boundary.
    expect(first).toMatch(/^line \d+ of a very chatty hook$/);
    expect(rest.at(-2)).toBe('the end');
    expect(result.stdout.length).toBeLessThan(1024 + note!.length + 2);
    const total = Number(/first (\d+) bytes/.exec(note!)![1]) + Number(/last (\d+) follow/.exec(note!)![1]);
    expect(total).toBe(Buffer.byteLength(result.stdout.slice(note!.length + 1)) + result.omittedBytes.stdout);
  });

  it('does not cut a secret in half at the start of the kept tail', async () => {
    const secret = 'c2Vjb25kLWZha2Utc2VjcmV0LWZvci10ZXN0cw';
    registerSecret(secret);
    // The secret is the line that straddles the cut: whatever part of it is kept must go.
    const lines = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(3, '0')} ${secret}`).join('\n');
    for (const limit of [100, 101, 117, 133]) {
      const result = await hook('print.mjs', { maxOutputBytes: limit, env: { FIXTURE_TEXT: lines } });
      for (let n = 8; n <= secret.length; n++) expect(result.stdout).not.toContain(secret.slice(-n));
    }
  });
});

describe('the environment a hook receives', () => {
  it("is the allowlist, the passEnv names and the documented variables — not cloudexit's secrets", async () => {
    const parentEnv = {
      PATH: process.env.PATH,
      HOME: '/home/ops',
      LANG: 'fr_FR.UTF-8',
      LC_TIME: 'fr_FR.UTF-8',
      HTTPS_PROXY: 'http://proxy:3128',
      CLOUDEXIT_SOURCE_SAS: 'sv=2024&sig=xyz',
      CLOUDEXIT_TARGET_SECRET_ACCESS_KEY: 'k',
      AWS_SECRET_ACCESS_KEY: 'k',
      NODE_OPTIONS: '--inspect',
      AZURE_CLIENT_ID: 'id',
      AZURE_CLIENT_SECRET: 's',
      CLOUDEXIT_PHASE: '9',
    };
    const result = await hook('env.mjs', {
      parentEnv,
      passEnv: ['AZURE_CLIENT_ID'],
      env: { CLOUDEXIT_PHASE: '1', CLOUDEXIT_STATE_DIR: 'state' },
      cwd: FIXTURES,
    });
    const names: string[] = JSON.parse(result.stdout);
    expect(names).toEqual(
      expect.arrayContaining([
        'PATH',
        'HOME',
        'LANG',
        'LC_TIME',
        'HTTPS_PROXY',
        'AZURE_CLIENT_ID',
        'CLOUDEXIT_PHASE',
        'CLOUDEXIT_HOOK',
        'CLOUDEXIT_STATE_DIR',
      ]),
    );
    for (const name of [
      'CLOUDEXIT_SOURCE_SAS',
      'CLOUDEXIT_TARGET_SECRET_ACCESS_KEY',
      'AWS_SECRET_ACCESS_KEY',
      'NODE_OPTIONS',
      'AZURE_CLIENT_SECRET',
    ]) {
      expect(names).not.toContain(name);
    }
  });

  it('gets an absolute CLOUDEXIT_STATE_DIR that exists, and its own hook name', async () => {
    const script = join(dir.path, 'show.mjs');
    await writeFile(
      script,
      "import { statSync } from 'node:fs';\nconsole.log(process.env.CLOUDEXIT_HOOK, process.env.CLOUDEXIT_STATE_DIR, statSync(process.env.CLOUDEXIT_STATE_DIR).isDirectory());\n",
    );
    const result = await runHook({
      name: 'thaw',
      script: 'show.mjs',
      cwd: dir.path,
      env: { CLOUDEXIT_STATE_DIR: 'hooks-state/x' },
    });
    expect(result.stdout).toBe(`thaw ${join(dir.path, 'hooks-state/x')} true\n`);
  });
});

describe('a shell hook (.sh)', () => {
  const sh = async (name: string, body: string) => {
    await writeFile(join(dir.path, name), body);
    return name;
  };

  it('runs with bash, gets only the allowlisted environment, and its output is redacted', async () => {
    const secret = 'c2hlbGwtaG9vay1mYWtlLXNlY3JldC10ZXN0cw';
    registerSecret(secret);
    const script = await sh(
      'switch.sh',
      'set -euo pipefail\necho "bash ${BASH_VERSION%%.*} phase=$CLOUDEXIT_PHASE hook=$CLOUDEXIT_HOOK token=$FIXTURE_TEXT"\n' +
        'echo "sas=${CLOUDEXIT_SOURCE_SAS:-unset} aws=${AWS_SECRET_ACCESS_KEY:-unset}"\n',
    );
    const result = await runHook({
      name: 'switch',
      script,
      cwd: dir.path,
      parentEnv: { PATH: process.env.PATH, CLOUDEXIT_SOURCE_SAS: 'sv=2024&sig=xyz', AWS_SECRET_ACCESS_KEY: 'k' },
      env: { CLOUDEXIT_PHASE: '2', FIXTURE_TEXT: secret },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^bash \d+ phase=2 hook=switch token=\*\*\*\nsas=unset aws=unset\n$/);
    expect(result.stdout).not.toContain(secret);
  });

  it('stops the cutover with its exit code and last lines', async () => {
    const script = await sh('freeze.sh', 'echo "az: AuthorizationFailed" >&2\nexit 4\n');
    const error = await failure(runHook({ name: 'freeze', script, cwd: dir.path, env: {} }));
    expect(error.failure).toBe('exit');
    expect(error.message).toMatch(/^freeze hook freeze\.sh exited with code 4 .*:\n {2}az: AuthorizationFailed/);
    expect(error.fix).toContain('run `bash freeze.sh`');
  });

  it('is killed at the timeout with what it started, as a Node hook is', async () => {
    const pidFile = join(dir.path, 'sleep.pid');
    const script = await sh(
      'hang.sh',
      `sleep 300 &\necho $! > ${JSON.stringify(pidFile)}\necho waiting forever\nwait\n`,
    );
    const error = await failure(runHook({ name: 'switch', script, cwd: dir.path, env: {}, timeoutMs: 1_000 }));
    expect(error.failure).toBe('timeout');
    const sleeper = await grandchildPid(pidFile);
    await vi.waitFor(async () => expect(await isGone(sleeper)).toBe(true), { timeout: 10_000 });
  });
});
