/**
 * What the engine works with. Stores arrive already built: the CLI (or a test) wires the
 * concrete adapters in, so nothing under `engine/` knows which cloud it talks to.
 */
import type { ObjectStore } from '../stores/object-store.ts';
import type { ObjectLedger } from '../state/contracts/objects.ts';
import type { UploadLog } from '../state/contracts/uploads.ts';
import type { BandwidthLimiter } from './bandwidth.ts';
import type { ByteBudget } from './byte-budget.ts';
import type { ProgressSink } from '../progress.ts';

/** One object dataset, with the two stores it moves between. */
export interface EngineDataset {
  name: string;
  /** Keys under this prefix of `source` belong to the dataset. */
  sourcePrefix: string;
  /** Where they land in `target`: the source prefix is replaced by this one. */
  targetPrefix: string;
  source: ObjectStore;
  target: ObjectStore;
}

export interface EngineLimits {
  /** Objects in flight. */
  concurrency: number;
  /** Parts of one object in flight. */
  partConcurrency: number;
  /** Objects at least this large are uploaded in parts. */
  multipartThreshold: number;
  /** Smallest part size. */
  minPartSize: number;
  /** Attempts per request. */
  maxAttempts: number;
}

/**
 * The state the engine works on: its object records (inventory, copy, verify) and the
 * multipart uploads in progress (transfer). Nothing else: runs, the audit log and phases
 * belong to the commands and the cutover around the engine.
 */
export type EngineState = ObjectLedger & UploadLog;

export interface EngineContext {
  state: EngineState;
  limits: EngineLimits;
  /** Bytes held in buffers at once, across all transfers. */
  budget: ByteBudget;
  /** Limit on bytes read from sources. */
  bandwidth: BandwidthLimiter;
  progress: ProgressSink;
  /** The run this work belongs to (recorded on each copied object). */
  runId: string;
  /** Stops new work when aborted (Ctrl-C); work in flight is recorded as far as it got. */
  signal?: AbortSignal;
  /** Base delay of retries in ms (tests shorten it). @default 200 */
  retryBaseDelayMs?: number;
}

/** Folder under each dataset's target prefix where cloudexit keeps its manifests. */
export const RESERVED_PREFIX = '.cloudexit/';

/**
 * User metadata names (and the tag name) cloudexit adds to target objects. Hyphens, not
 * underscores: every S3 implementation keeps a hyphen, while RGW turns `_` into `-`. Objects
 * written by earlier versions carry the `_` spelling, still read (`metadataValue`).
 */
export const META_SHA256 = 'cloudexit-sha256';
export const META_SOURCE_LAST_MODIFIED = 'cloudexit-source-last-modified';
/** SHA-256 of the side-car object holding metadata too large for the target (target-meta.ts). */
export const META_SIDECAR = 'cloudexit-metadata-sidecar';
/** The tag that carries a multipart object's SHA-256, set after completion. */
export const TAG_SHA256 = 'cloudexit-sha256';

export function targetKeyOf(dataset: Pick<EngineDataset, 'sourcePrefix' | 'targetPrefix'>, sourceKey: string): string {
  return dataset.targetPrefix + sourceKey.slice(dataset.sourcePrefix.length);
}
