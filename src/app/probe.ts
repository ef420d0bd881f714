/**
 * Probe: measures what each selected target does (ETag rules, Content-MD5 checks, metadata
 * spelling and size limit, tagging, the answers of a vanished upload) with throw-away
 * objects under the dataset's reserved `.cloudexit/` prefix, removed afterwards; records
 * every probe in the state and the audit log. `copy` probes a target on its own the first
 * time it writes to it; this use case probes again on demand.
 */
import { probeRows, type ProbeRow } from '../stores/probe.ts';
import { withSession, type SessionOptions } from './session.ts';
import { probeTargets, type TargetProbe } from './target-capabilities.ts';

export interface ProbeOptions extends SessionOptions {
  /** Only show what earlier probes recorded; probe the targets never probed. @default false (probe every target again) */
  recordedOnly?: boolean | undefined;
}

export interface ProbeUseCaseReport {
  runId: string;
  targets: (TargetProbe & { rows: ProbeRow[] })[];
}

/** Probes (or, with `recordedOnly`, reads) the capabilities of the selected datasets' targets. */
export async function probe(options: ProbeOptions = {}): Promise<ProbeUseCaseReport> {
  return withSession(
    options,
    'probe',
    async (session) => {
      const probes = await probeTargets(session, { force: options.recordedOnly !== true });
      return {
        runId: session.ctx.runId,
        targets: probes.map((p) => ({
          ...p,
          rows: probeRows({ capabilities: p.capabilities, observations: p.observations, at: p.at, store: p.target }),
        })),
      };
    },
    (report) => ({ outcome: 'succeeded', totals: { objects: report.targets.length, bytes: 0, failed: 0 } }),
  );
}
