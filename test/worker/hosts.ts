/**
 * Workers on several hosts: network namespaces joined by a bridge (test/support/netns.ts),
 * with TCP relays on the bridge's address in front of the suite's servers (which listen on
 * the loopback only) and of the state's PostgreSQL. Each worker is a `bin/cloudexit.js
 * worker` process started on its host with `ip netns exec`.
 */
import type { ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { createTestNetwork, type TestHost, type TestNetwork } from '../support/netns.ts';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay.ts';
import type { StateCluster } from './fixture.ts';

export const BIN = 'bin/cloudexit.js';

/** The servers as the hosts reach them. */
export interface HostedServers {
  net: TestNetwork;
  /** `HOST:PORT` of the state's PostgreSQL, through its relay. */
  postgres: { host: string; port: number };
  /** `http://HOST:PORT/devstoreaccount1`: Azurite through its relay. */
  azuriteEndpoint: string;
  /** `http://HOST:PORT` of s3rver and RGW through their relays. */
  s3rverEndpoint: string;
  rgwEndpoint: string;
  close(): Promise<void>;
}

export async function hostServers(hosts: number, state: StateCluster): Promise<HostedServers> {
  const net = await createTestNetwork(hosts);
  const relays: TcpRelay[] = [];
  const close = async () => {
    await Promise.all(relays.map((r) => r.close()));
    await net.destroy();
  };
  try {
    const relay = async (target: string) => {
      const r = await startTcpRelay(net.serverAddress, target);
      relays.push(r);
      return r;
    };
    const azurite = new URL(inject('azurite').endpoint);
    const pg = await relay(`${state.cluster.host}:${state.cluster.port}`);
    const az = await relay(azurite.origin);
    const s3 = await relay(new URL(inject('s3rver').endpoint).origin);
    const rgw = await relay(new URL(inject('rgw').endpoint).origin);
    return {
      net,
      postgres: { host: net.serverAddress, port: pg.port },
      azuriteEndpoint: `http://${az.address}${azurite.pathname}`,
      s3rverEndpoint: `http://${s3.address}`,
      rgwEndpoint: `http://${rgw.address}`,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface RunningWorker {
  host: TestHost;
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `cloudexit worker …args` on `host`. */
export function startWorker(net: TestNetwork, host: TestHost, args: string[], env: NodeJS.ProcessEnv): RunningWorker {
  const child = net.spawnOn(host, process.execPath, [BIN, '--verbose', 'worker', ...args], env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Awaited<RunningWorker['done']>>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { host, child, done };
}

/** Kills what is still running (by PID), for afterAll. */
export function killAll(workers: readonly RunningWorker[]): void {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
}

/**
 * Polls `probe` every 50 ms until it returns true, as run-cli's `waitFor`, but fails at once
 * (with their error output) when every worker has ended: a worker that cannot start must
 * not leave the test waiting for what will never come.
 */
export async function waitWhileRunning(
  what: string,
  workers: readonly RunningWorker[],
  probe: () => Promise<boolean>,
  limitMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe().catch(() => false))) {
    if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) {
      const ends = await Promise.all(workers.map((w) => w.done));
      throw new Error(`every worker ended before ${what}:\n${ends.map((e) => e.stderr.slice(-1500)).join('\n')}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
