/**
 * Recording a go: `cloudexit cutover --phase N --approve NAME`. Each owner of the phase
 * (decision maker, ops lead, data owner, DPO) gives theirs; the preflight gate opens only
 * when all four are recorded, and a rollback clears them so a new attempt needs new ones.
 * A go records the person who gave it (`--as`), and by default one person cannot hold two
 * roles of one phase: four goes must come from four people.
 */
import type { Clock } from '../plan/clock.ts';
import type { Phase } from '../plan/schema.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { AuditLog } from '../state/contracts/audit.ts';
import type { PhaseStore } from '../state/contracts/phases.ts';
import { UserError } from '../errors.ts';
import { audit } from './audit-entry.ts';
import { currentRecord, emptyPhaseRecord } from './current-record.ts';
import { OWNER_ROLES, resolveApprover, type OwnerRole } from './gates.ts';

/** Who gives a go: the person, and the OS account and machine the command ran on. */
export interface Approver {
  /** The person's name (`--as`). @default the owner's name in the plan */
  person?: string | undefined;
  /** @default the actor */
  osUser?: string | undefined;
  /** @default "unknown" */
  host?: string | undefined;
  /**
   * Lets one person give the go of two roles of the phase.
   * @default false (refused, naming the role they already hold)
   */
  allowSeveralRoles?: boolean | undefined;
}

/** The owner `name` designates in `phase` (a role or an owner's name), or a `UserError` saying who can approve. */
export function approverOf(phase: Phase, name: string): { role: OwnerRole; name: string } {
  const approver = resolveApprover(phase, name);
  if (!approver) {
    throw new UserError(`"${name}" is not an owner of phase ${phase.id}`, {
      fix: `use a role (${OWNER_ROLES.join(', ')}) or an owner's name as written in the plan: ${OWNER_ROLES.map((r) => phase.owners[r]).join('; ')}`,
    });
  }
  return approver;
}

export async function recordApproval(
  deps: { state: PhaseStore & AuditLog; phase: Phase; clock: Clock; actor: string },
  name: string,
  who: Approver = {},
): Promise<PhaseRecord> {
  const approver = approverOf(deps.phase, name);
  const now = deps.clock.now().toISOString();
  let record = await currentRecord(deps.state, deps.phase.id, now);
  if (record.state === 'committed')
    throw new UserError(`phase ${deps.phase.id} is already committed: there is nothing left to approve`);
  if (record.state === 'rolled-back') record = emptyPhaseRecord(deps.phase.id, now);
  const person = who.person?.trim() || approver.name;
  const same = (a: string) => a.trim().toLowerCase() === person.toLowerCase();
  const earlier = record.approvals.find((a) => a.role !== approver.role && same(a.name));
  if (earlier && !who.allowSeveralRoles) {
    throw new UserError(
      `${person} already gave the go of phase ${deps.phase.id} as ${earlier.role}: one person cannot also give it as ${approver.role}`,
      {
        fix: `the ${approver.role} (${approver.name} in the plan) records their own go with \`--approve ${approver.role} --as "their name"\``,
      },
    );
  }
  // The record keeps who gave the go; the audit event adds the plan's owner, the OS user and the machine.
  const approvals = [
    ...record.approvals.filter((a) => a.role !== approver.role),
    { role: approver.role, name: person, at: now },
  ];
  const updated: PhaseRecord = { ...record, approvals, updatedAt: now };
  await deps.state.putPhase(updated);
  await audit(deps, {
    step: 'approve',
    outcome: 'succeeded',
    details: {
      role: approver.role,
      name: person,
      owner: approver.name,
      person,
      osUser: who.osUser ?? deps.actor,
      host: who.host ?? 'unknown',
    },
  });
  return updated;
}
