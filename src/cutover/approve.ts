/**
 * Recording a go: `cloudexit cutover --phase N --approve NAME`. Each owner of the phase
 * (decision maker, ops lead, data owner, DPO) gives theirs; the preflight gate opens only
 * when all four are recorded, and a rollback clears them so a new attempt needs new ones.
 */
import type { Clock } from '../plan/clock.ts';
import type { Phase } from '../plan/schema.ts';
import type { PhaseRecord } from '../phase-record.ts';
import type { AuditLog } from '../state/contracts/audit.ts';
import type { PhaseStore } from '../state/contracts/phases.ts';
import { UserError } from '../errors.ts';
import { audit } from './audit-entry.ts';
import { currentRecord, emptyPhaseRecord } from './current-record.ts';
import { OWNER_ROLES, resolveApprover } from './gates.ts';

export async function recordApproval(
  deps: { state: PhaseStore & AuditLog; phase: Phase; clock: Clock; actor: string },
  name: string,
): Promise<PhaseRecord> {
  const approver = resolveApprover(deps.phase, name);
  if (!approver) {
    throw new UserError(`"${name}" is not an owner of phase ${deps.phase.id}`, {
      fix: `use a role (${OWNER_ROLES.join(', ')}) or an owner's name as written in the plan: ${OWNER_ROLES.map((r) => deps.phase.owners[r]).join('; ')}`,
    });
  }
  const now = deps.clock.now().toISOString();
  let record = await currentRecord(deps.state, deps.phase.id, now);
  if (record.state === 'committed')
    throw new UserError(`phase ${deps.phase.id} is already committed: there is nothing left to approve`);
  if (record.state === 'rolled-back') record = emptyPhaseRecord(deps.phase.id, now);
  const approvals = [...record.approvals.filter((a) => a.role !== approver.role), { ...approver, at: now }];
  const updated: PhaseRecord = { ...record, approvals, updatedAt: now };
  await deps.state.putPhase(updated);
  await audit(deps, { step: 'approve', outcome: 'succeeded', details: { role: approver.role, name: approver.name } });
  return updated;
}
