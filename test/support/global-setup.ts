/**
 * Starts Azurite, s3rver and Ceph RGW once for the whole vitest run, in the main process,
 * and hands their coordinates to test files through `provide`/`inject` (test files run in
 * workers). RGW is the real S3 implementation: what touches the target must pass there too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../../src/embedded/azurite.ts';
import { startS3rver } from '../../src/embedded/s3rver.ts';
import { RGW_INSTALL_HINT, rgwInstalled, startRgw } from '../../src/embedded/rgw.ts';

/** Coordinates of the Azurite every test file shares. */
export interface ProvidedAzurite {
  endpoint: string;
  accountName: string;
  accountKey: string;
}

/** Coordinates of the s3rver every test file shares. */
export interface ProvidedS3rver {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  mode: 'in-process' | 'child-process';
}

/** Coordinates of the Ceph RGW every test file shares. */
export interface ProvidedRgw {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    azurite: ProvidedAzurite;
    s3rver: ProvidedS3rver;
    rgw: ProvidedRgw;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // `npm test` installs Ceph where it can (scripts/prerequisites.sh); a bare `npx vitest` may not have.
  if (!rgwInstalled())
    throw new Error(`Ceph RGW is not installed; run \`npm test\` as root on Debian, or: ${RGW_INSTALL_HINT}`);
  const directory = await mkdtemp(join(tmpdir(), 'cloudexit-s3rver-'));
  const started = await Promise.allSettled([startAzurite(), startS3rver({ directory }), startRgw()]);
  const [a, s, r] = started;
  if (a.status === 'rejected' || s.status === 'rejected' || r.status === 'rejected') {
    // Stop whichever did start, or its handles would keep vitest alive.
    await Promise.all(started.map((x) => (x.status === 'fulfilled' ? x.value.stop() : Promise.resolve())));
    await rm(directory, { recursive: true, force: true });
    throw [a, s, r].find((x): x is PromiseRejectedResult => x.status === 'rejected')!.reason;
  }
  const azurite = a.value;
  const s3rver = s.value;
  const rgw = r.value;
  const { stop: _stopAzurite, ...azuriteCoordinates } = azurite;
  const { stop: _stopS3rver, ...s3rverCoordinates } = s3rver;
  project.provide('azurite', azuriteCoordinates);
  project.provide('s3rver', s3rverCoordinates);
  project.provide('rgw', {
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
  });
  return async () => {
    await Promise.all([azurite.stop(), s3rver.stop(), rgw.stop()]);
    await rm(directory, { recursive: true, force: true });
  };
}
