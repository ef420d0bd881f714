/**
 * What each target can do, as the engine sees it: the adapter's declared capabilities,
 * replaced by what `probe` measured on that target (recorded in the state), then by what
 * the plan says of the bucket (`target.etagIsMd5: false` for SSE-C/SSE-KMS buckets).
 * A target is known by its store description (endpoint and bucket, never a secret), so a
 * changed endpoint has no probe and `copy` probes it again before writing to it.
 */
import { randomBytes } from 'node:crypto';
import type { EngineDataset } from '../engine/context.ts';
import { RESERVED_PREFIX } from '../engine/context.ts';
import type { ProbeRecord } from '../state/contracts/probes.ts';
import type { CapabilityOverrides } from '../stores/capabilities.ts';
import { probeStore } from '../stores/probe.ts';
import type { LoadedPlan } from '../plan/load.ts';
import type { Clock } from '../plan/clock.ts';
import type { ProgressSink } from '../progress.ts';
import type { ProbeLog } from '../state/contracts/probes.ts';

/**
 * What probing needs of a session (a `Session` fits): its datasets, whose targets it
 * replaces, the state, the clock and a way to audit. Declared here, not imported, so that
 * the session can apply recorded probes without a loop between the two modules.
 */
export interface ProbeScope {
  plan: Pick<LoadedPlan, 'target'>;
  datasets: EngineDataset[];
  state: ProbeLog;
  clock: Clock;
  ctx: { progress: ProgressSink };
  audit(step: string, outcome: string, details: Record<string, unknown>): Promise<void>;
}

/** A probe of one target, and the datasets that write to it. */
export interface TargetProbe extends ProbeRecord {
  datasets: string[];
  /** `measured` now, or `recorded` by an earlier probe. */
  origin: 'measured' | 'recorded';
}

/** What the plan declares of every target bucket, which no probe overrides. */
function planOverrides(session: Pick<ProbeScope, 'plan'>): CapabilityOverrides | undefined {
  return session.plan.target.etagIsMd5 === false ? { etag: { single: 'opaque', multipart: 'opaque' } } : undefined;
}

/** Target descriptions with the datasets writing to each, in plan order. */
function targetsOf(datasets: readonly EngineDataset[]): Map<string, EngineDataset[]> {
  const targets = new Map<string, EngineDataset[]>();
  for (const dataset of datasets)
    targets.set(dataset.target.description, [...(targets.get(dataset.target.description) ?? []), dataset]);
  return targets;
}

/** Gives each dataset's target the capabilities recorded by its last probe (and the plan's word). */
export async function applyRecordedProbes(session: Pick<ProbeScope, 'plan' | 'datasets' | 'state'>): Promise<void> {
  for (const dataset of session.datasets) {
    const record = await session.state.getProbe(dataset.target.description);
    dataset.target = withOverrides(dataset, record, planOverrides(session));
  }
}

function withOverrides(
  dataset: EngineDataset,
  record: ProbeRecord | undefined,
  plan: CapabilityOverrides | undefined,
): EngineDataset['target'] {
  let target = dataset.target;
  if (record) target = target.withCapabilities?.(record.capabilities) ?? target;
  if (plan) target = target.withCapabilities?.(plan) ?? target;
  return target;
}

/**
 * Probes the session's targets — every one with `force`, otherwise only those never probed
 * — records each probe in the state and the audit log, and gives the datasets what was
 * measured. Throw-away objects go under the first dataset's reserved prefix, and are removed.
 */
export async function probeTargets(session: ProbeScope, options: { force: boolean }): Promise<TargetProbe[]> {
  const probes: TargetProbe[] = [];
  for (const [description, datasets] of targetsOf(session.datasets)) {
    const recorded = await session.state.getProbe(description);
    const first = datasets[0]!;
    if (recorded && !options.force) {
      probes.push({ ...recorded, datasets: datasets.map((d) => d.name), origin: 'recorded' });
      continue;
    }
    session.ctx.progress.note(
      `probing ${description}: what the target does with ETags, metadata, tags and vanished uploads`,
    );
    const prefix = `${first.targetPrefix}${RESERVED_PREFIX}probe-${randomBytes(6).toString('hex')}/`;
    const report = await probeStore(first.target, prefix, { now: () => session.clock.now() });
    const record: ProbeRecord = {
      target: description,
      capabilities: report.capabilities,
      observations: report.observations,
      at: report.at,
    };
    await session.state.putProbe(record);
    await session.audit('probe', 'succeeded', {
      target: description,
      datasets: datasets.map((d) => d.name),
      capabilities: report.capabilities,
    });
    for (const dataset of datasets) dataset.target = withOverrides(dataset, record, planOverrides(session));
    probes.push({ ...record, datasets: datasets.map((d) => d.name), origin: 'measured' });
  }
  return probes;
}
