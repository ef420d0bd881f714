/**
 * Starts Azurite and s3rver once for the whole vitest run, in the main process, and hands
 * their coordinates to test files through `provide`/`inject` (test files run in workers).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite, startS3rver } from '../../src/rehearsal/services.ts';

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

declare module 'vitest' {
  export interface ProvidedContext {
    azurite: ProvidedAzurite;
    s3rver: ProvidedS3rver;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = await mkdtemp(join(tmpdir(), 'cloudexit-s3rver-'));
  const started = await Promise.allSettled([startAzurite(), startS3rver({ directory })]);
  const [a, s] = started;
  if (a.status === 'rejected' || s.status === 'rejected') {
    // Stop whichever did start, or its handles would keep vitest alive.
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    await rm(directory, { recursive: true, force: true });
    throw a.status === 'rejected' ? a.reason : (s as PromiseRejectedResult).reason;
  }
  const azurite = a.value;
  const s3rver = s.value;
  const { stop: _stopAzurite, ...azuriteCoordinates } = azurite;
  const { stop: _stopS3rver, ...s3rverCoordinates } = s3rver;
  project.provide('azurite', azuriteCoordinates);
  project.provide('s3rver', s3rverCoordinates);
  return async () => {
    await Promise.all([azurite.stop(), s3rver.stop()]);
    await rm(directory, { recursive: true, force: true });
  };
}
