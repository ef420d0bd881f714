/**
 * s3rver in a child Node started with `--openssl-legacy-provider`, for when this process
 * lacks the DES cipher s3rver's listings need (see `startS3rver`).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { HOST } from './loopback.ts';
import type { S3rverHandle } from './s3rver-handle.ts';

const require = createRequire(import.meta.url);

/** Source that registers an extra key pair with s3rver in a child process. */
const registerKeyPair = (accessKeyId: string, secretAccessKey: string) => `
  require(${JSON.stringify(require.resolve('s3rver/lib/models/account'))})
    .DUMMY_ACCOUNT.createKeyPair(${JSON.stringify(accessKeyId)}, ${JSON.stringify(secretAccessKey)});`;

/** Starts s3rver in a child that exits when its stdin closes, so it cannot outlive a crashed parent. */
export async function startS3rverChild(
  serverOptions: object,
  credentials: { region: string; accessKeyId: string; secretAccessKey: string },
): Promise<S3rverHandle> {
  const script = `${registerKeyPair(credentials.accessKeyId, credentials.secretAccessKey)}
    const S3rver = require(${JSON.stringify(require.resolve('s3rver'))});
    const server = new S3rver(${JSON.stringify(serverOptions)});
    server.run().then((address) => {
      process.stdout.write(JSON.stringify({ port: address.port }) + '\\n');
    }, (err) => { console.error(String(err)); process.exit(1); });
    const stop = () => server.close().finally(() => process.exit(0));
    process.stdin.on('end', stop).resume();
    process.on('SIGTERM', stop);
  `;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // 'close', not 'exit': only then are the child's stdio pipes released too.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver child exited with code ${code} before listening`)));
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${port}`,
    ...credentials,
    mode: 'child-process',
    stop: () =>
      (stopped ??= (() => {
        child.stdin!.end();
        // A close stuck on a client's open connection must not hang the caller.
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        return exited.finally(() => clearTimeout(kill));
      })()),
  };
}
