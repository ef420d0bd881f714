/**
 * What `cloudexit probe` measured on each target: the capabilities the engine then relies
 * on (ETag rules, metadata spelling and limit, tagging, upload-gone answers), with what was
 * seen. Keyed by the target's identity (endpoint and bucket, never a secret), so a changed
 * endpoint has no record and is probed again. Every implementation passes
 * `test/state/conformance/probes.ts`.
 */
import type { StoreCapabilities } from '../../stores/capabilities.ts';

export interface ProbeRecord {
  /** The target probed, e.g. `https://s3.gra.io.cloud.ovh.net/emc2-hcl`: endpoint and bucket, no secret. */
  target: string;
  capabilities: StoreCapabilities;
  /** What the probe saw, in words, per capability. */
  observations: { name: string; seen: string }[];
  /** ISO 8601: when the probe ran. */
  at: string;
}

export interface ProbeLog {
  /** The last probe of `target`, or undefined when it was never probed. */
  getProbe(target: string): Promise<ProbeRecord | undefined>;
  /** Every recorded probe, by target. */
  listProbes(): Promise<ProbeRecord[]>;
  /** Records a probe, replacing the previous one of the same target. Durable when the promise resolves. */
  putProbe(record: ProbeRecord): Promise<void>;
}
