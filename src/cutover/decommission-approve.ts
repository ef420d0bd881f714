/**
 * Recording a go for a phase's decommission: `cloudexit decommission --phase N --approve
 * decisionMaker|dpo --as NAME`. Kept apart from the cutover's goes (`approve.ts`): a go to
 * switch readers is not a go to delete the source. Only after the commit, and one person
 * cannot give both goes unless told so.
 */
import type { Clock } from '../plan/clock.ts';
import type { Phase } from '../plan/schema.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { AuditLog } from '../state/contracts/audit.ts';
import type { PhaseStore } from '../state/contracts/phases.ts';
import { UserError } from '../errors.ts';
import type { Approver } from './approve.ts';
import { approverOf } from './approve.ts';
import { DECOMMISSION_ROLES, type DecommissionRole } from './decommission-gates.ts';

export async function recordDecommissionApproval(
  deps: { state: PhaseStore & AuditLog; phase: Phase; clock: Clock; actor: string },
  name: string,
  who: Approver = {},
): Promise<PhaseRecord> {
  const approver = approverOf(deps.phase, name);
  const role = approver.role as DecommissionRole;
  if (!DECOMMISSION_ROLES.includes(role))
    throw new UserError(
      `the decommission of phase ${deps.phase.id} takes the go of ${DECOMMISSION_ROLES.join(' and ')}`,
      {
        fix: `use --approve decisionMaker or --approve dpo (the ${approver.role} gives the cutover's go, not this one)`,
      },
    );
  const record = await deps.state.getPhase(deps.phase.id);
  if (record?.state !== 'committed')
    throw new UserError(`phase ${deps.phase.id} is not committed: its source cannot be decommissioned yet`, {
      fix: `commit it first with \`cloudexit cutover --phase ${deps.phase.id} --commit\``,
    });
  const now = deps.clock.now().toISOString();
  const person = who.person?.trim() || approver.name;
  const given = record.decommissionApprovals ?? [];
  const earlier = given.find((a) => a.role !== role && a.name.trim().toLowerCase() === person.toLowerCase());
  if (earlier && !who.allowSeveralRoles)
    throw new UserError(
      `${person} already gave the decommission go of phase ${deps.phase.id} as ${earlier.role}: one person cannot also give it as ${role}`,
      {
        fix: `the ${role} (${approver.name} in the plan) records their own go with \`--approve ${role} --as "their name"\``,
      },
    );
  const updated: PhaseRecord = {
    ...record,
    decommissionApprovals: [...given.filter((a) => a.role !== role), { role, name: person, at: now }],
    updatedAt: now,
  };
  await deps.state.putPhase(updated);
  await deps.state.appendAudit({
    time: now,
    actor: deps.actor,
    phase: deps.phase.id,
    step: 'decommission-approve',
    outcome: 'succeeded',
    details: {
      role,
      name: person,
      owner: approver.name,
      osUser: who.osUser ?? deps.actor,
      host: who.host ?? 'unknown',
    },
  });
  return updated;
}
