/**
 * The S3 server the bench copies to: s3rver (a single-threaded fake, the default) or Ceph
 * RGW (a real S3 implementation: mon, OSD and radosgw daemons), with the credentials the
 * copiers use and the processes whose CPU the bench reads.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { rgwInstalled, RGW_INSTALL_HINT, startRgw } from '../src/embedded/rgw.ts';
import { pidsWithArgument } from './proc-cpu.ts';
import { S3RVER_KEY, startS3rver } from './services.ts';

export type TargetKind = 's3rver' | 'rgw';

/** What a client needs to reach an S3 server (path-style addressing). */
export interface S3Account {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TargetServer extends S3Account {
  kind: TargetKind;
  /** The server's processes, for their CPU time. */
  pids(): number[];
  stop(): Promise<void>;
}

/** Why `kind` cannot run here, or `undefined`: checked before anything starts. */
export function targetUnavailable(kind: TargetKind): string | undefined {
  if (kind !== 'rgw') return undefined;
  if (process.getuid?.() !== 0) return 'Ceph RGW runs as root here: run the bench as root, or use --target s3rver';
  if (!rgwInstalled()) return `Ceph RGW is not installed: ${RGW_INSTALL_HINT} (or use --target s3rver)`;
  return undefined;
}

export async function startTarget(kind: TargetKind, workDir: string): Promise<TargetServer> {
  if (kind === 's3rver') {
    const directory = join(workDir, 's3rver');
    await mkdir(directory);
    const s3rver = await startS3rver(directory);
    return { kind, ...S3RVER_KEY, endpoint: s3rver.endpoint, pids: () => [s3rver.pid], stop: () => s3rver.stop() };
  }
  // bluestore: the bench writes hundreds of MiB per round, more than memstore should hold in RAM.
  const rgw = await startRgw({ objectStore: 'bluestore' });
  const conf = `${rgw.directory}/ceph.conf`;
  return {
    kind,
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    // The running daemons (mon, OSD, radosgw) are the processes started with this cluster's conf.
    pids: () => pidsWithArgument(conf),
    stop: () => rgw.stop(),
  };
}
