/**
 * What every embedded server shares: it listens on the loopback interface only, so a
 * rehearsal or a test never exposes a server (or its throwaway credentials) to the network.
 */
import { createServer } from 'node:net';

/** The only address embedded servers listen on. */
export const HOST = '127.0.0.1';

/**
 * A port free on {@link HOST} right now, for servers that cannot be told to listen on port 0
 * and report the port they got (PostgreSQL).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
