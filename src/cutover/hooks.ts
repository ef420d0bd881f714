/**
 * Runs one cutover hook — a zx or plain Node script, or a bash script, the ops team
 * writes — and reports what it did, or why the cutover must stop at its step.
 *
 * A Node hook runs with the Node running cloudexit, a `.sh` hook with `bash` from PATH;
 * either runs in its own process group: on timeout or
 * cancel the whole group gets SIGTERM, then SIGKILL after a grace period, so neither the
 * hook nor anything it started (az, curl, a shell pipeline) can hang the cutover. zx's `$`
 * is not used here: it keeps the whole output in memory and stops a tree by listing
 * children with `ps`, which misses processes that fork during the listing or whose parent
 * already exited; a group signal reaches them all at once. Processes the hook leaves
 * behind in its group are ended when it exits: a step is finished when its hook returns.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { makeFolder } from '../make-folder.ts';
import { HOOK_INTERPRETERS, hookInterpreter } from '../plan/hook-files.ts';
import { redact } from '../secrets/redact.ts';
import { inheritedEnvironment, type HookName } from './hook-env.ts';
import { OutputTail } from './hook-output.ts';

export {
  DEFAULT_HOOK_STATE_DIR,
  HOOK_VARIABLES,
  hookContextFromPlan,
  hookEnvironment,
  inheritedEnvironment,
} from './hook-env.ts';
export type { HookContext, HookDataset, HookName } from './hook-env.ts';

export interface RunHookOptions {
  /** Which hook this is; names the plan field (`hooks.<name>`) in errors. */
  name: HookName;
  /** Path of the script as the plan gives it, relative to `cwd`: `.mjs`, `.js`, `.cjs`, `.ts`, `.mts`, `.cts` (Node) or `.sh` (bash). */
  script: string;
  /**
   * Variables for the hook, normally `hookEnvironment(context)`. A relative
   * `CLOUDEXIT_STATE_DIR` is resolved against `cwd` and the folder is created.
   */
  env: Readonly<Record<string, string>>;
  /**
   * Longest the hook may run before its process group is stopped.
   * @default 900_000 (the plan's `hooks.timeoutSeconds` default)
   */
  timeoutMs?: number;
  /** Stops the hook (same as a timeout, reported as cancelled) when aborted. */
  signal?: AbortSignal;
  /**
   * Folder the hook runs in and `script` is resolved against.
   * @default process.cwd()
   */
  cwd?: string;
  /**
   * Names of variables from cloudexit's environment to hand to the hook on top of the
   * allowlist (PATH, HOME, locale, TZ, temp, proxy and CA settings), e.g. `AZURE_CLIENT_ID`.
   * @default []
   */
  passEnv?: readonly string[];
  /**
   * The environment the allowlist and `passEnv` read from.
   * @default process.env
   */
  parentEnv?: NodeJS.ProcessEnv;
  /**
   * Bytes kept of each of stdout and stderr (the end of the stream).
   * @default 65_536
   */
  maxOutputBytes?: number;
  /**
   * Time between SIGTERM and SIGKILL when the hook's process group is stopped.
   * @default 5_000
   */
  killGraceMs?: number;
}

export interface HookResult {
  name: HookName;
  /** The script as given in the plan. */
  script: string;
  /** Exit code, or null when a signal ended the hook. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  /** Redacted; begins with a `[cloudexit: …left out…]` line when truncated. */
  stdout: string;
  stderr: string;
  /** Whether either stream was longer than `maxOutputBytes`. */
  truncated: boolean;
  omittedBytes: { stdout: number; stderr: number };
}

/** Why a hook failed: a missing or unrunnable script, or how the run ended. */
export type HookFailure = 'missing' | 'not-runnable' | 'spawn' | 'exit' | 'signal' | 'timeout' | 'aborted';

/** A hook did not succeed, so the cutover stops at its step. Message and fix are redacted. */
export class HookError extends Error {
  override name = 'HookError';
  readonly hook: HookName;
  readonly script: string;
  readonly failure: HookFailure;
  /** What ran, when the hook was started. */
  readonly result: HookResult | undefined;
  /** What the operator can do. */
  readonly fix: string;
  /** The plan field naming the script, e.g. `hooks.switch`. */
  readonly where: string;

  constructor(
    message: string,
    details: {
      hook: HookName;
      script: string;
      failure: HookFailure;
      fix: string;
      result?: HookResult;
      cause?: unknown;
    },
  ) {
    super(redact(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.hook = details.hook;
    this.script = details.script;
    this.failure = details.failure;
    this.result = details.result;
    this.fix = redact(details.fix);
    this.where = `hooks.${details.hook}`;
  }
}

/** Runs one hook to completion; throws `HookError` unless it exits with code 0. */
export async function runHook(options: RunHookOptions): Promise<HookResult> {
  const { name, script } = options;
  const cwd = options.cwd ?? process.cwd();
  const timeoutMs = options.timeoutMs ?? 900_000;
  const label = `${name} hook ${script}`;
  const path = resolve(cwd, script);
  const fail = (failure: HookFailure, message: string, fix: string, result?: HookResult, cause?: unknown) =>
    new HookError(message, { hook: name, script, failure, fix, ...(result ? { result } : {}), cause });

  const file = await stat(path).catch((err: NodeJS.ErrnoException) => err);
  if (file instanceof Error) {
    const fix = `hooks.${name} in the plan names "${script}", resolved against the folder cloudexit runs in (${cwd}); correct the path, or remove hooks.${name} if this step needs no script`;
    if (file.code === 'ENOENT' || file.code === 'ENOTDIR')
      throw fail('missing', `${label} not found: ${path} does not exist`, fix, undefined, file);
    throw fail('missing', `${label} cannot be read: ${file.code ?? file.message}`, fix, undefined, file);
  }
  const interpreter = hookInterpreter(path);
  if (!file.isFile() || interpreter === undefined) {
    throw fail(
      'not-runnable',
      `${label} is neither a Node script nor a shell script (${path})`,
      `hooks.${name} must name a file ending in ${Object.keys(HOOK_INTERPRETERS).join(', ')}: .sh runs with bash, the others with Node`,
    );
  }
  const command = interpreter === 'bash' ? 'bash' : process.execPath;
  if (options.signal?.aborted)
    throw fail(
      'aborted',
      `${label} was not started because the cutover was cancelled`,
      'run the cutover again when ready',
    );

  const env: Record<string, string> = {
    ...inheritedEnvironment(options.parentEnv ?? process.env, options.passEnv),
    ...options.env,
    CLOUDEXIT_HOOK: name,
  };
  const stateDir = env.CLOUDEXIT_STATE_DIR;
  if (stateDir !== undefined) {
    // Absolute, so a hook that changes folder (zx `cd`) still finds its state.
    env.CLOUDEXIT_STATE_DIR = isAbsolute(stateDir) ? stateDir : resolve(cwd, stateDir);
    makeFolder(env.CLOUDEXIT_STATE_DIR);
  }

  const run = await spawnGroup(command, path, cwd, env, {
    timeoutMs,
    signal: options.signal,
    maxOutputBytes: options.maxOutputBytes ?? 65_536,
    killGraceMs: options.killGraceMs ?? 5_000,
  });
  if (run.error)
    throw fail(
      'spawn',
      `${label} could not be started: ${run.error.message}`,
      `check that ${cwd} exists and ${command} can run${interpreter === 'bash' ? ' (bash must be on the PATH)' : ''}`,
      undefined,
      run.error,
    );

  const result: HookResult = {
    name,
    script,
    exitCode: run.exitCode,
    signal: run.signal,
    durationMs: run.durationMs,
    stdout: run.stdout.text,
    stderr: run.stderr.text,
    truncated: run.stdout.omittedBytes > 0 || run.stderr.omittedBytes > 0,
    omittedBytes: { stdout: run.stdout.omittedBytes, stderr: run.stderr.omittedBytes },
  };
  const after = `after ${seconds(run.durationMs)}`;
  const output = lastLines(result);
  const manual = `to try it alone, run \`${interpreter} ${script}\` from ${cwd} with the CLOUDEXIT_* variables listed in docs/hooks.md`;
  if (run.stopped === 'timeout') {
    throw fail(
      'timeout',
      `${label} did not finish within ${seconds(timeoutMs)} and was stopped${output}`,
      `make the hook finish sooner (it must not wait for input), or raise hooks.timeoutSeconds in the plan (now ${Math.round(timeoutMs / 1000)})`,
      result,
    );
  }
  if (run.stopped === 'aborted') {
    throw fail(
      'aborted',
      `${label} was stopped ${after} because the cutover was cancelled${output}`,
      `run the cutover again when ready; the hook may have done part of its work, so it must be safe to run twice`,
      result,
    );
  }
  if (run.signal) {
    throw fail(
      'signal',
      `${label} was killed by ${run.signal} ${after}${output}`,
      `something outside cloudexit ended the hook (out of memory, an operator's kill); check the machine, then run the cutover again`,
      result,
    );
  }
  if (run.exitCode !== 0) {
    throw fail(
      'exit',
      `${label} exited with code ${run.exitCode} ${after}${output}`,
      `the cutover stopped at the ${name} step; fix the cause shown by the hook (its output is in the audit log) and run the cutover again; ${manual}`,
      result,
    );
  }
  return result;
}

interface GroupRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  stdout: ReturnType<OutputTail['result']>;
  stderr: ReturnType<OutputTail['result']>;
  stopped: 'timeout' | 'aborted' | undefined;
  error: Error | undefined;
}

// The hook's own process group does not get the terminal's Ctrl-C, so if cloudexit exits
// without aborting it (process.exit in an error path), the hook would run on unattended.
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) signalGroup(pid, 'SIGKILL');
});

/** Spawns `<command> <path>` (node or bash) as a process-group leader and waits for it and its output. */
function spawnGroup(
  command: string,
  path: string,
  cwd: string,
  env: Record<string, string>,
  limits: { timeoutMs: number; signal: AbortSignal | undefined; maxOutputBytes: number; killGraceMs: number },
): Promise<GroupRun> {
  return new Promise((settle) => {
    const started = performance.now();
    const out = new OutputTail(limits.maxOutputBytes, 'stdout');
    const err = new OutputTail(limits.maxOutputBytes, 'stderr');
    // stdin is closed: a hook that prompts fails at once instead of waiting for the timeout.
    const child = spawn(command, [path], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    if (child.pid !== undefined) running.add(child.pid);

    let stopped: GroupRun['stopped'];
    let killTimer: NodeJS.Timeout | undefined;
    const stopGroup = () => {
      if (killTimer) return;
      signalGroup(child.pid, 'SIGTERM');
      // Unref'd: it must not keep cloudexit alive, only outlive stubborn processes.
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), limits.killGraceMs).unref();
    };
    const stop = (why: 'timeout' | 'aborted') => {
      stopped ??= why;
      stopGroup();
    };
    const onAbort = () => stop('aborted');
    const timeout = setTimeout(() => stop('timeout'), limits.timeoutMs);
    limits.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (child.pid !== undefined) running.delete(child.pid);
      clearTimeout(timeout);
      limits.signal?.removeEventListener('abort', onAbort);
      // Nothing left in the group (the usual case): no SIGKILL later to a recycled id.
      if (killTimer && !groupAlive(child.pid)) clearTimeout(killTimer);
      settle({
        exitCode,
        signal,
        durationMs: performance.now() - started,
        stdout: out.result(),
        stderr: err.result(),
        stopped,
        error,
      });
    };
    // The leader exited: end what it left behind, whose open pipes would otherwise hold
    // 'close' (and the cutover) forever.
    child.once('exit', () => stopGroup());
    child.once('close', (code, signal) => finish(code, signal));
    child.once('error', (error) => {
      if (child.pid === undefined) finish(null, null, error);
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      // No process groups on Windows: taskkill /T ends the tree (not exercised by the tests).
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' }).on('error', () => {});
    } else {
      process.kill(-pid, signal);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined || process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last few lines the hook printed (stderr first: that is where errors go), for a message. */
function lastLines(result: HookResult): string {
  const pick = (text: string) =>
    text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '' && !l.startsWith('[cloudexit: '))
      .slice(-5);
  const lines = pick(result.stderr).length > 0 ? pick(result.stderr) : pick(result.stdout);
  if (lines.length === 0) return ' (it printed nothing)';
  return `:\n${lines.map((l) => `  ${l.length > 240 ? `${l.slice(0, 240)}…` : l}`).join('\n')}`;
}

function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
