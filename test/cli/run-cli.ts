/** Runs the real `cloudexit` CLI in a child process, as an operator would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { NODE_FLAGS } from '../../src/package-root.ts';

/**
 * The command as npm links it: the bundle in dist/ when it is fresh (bin/fresh-bundle.js),
 * else the sources; started with its shebang's node flags, as the shebang starts it.
 */
export const CLI = 'bin/cloudexit.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Polls `probe` every 50 ms until it returns true; fails after `limitMs` with `what`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
