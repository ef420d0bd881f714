/**
 * The go/no-go gates of a phase, evaluated before anything irreversible: every gate is a
 * plain fact with a sentence a project manager can read, so the same list serves the
 * preflight step, `cloudexit status` and the runbooks.
 */
import type { Hooks, Phase } from '../plan/schema.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { DatabaseRecord } from '../state/contracts/databases.ts';
import type { StatusCounts } from '../state/contracts/objects.ts';

/** The roles whose "go" a cutover needs, as named in the plan's `owners`. */
export const OWNER_ROLES = ['decisionMaker', 'opsLead', 'dataOwner', 'dpo'] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];

export const ROLE_TITLES: Record<OwnerRole, string> = {
  decisionMaker: 'decision maker',
  opsLead: 'ops lead',
  dataOwner: 'data owner',
  dpo: 'data protection officer',
};

export interface Gate {
  gate: 'bulk-copy' | 'full-verify' | 'parity' | 'approvals' | 'hooks';
  ok: boolean;
  detail: string;
}

export interface DatasetProgress {
  name: string;
  counts: StatusCounts;
  /** Objects whose last verification was a full one (bytes re-read and re-hashed). */
  verifiedFull: number;
}

export interface GateInput {
  phase: Pick<Phase, 'id' | 'owners'>;
  datasets: readonly DatasetProgress[];
  /**
   * The saved parity report, when there is one: `gaps` are the properties one host cannot
   * declare that the plan's `parity.accepted` does not accept (`subject property`).
   */
  parity: { equivalent: boolean; differing: string[]; gaps?: string[]; file: string } | undefined;
  /** The parity gate waived explicitly (`cutover --waive-parity REASON`), by whom. @default not waived */
  parityWaiver?: { reason: string; actor: string } | undefined;
  approvals: PhaseRecord['approvals'];
  hooks: Hooks;
  /** The configured hooks looked for on disk (preflight); the check is skipped when absent (status, runbooks). */
  hookFiles?: readonly { name: string; script: string; found: boolean }[] | undefined;
  /** PostgreSQL datasets of the phase with their records (absent until first copied). */
  databases?: readonly { name: string; record: DatabaseRecord | undefined }[];
}

export function evaluateGates(input: GateInput): Gate[] {
  const gates: Gate[] = [];
  const databases = input.databases ?? [];
  const notCopied = [
    ...input.datasets
      .filter((d) => d.counts.pending.objects + d.counts.failed.objects > 0 || total(d) === 0)
      .map((d) =>
        total(d) === 0
          ? `${d.name}: no inventory yet`
          : `${d.name}: ${d.counts.pending.objects + d.counts.failed.objects} objects not copied`,
      ),
    ...databases
      .filter((d) => d.record?.status !== 'copied' && d.record?.status !== 'verified')
      .map((d) => `${d.name}: database not copied${d.record?.lastError ? ` (${d.record.lastError})` : ''}`),
  ];
  gates.push({
    gate: 'bulk-copy',
    ok: notCopied.length === 0,
    detail:
      notCopied.length === 0 ? 'every object and every database of the phase is on the target' : notCopied.join('; '),
  });
  const unverified = [
    ...input.datasets
      .filter((d) => d.verifiedFull < total(d) || total(d) === 0)
      .map((d) => `${d.name}: ${total(d) - d.verifiedFull} of ${total(d)} objects not verified in full`),
    ...databases
      .filter((d) => !(d.record?.status === 'verified' && d.record.verification?.ok))
      .map(
        (d) =>
          `${d.name}: tables not verified${d.record?.verification && !d.record.verification.ok ? ` (${d.record.verification.mismatches.length} mismatching ranges)` : ''}`,
      ),
  ];
  gates.push({
    gate: 'full-verify',
    ok: unverified.length === 0,
    detail:
      unverified.length === 0
        ? "every object was re-read on the target and its SHA-256 matched; every table's fingerprints matched"
        : `${unverified.join('; ')} (run \`cloudexit verify --mode full --phase ${input.phase.id}\`)`,
  });
  gates.push(parityGate(input));
  const missing = OWNER_ROLES.filter((role) => !input.approvals.some((a) => a.role === role));
  gates.push({
    gate: 'approvals',
    ok: missing.length === 0,
    detail:
      missing.length === 0
        ? `go recorded by ${input.approvals.map((a) => a.name).join(', ')}`
        : `waiting for the go of ${missing.map((role) => `${ROLE_TITLES[role]} (${input.phase.owners[role]})`).join(', ')} (\`cloudexit cutover --phase ${input.phase.id} --approve <role>\`)`,
  });
  gates.push(hooksGate(input));
  return gates;
}

/**
 * Fails without a saved report, or when the report has differences or gaps the plan does
 * not accept — unless waived explicitly, and then it says by whom and why.
 */
function parityGate(input: GateInput): Gate {
  const { parity, parityWaiver } = input;
  const problem =
    parity === undefined
      ? 'no parity report saved'
      : parity.differing.length > 0
        ? `the stacks differ on: ${parity.differing.join('; ')} (${parity.file})`
        : (parity.gaps ?? []).length > 0
          ? `unsupported properties not accepted in the plan (parity.accepted): ${parity.gaps!.join('; ')} (${parity.file})`
          : !parity.equivalent
            ? `the stacks are not equivalent (${parity.file})`
            : undefined;
  if (problem === undefined)
    return { gate: 'parity', ok: true, detail: `the two stacks are equivalent, every gap accepted (${parity!.file})` };
  if (parityWaiver)
    return {
      gate: 'parity',
      ok: true,
      detail: `${problem}; waived by ${parityWaiver.actor}: ${parityWaiver.reason}`,
    };
  return {
    gate: 'parity',
    ok: false,
    detail:
      parity === undefined
        ? `${problem} (run \`cloudexit parity --json > .cloudexit/parity.json\`, or waive it with \`cloudexit cutover --phase ${input.phase.id} --waive-parity "reason"\`)`
        : problem,
  };
}

/** The freeze and switch hooks are configured, and every configured hook file exists (when looked for). */
function hooksGate(input: GateInput): Gate {
  const required = (['freeze', 'switch'] as const).filter((h) => !input.hooks[h]);
  if (required.length > 0)
    return { gate: 'hooks', ok: false, detail: `the plan has no ${required.join(' or ')} hook (hooks: in the plan)` };
  if (input.hookFiles === undefined)
    return { gate: 'hooks', ok: true, detail: 'freeze and switch hooks are configured' };
  const missing = input.hookFiles.filter((h) => !h.found);
  const checked = input.hookFiles.map((h) => `${h.name} (${h.script})`).join(', ');
  return missing.length === 0
    ? { gate: 'hooks', ok: true, detail: `freeze and switch hooks are configured; hook files found: ${checked}` }
    : {
        gate: 'hooks',
        ok: false,
        detail: `hook files not found: ${missing.map((h) => `hooks.${h.name} ${h.script}`).join(', ')} (checked: ${checked}; paths are relative to the folder cloudexit runs in)`,
      };
}

function total(d: DatasetProgress): number {
  return d.counts.pending.objects + d.counts.failed.objects + d.counts.copied.objects + d.counts.verified.objects;
}

/** Matches `--approve NAME` against a role key (`dpo`) or the owner's name as written in the plan. */
export function resolveApprover(
  phase: Pick<Phase, 'owners'>,
  name: string,
): { role: OwnerRole; name: string } | undefined {
  const wanted = name.trim().toLowerCase();
  for (const role of OWNER_ROLES) {
    if (role.toLowerCase() === wanted || phase.owners[role].toLowerCase() === wanted)
      return { role, name: phase.owners[role] };
  }
  return undefined;
}
