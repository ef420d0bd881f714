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
  /** The saved parity report, when there is one. */
  parity: { equivalent: boolean; differing: string[]; file: string } | undefined;
  approvals: PhaseRecord['approvals'];
  hooks: Hooks;
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
  gates.push(
    input.parity === undefined
      ? {
          gate: 'parity',
          ok: true,
          detail: 'no parity report saved (run `cloudexit parity --json > .cloudexit/parity.json` to include it)',
        }
      : input.parity.equivalent
        ? { gate: 'parity', ok: true, detail: `the two stacks are equivalent (${input.parity.file})` }
        : {
            gate: 'parity',
            ok: false,
            detail: `the stacks differ on: ${input.parity.differing.join('; ')} (${input.parity.file})`,
          },
  );
  const missing = OWNER_ROLES.filter((role) => !input.approvals.some((a) => a.role === role));
  gates.push({
    gate: 'approvals',
    ok: missing.length === 0,
    detail:
      missing.length === 0
        ? `go recorded by ${input.approvals.map((a) => a.name).join(', ')}`
        : `waiting for the go of ${missing.map((role) => `${ROLE_TITLES[role]} (${input.phase.owners[role]})`).join(', ')} (\`cloudexit cutover --phase ${input.phase.id} --approve <role>\`)`,
  });
  const requiredHooks = (['freeze', 'switch'] as const).filter((h) => !input.hooks[h]);
  gates.push({
    gate: 'hooks',
    ok: requiredHooks.length === 0,
    detail:
      requiredHooks.length === 0
        ? 'freeze and switch hooks are configured'
        : `the plan has no ${requiredHooks.join(' or ')} hook (hooks: in the plan)`,
  });
  return gates;
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
