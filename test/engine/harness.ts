/**
 * An engine context on a fresh state file, with a source container on Azurite and a
 * target bucket on s3rver (or anything the caller passes): what the CLI would wire,
 * minus the plan.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteBudget } from '../../src/engine/byte-budget.ts';
import { UNLIMITED } from '../../src/engine/bandwidth.ts';
import type { EngineContext, EngineDataset, EngineLimits } from '../../src/engine/context.ts';
import type { ProgressSink } from '../../src/progress.ts';
import { openSqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state-store.ts';
import type { ObjectStore } from '../../src/stores/object-store.ts';
import { freshAzureStore, freshS3Store } from '../support/stores.ts';

export const MiB = 2 ** 20;

export interface Harness {
  dir: string;
  state: StateStore;
  dataset: EngineDataset;
  notes: string[];
  /** A context for a new run. */
  context(
    overrides?: Omit<Partial<EngineContext>, 'limits'> & { limits?: Partial<EngineLimits> },
  ): Promise<EngineContext>;
  close(): Promise<void>;
}

export async function createHarness(
  options: { target?: ObjectStore; source?: ObjectStore; sourcePrefix?: string; targetPrefix?: string } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudexit-engine-'));
  const state = await openSqliteStateStore(join(dir, 'state.db'));
  const source = options.source ?? (await freshAzureStore()).store;
  const target = options.target ?? (await freshS3Store()).store;
  const notes: string[] = [];
  const progress: ProgressSink = { start() {}, advance() {}, stop() {}, note: (m) => notes.push(m) };
  const dataset: EngineDataset = {
    name: 'ds',
    sourcePrefix: options.sourcePrefix ?? '',
    targetPrefix: options.targetPrefix ?? '',
    source,
    target,
  };
  return {
    dir,
    state,
    dataset,
    notes,
    async context(overrides = {}) {
      const runId = await state.startRun({ command: 'test', scope: 'ds' });
      const { limits, ...rest } = overrides;
      return {
        state,
        runId,
        progress,
        budget: new ByteBudget(64 * MiB),
        bandwidth: UNLIMITED,
        retryBaseDelayMs: 5,
        limits: {
          concurrency: 8,
          partConcurrency: 3,
          multipartThreshold: 6 * MiB,
          minPartSize: 5 * MiB,
          maxAttempts: 5,
          ...limits,
        },
        ...rest,
      };
    },
    async close() {
      await state.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Deterministic bytes of a given size. */
export function bytesOf(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = 2166136261;
  for (const c of seed) x = Math.imul(x ^ c.charCodeAt(0), 16777619);
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
