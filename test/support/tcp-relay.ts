/**
 * A plain TCP relay: listens on one address (the bridge the test hosts reach) and forwards
 * every connection, byte for byte, to a server on 127.0.0.1. How the suite's servers, which
 * listen on the loopback only, are reached from network namespaces: the bytes (signatures,
 * PostgreSQL's protocol) pass untouched, and the server sees a loopback client.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpRelay {
  /** `HOST:PORT` the relay listens on. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a relay on `host` (a free port) to `target` (`HOST:PORT` or a URL with both). */
export async function startTcpRelay(host: string, target: string): Promise<TcpRelay> {
  const to = target.includes('://') ? new URL(target) : new URL(`tcp://${target}`);
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server = createServer((client) => {
    const upstream = connect(Number(to.port), to.hostname);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side failing closes both: the client then sees what a dropped connection looks like.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
