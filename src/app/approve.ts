/**
 * Recording one owner's go for a phase's cutover. The preflight gate opens when the four
 * owners (decision maker, ops lead, data owner, DPO) have each given theirs.
 */
import { hostname, userInfo } from 'node:os';
import { approverOf, recordApproval } from '../cutover/approve.ts';
import { OWNER_ROLES, ROLE_TITLES, type OwnerRole } from '../cutover/gates.ts';
import { clockFromEnv, type Clock } from '../plan/clock.ts';
import type { PhaseRecord } from '../phase-record.ts';
import { currentActor } from './hooks.ts';
import { withPhaseLock } from './phase-leader.ts';
import { planOf, withPlanAndState, type PlanOptions } from './plan-state.ts';
import { phaseOf } from './selection.ts';

export interface ApproveOptions extends PlanOptions {
  /** The phase (its id). */
  phase: string | number;
  /** Who gives their go: a role (`decisionMaker`, `opsLead`, `dataOwner`, `dpo`) or the owner's name in the plan. */
  owner: string;
  /** Who records it, for the audit log. @default `CLOUDEXIT_ACTOR`, else the OS user */
  actor?: string | undefined;
  /** The person giving the go (`--as`). @default the owner's name in the plan */
  as?: string | undefined;
  /** Lets one person give the go of two roles of the phase. @default false */
  allowSeveralRoles?: boolean | undefined;
  /** @default the system clock, or `CLOUDEXIT_NOW` when set */
  clock?: Clock | undefined;
}

export interface ApproveReport {
  phase: number;
  /** Every go recorded for the phase's current attempt. */
  approvals: PhaseRecord['approvals'];
  /** Roles still to give their go. */
  missing: OwnerRole[];
  /** The same, with their titles and names from the plan. */
  waitingFor: { role: OwnerRole; title: string; name: string }[];
}

/** Records one owner's go for the phase, and says whose go is still missing. */
export async function approve(options: ApproveOptions): Promise<ApproveReport> {
  // A phase the plan does not have is bad input: refused before the state is created.
  const loaded = await planOf(options.plan);
  const phase = phaseOf(loaded, options.phase);
  approverOf(phase, options.owner);
  return withPlanAndState({ ...options, plan: loaded }, { create: true }, ({ state }) =>
    // The phase record is written whole: an approval during a cutover of the phase could be lost.
    withPhaseLock(state, phase.id, `approve ${phase.id}`, async () => {
      const deps = { state, phase, clock: options.clock ?? clockFromEnv(), actor: options.actor ?? currentActor() };
      const record = await recordApproval(deps, options.owner, {
        person: options.as,
        osUser: osUser(),
        host: hostname(),
        allowSeveralRoles: options.allowSeveralRoles,
      });
      const missing = OWNER_ROLES.filter((r) => !record.approvals.some((a) => a.role === r));
      return {
        phase: phase.id,
        approvals: record.approvals,
        missing,
        waitingFor: missing.map((role) => ({ role, title: ROLE_TITLES[role], name: phase.owners[role] })),
      };
    }),
  );
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
