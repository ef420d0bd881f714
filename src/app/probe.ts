/**
 * Probe: measures what each selected target does (ETag rules, Content-MD5 checks, metadata
 * spelling and size limit, tagging, the answers of a vanished upload) with throw-away
 * objects under the dataset's reserved `.cloudexit/` prefix, removed afterwards; records
 * every probe in the state and the audit log. `copy` probes a target on its own the first
 * time it writes to it; this use case probes again on demand, or (`dryRun`) only shows what
 * was recorded, reading the state and writing nothing anywhere.
 */
import { isObjectDataset } from '../plan/schema.ts';
import type { ProbeRecord } from '../state/contracts/probes.ts';
import { probeRows, type ProbeRow } from '../stores/probe.ts';
import { withPlanAndState, type PlanOptions } from './plan-state.ts';
import { withSession, type SessionOptions } from './session.ts';
import { probeTargets, type TargetProbe } from './target-capabilities.ts';

export interface ProbeOptions extends SessionOptions {
  /**
   * Probe nothing, write nothing: show what the state recorded of earlier probes (the state
   * opened read-only; no secret needed).
   * @default false (probe every selected target again)
   */
  dryRun?: boolean | undefined;
}

export interface ProbeUseCaseReport {
  /** The run of this probe; undefined for a dry run, which records none. */
  runId: string | undefined;
  targets: (TargetProbe & { rows: ProbeRow[] })[];
}

const withRows = (p: TargetProbe) => ({
  ...p,
  rows: probeRows({ capabilities: p.capabilities, observations: p.observations, at: p.at, store: p.target }),
});

/** Probes the capabilities of the selected datasets' targets (or, with `dryRun`, reads what was recorded). */
export async function probe(options: ProbeOptions = {}): Promise<ProbeUseCaseReport> {
  if (options.dryRun === true) return recordedProbes(options);
  return withSession(
    options,
    'probe',
    async (session) => {
      const probes = await probeTargets(session, { force: true });
      return { runId: session.ctx.runId, targets: probes.map(withRows) };
    },
    (report) => ({ outcome: 'succeeded', totals: { objects: report.targets.length, bytes: 0, failed: 0 } }),
  );
}

/** Every probe the state recorded, with the plan's datasets that write to each target's bucket. */
async function recordedProbes(options: PlanOptions): Promise<ProbeUseCaseReport> {
  return withPlanAndState(options, { create: false }, async ({ plan, state }) => {
    const records: ProbeRecord[] = await state.listProbes();
    const targets = records.map((record) => {
      const datasets = plan.datasets
        .filter(isObjectDataset)
        .filter((d) => record.target.endsWith(`/${d.target.bucket}`))
        .map((d) => d.name);
      return withRows({ ...record, datasets, origin: 'recorded' });
    });
    return { runId: undefined, targets };
  });
}
