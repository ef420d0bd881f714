/**
 * The go/no-go gates of a phase's decommission, the one step that cannot be undone by
 * anyone: the phase is committed, its own go was given by the decision maker and the DPO
 * (the cutover's goes do not count: deleting the source is a separate decision), and the
 * hypercare period after the commit has passed. Each gate is a plain fact with a sentence a
 * project manager can read. The full verify of the target after the commit is not a gate
 * on a recorded run: the decommission runs it itself, dataset by dataset, right before it
 * deletes anything (`src/app/decommission.ts`), so no stale verify can open the way.
 */
import type { PhaseRecord } from '../phase-record.ts';
import { ROLE_TITLES, type OwnerRole } from './gates.ts';

/** The owners whose go a decommission needs. */
export const DECOMMISSION_ROLES = ['decisionMaker', 'dpo'] as const satisfies readonly OwnerRole[];
export type DecommissionRole = (typeof DECOMMISSION_ROLES)[number];

export interface DecommissionGate {
  gate: 'committed' | 'approvals' | 'hypercare';
  ok: boolean;
  detail: string;
}

export interface DecommissionGateInput {
  phase: { id: number; owners: Record<DecommissionRole, string> };
  record: PhaseRecord | undefined;
  /** Days the source is kept after the commit (the plan's `hypercareDays`). */
  hypercareDays: number;
  now: Date;
}

const DAY_MS = 86_400_000;

/** When the phase's commit step succeeded, if it did. */
export function committedAt(record: PhaseRecord | undefined): string | undefined {
  if (record?.state !== 'committed') return undefined;
  return record.done.find((d) => d.step === 'commit')?.at ?? record.updatedAt;
}

/** The first moment the decommission may run: the commit plus the hypercare days (undefined before the commit). */
export function hypercareEnd(record: PhaseRecord | undefined, hypercareDays: number): Date | undefined {
  const at = committedAt(record);
  return at === undefined ? undefined : new Date(Date.parse(at) + hypercareDays * DAY_MS);
}

export function evaluateDecommissionGates(input: DecommissionGateInput): DecommissionGate[] {
  const { phase, record } = input;
  const commit = committedAt(record);
  const approvals = record?.decommissionApprovals ?? [];
  const missing = DECOMMISSION_ROLES.filter((r) => !approvals.some((a) => a.role === r));
  const end = hypercareEnd(record, input.hypercareDays);
  return [
    {
      gate: 'committed',
      ok: commit !== undefined,
      detail:
        commit !== undefined
          ? `phase ${phase.id} committed at ${commit}`
          : `phase ${phase.id} is ${record?.state ?? 'planned'}, not committed: the source is the way back until the commit`,
    },
    {
      gate: 'approvals',
      ok: missing.length === 0,
      detail:
        missing.length === 0
          ? `go given by ${approvals.map((a) => `${a.name} (${a.role})`).join(', ')}`
          : `waiting for the decommission go of ${missing.map((r) => `${ROLE_TITLES[r]} (${phase.owners[r]})`).join(', ')}`,
    },
    {
      gate: 'hypercare',
      ok: end !== undefined && input.now.getTime() >= end.getTime(),
      detail:
        end === undefined
          ? `hypercare of ${input.hypercareDays} days starts at the commit`
          : input.now.getTime() >= end.getTime()
            ? `hypercare of ${input.hypercareDays} days ended at ${end.toISOString()}`
            : `hypercare of ${input.hypercareDays} days runs until ${end.toISOString()}: the source is kept until then`,
    },
  ];
}
