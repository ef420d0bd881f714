/**
 * Several "hosts" on one machine, as ../shared/LOCAL-SERVICES.md measured: each host is a
 * network namespace joined to this machine by a veth pair. The host sides of the pairs are
 * ports of one bridge that holds the servers' address, so every host reaches the servers at
 * the same address (one plan for all) and cutting one host's link (`ip link set … down`)
 * cuts that host only. Names and the /24 are unique per run; `destroy` removes all of it,
 * also after a failure, by the names this run made (never by pattern).
 *
 * Needs root (CI runs as root); `netnsUnavailable` says why a test must skip otherwise.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why network namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs the suite as root)';
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  return undefined;
}

export interface TestHost {
  /** The namespace's name, for `ip netns exec`. */
  namespace: string;
  /** The host's address on the bridge. */
  address: string;
  /** This machine's end of the host's link: down cuts the host off. */
  link: string;
}

export interface TestNetwork {
  /** The address the servers (relays) listen on, which every host reaches. */
  serverAddress: string;
  hosts: TestHost[];
  /** Cuts the host off (its requests time out; nothing is refused). */
  cut(host: TestHost): Promise<void>;
  /** Brings the host's link back. */
  restore(host: TestHost): Promise<void>;
  /** Starts `command` on the host, as a child process of this one (stop it by its PID). */
  spawnOn(host: TestHost, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess;
  /** Removes the hosts, their links and the bridge; safe to call twice. */
  destroy(): Promise<void>;
}

const ip = (...args: string[]) => run('ip', args);

/** A /24 of 10.0.0.0/8 no route of this machine uses. */
async function freeSubnet(): Promise<string> {
  const { stdout } = await ip('-4', 'route');
  for (;;) {
    const subnet = `10.${randomInt(100, 200)}.${randomInt(0, 256)}`;
    if (!stdout.includes(`${subnet}.`)) return subnet;
  }
}

/** Makes `count` hosts on a fresh bridge. */
export async function createTestNetwork(count: number): Promise<TestNetwork> {
  const id = randomBytes(3).toString('hex');
  const bridge = `cx${id}br`;
  const subnet = await freeSubnet();
  const hosts: TestHost[] = [];
  const made: (() => Promise<unknown>)[] = [];
  const destroy = async () => {
    while (made.length > 0) await made.pop()!().catch(() => {});
  };
  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    made.push(() => ip('link', 'del', bridge));
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    for (let i = 1; i <= count; i++) {
      const host = { namespace: `cx${id}-h${i}`, address: `${subnet}.${i + 1}`, link: `cx${id}h${i}` };
      const peer = `cx${id}p${i}`;
      await ip('netns', 'add', host.namespace);
      made.push(() => ip('netns', 'del', host.namespace));
      await ip('link', 'add', host.link, 'type', 'veth', 'peer', 'name', peer);
      made.push(() => ip('link', 'del', host.link));
      await ip('link', 'set', peer, 'netns', host.namespace);
      await ip('link', 'set', host.link, 'master', bridge);
      await ip('link', 'set', host.link, 'up');
      await ip('-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', peer);
      await ip('-n', host.namespace, 'link', 'set', peer, 'up');
      await ip('-n', host.namespace, 'link', 'set', 'lo', 'up');
      hosts.push(host);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    serverAddress: `${subnet}.1`,
    hosts,
    cut: async (host) => void (await ip('link', 'set', host.link, 'down')),
    restore: async (host) => void (await ip('link', 'set', host.link, 'up')),
    spawnOn: (host, command, args, env) =>
      spawn('ip', ['netns', 'exec', host.namespace, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    destroy,
  };
}
